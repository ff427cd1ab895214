-- Live path on Supabase: Broadcast from Database, on the private topic market:bars (the dashboard's
-- web/src/live-supabase.ts). Event `bars`: after each statement that writes SSOT rows, which symbols
-- got bars up to when (the NOTIFY market_bars payload, sent by market.announce_new_bars() in
-- 20260101000200_live_notify); dashboards then fetch only what is new through the read functions. One
-- message per statement, not per row: a backfill of thousands of bars is a handful of events.
-- Event `run`: a run that ended, as market.latest_run() returns it.
-- Private, so only the database sends: on a public topic anyone holding the publishable key could
-- broadcast a fake run to every dashboard. Created only where Supabase Realtime's schema exists.

do $realtime$
begin
  if to_regnamespace('realtime') is null then
    return;
  end if;

  -- Bars are broadcast by market.announce_bars() (migration 20260101000200_live_notify), the same
  -- statement trigger that sends NOTIFY, so the transition table is captured once.

  create or replace function market.broadcast_run() returns trigger
  language plpgsql
  set search_path = ''
  as $fn$
  begin
    if new.status <> 'running' and (tg_op = 'INSERT' or old.status is distinct from new.status) then
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

  create or replace trigger etl_run_broadcast after insert or update of status on market.etl_run
    for each row execute function market.broadcast_run();

  -- Only roles with a policy may join, and no policy lets anyone send. The read-only dashboard joins
  -- as anon (publishable key) or authenticated, with { config: { private: true } }.
  if to_regclass('realtime.messages') is not null
     and exists (select from pg_catalog.pg_roles where rolname = 'anon')
     and exists (select from pg_catalog.pg_roles where rolname = 'authenticated') then
    drop policy if exists market_bars_receive on realtime.messages;
    create policy market_bars_receive on realtime.messages
      for select to anon, authenticated
      using (realtime.topic() = 'market:bars' and extension = 'broadcast');
  end if;
end
$realtime$;
