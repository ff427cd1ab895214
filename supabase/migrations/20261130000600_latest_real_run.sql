-- market.latest_run() answers the newest run that did something. A run that found another one
-- holding the ETL lock is recorded as 'skipped'; it changed nothing, and reporting it as "the
-- latest run" hid the run that held the lock (the dashboard's freshness line showed "skipped").
-- Same signature as before, so `create or replace` keeps the grants market.apply_api_access() gave it;
-- only the skipped rows are passed over.
create or replace function market.latest_run()
returns table (
  etl_run_id bigint,
  started_at timestamptz,
  finished_at timestamptz,
  status text,
  trigger text,
  bars_upserted integer,
  credits_used integer,
  error text
)
language sql
stable
security definer
set search_path = ''
as $$
  select r.etl_run_id, r.started_at, r.finished_at, r.status, r.trigger, r.bars_upserted, r.credits_used, r.error
    from market.etl_run as r
   where r.status <> 'skipped'
   order by r.etl_run_id desc
   limit 1
$$;
comment on function market.latest_run() is 'The newest ETL run that was not skipped: when it started and finished, how it ended, what it wrote and spent, and its error if any.';

-- The access rules (RLS, API-role grants) for what this migration added.
select market.apply_api_access();
