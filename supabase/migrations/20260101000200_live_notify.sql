-- Live path: after each statement that writes SSOT rows, announce which symbols got bars up to when.
-- One small announcement per statement (not per row); listeners fetch only what is new. It goes out
-- as NOTIFY market_bars (the Node server relays it as server-sent events) and, where Supabase
-- Realtime exists, as a broadcast on the private topic market:bars (20260101015000_realtime_broadcast).

-- The announcement itself: {"interval", "symbols", "max_ts"}, max_ts the newest of the bars written.
-- Called by the trigger below, and by a load that bypasses it: the first large load into empty
-- tables announces once, at its end (functions/_shared/etl/first-load.ts). The owner's alone.
create or replace function market.announce_new_bars(p_interval text, p_symbols text[], p_max_ts timestamptz)
returns void
language plpgsql
set search_path = ''
as $$
declare
  announcement jsonb;
begin
  if p_max_ts is null then
    return;
  end if;
  announcement := jsonb_build_object('interval', p_interval, 'symbols', to_jsonb(p_symbols), 'max_ts', p_max_ts);
  -- NOTIFY payloads stop at 8000 bytes; past that, listeners refetch every symbol.
  if octet_length(announcement::text) > 7000 then
    announcement := announcement - 'symbols';
  end if;
  perform pg_notify('market_bars', announcement::text);
  -- realtime.send turns its own errors into warnings, so a broadcast can never sink an ETL run.
  if to_regprocedure('realtime.send(jsonb, text, text, boolean)') is not null then
    perform realtime.send(announcement, 'bars', 'market:bars', true);
  end if;
end
$$;
revoke all on function market.announce_new_bars(text, text[], timestamptz) from public;

create or replace function market.announce_bars() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  written_interval text;
  written_symbols text[];
  newest timestamptz;
begin
  select min(changed.interval), array_agg(distinct changed.symbol order by changed.symbol), max(changed.ts)
    into written_interval, written_symbols, newest
    from changed_rows as changed;
  perform market.announce_new_bars(written_interval, written_symbols, newest);
  return null;
end
$$;

-- Transition tables allow one event per trigger, so inserts and updates (upserts do both) get one each.
create or replace trigger ssot_announce_insert after insert on market.ssot
  referencing new table as changed_rows
  for each statement execute function market.announce_bars();
create or replace trigger ssot_announce_update after update on market.ssot
  referencing new table as changed_rows
  for each statement execute function market.announce_bars();

-- A run that ends (or is skipped) is announced too, so dashboards show freshness without polling.
create or replace function market.announce_run() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.status <> 'running' and (tg_op = 'INSERT' or old.status is distinct from new.status) then
    perform pg_notify('market_runs', jsonb_build_object('etl_run_id', new.etl_run_id, 'status', new.status)::text);
  end if;
  return null;
end
$$;

create or replace trigger etl_run_announce after insert or update of status on market.etl_run
  for each row execute function market.announce_run();
