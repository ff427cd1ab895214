-- A run is announced when it starts, not only when it ends, so dashboards can say "ETL run in
-- progress" while it works: the live stream's `run` event (server/live.ts) and the Realtime
-- broadcast now carry the run with status 'running' too.
-- Redefines market.announce_run() (20260101000200_live_notify) and, where Supabase Realtime exists,
-- market.broadcast_run() (20260101015000_realtime_broadcast); their triggers stay as they were
-- (after insert or update of status on market.etl_run). A run that continues over several
-- invocations keeps its status, so it is announced once when it starts and once when it ends.

create or replace function market.announce_run() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' or old.status is distinct from new.status then
    perform pg_notify('market_runs', jsonb_build_object('etl_run_id', new.etl_run_id, 'status', new.status)::text);
  end if;
  return null;
end
$$;

do $realtime$
begin
  if to_regnamespace('realtime') is null then
    return;
  end if;

  create or replace function market.broadcast_run() returns trigger
  language plpgsql
  set search_path = ''
  as $fn$
  begin
    if tg_op = 'INSERT' or old.status is distinct from new.status then
      perform realtime.send(
        jsonb_build_object(
          'etl_run_id', new.etl_run_id, 'started_at', new.started_at, 'finished_at', new.finished_at,
          'status', new.status, 'trigger', new.trigger, 'bars_upserted', new.bars_upserted,
          'credits_used', new.credits_used, 'error', new.error),
        'run', 'market:bars', true);
    end if;
    return null;
  end
  $fn$;
end
$realtime$;

-- The access rules (RLS, API-role grants) for what this migration changed.
select market.apply_api_access();
