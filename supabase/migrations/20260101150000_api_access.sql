-- Who may do what in schema market, as one function, market.apply_api_access(): this migration calls
-- it for every object the migrations before it made, and a later migration that adds objects to
-- market ends with `select market.apply_api_access();` so the same rules cover them.
-- Writes: only the ETL's role, the owner of these tables (postgres on Supabase, the DATABASE_URL user
-- elsewhere); owners bypass RLS and need no grants. Reads through Supabase's Data API (anon,
-- authenticated, service_role): the SSOT, its instrument table, the analyst views and the read
-- functions, all granted explicitly, since new Supabase projects no longer grant tables to these
-- roles by themselves. Applies on a database without those roles too.

-- The dashboard's freshness line without opening market.etl_run (whose details hold per-symbol
-- diagnostics) to the API roles: the newest run's outcome, through the owner's rights.
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
   -- A run that found another holding the ETL lock changed nothing: it never hides the run that held it.
   where r.status <> 'skipped'
   order by r.etl_run_id desc
   limit 1
$$;
comment on function market.latest_run() is 'The newest ETL run that was not skipped: when it started and finished, how it ended, what it wrote and spent, and its error if any.';

create or replace function market.apply_api_access() returns void
language plpgsql
set search_path = ''
as $apply$
declare
  api_roles constant text[] := array['anon', 'authenticated', 'service_role'];
  -- Operators' views over cron and pg_net: for the owner, never the API.
  private_views constant text[] := array['etl_schedule_history'];
  object record;
begin
  -- RLS everywhere: a table the API roles were never granted stays shut even if someone grants it later.
  for object in
    select c.oid::regclass as name
      from pg_catalog.pg_class as c
     where c.relnamespace = 'market'::regnamespace and c.relkind in ('r', 'p')
  loop
    execute format('alter table %s enable row level security', object.name);
  end loop;

  -- Functions are executable by PUBLIC unless revoked. Trigger functions and those that may write
  -- (volatile: market.request_etl) are the owner's alone, everywhere.
  for object in
    select p.oid::regprocedure as name
      from pg_catalog.pg_proc as p
     where p.pronamespace = 'market'::regnamespace and p.prokind = 'f'
       and (p.provolatile = 'v' or p.prorettype = 'trigger'::regtype)
  loop
    execute format('revoke all on function %s from public', object.name);
  end loop;

  if (select count(*) from pg_catalog.pg_roles where rolname = any (api_roles)) < cardinality(api_roles) then
    return;
  end if;

  grant usage on schema market to anon, authenticated, service_role;
  -- Start from nothing, so grants from a project's defaults cannot linger.
  revoke all on all tables in schema market from anon, authenticated, service_role;
  revoke all on all sequences in schema market from anon, authenticated, service_role;
  revoke all on all functions in schema market from public, anon, authenticated, service_role;

  -- Tables: the SSOT and the instruments it refers to, read-only, every row.
  grant select on market.ssot, market.asset to anon, authenticated, service_role;
  drop policy if exists ssot_read on market.ssot;
  create policy ssot_read on market.ssot for select to anon, authenticated using (true);
  drop policy if exists asset_read on market.asset;
  create policy asset_read on market.asset for select to anon, authenticated using (true);

  -- Analyst views: they run with the reader's rights (security_invoker), so RLS and grants hold through them.
  for object in
    select c.oid::regclass as name
      from pg_catalog.pg_class as c
     where c.relnamespace = 'market'::regnamespace and c.relkind = 'v'
       and not c.relname = any (private_views)
  loop
    execute format('alter view %s set (security_invoker = on)', object.name);
    execute format('grant select on %s to anon, authenticated, service_role', object.name);
  end loop;

  -- Read functions: what PostgREST's rpc() may call, granted by name to the API roles alone. Postgres
  -- itself keeps stable and immutable functions from writing, so that is the test.
  for object in
    select p.oid::regprocedure as name
      from pg_catalog.pg_proc as p
     where p.pronamespace = 'market'::regnamespace and p.prokind = 'f'
       and p.provolatile in ('s', 'i') and p.prorettype <> 'trigger'::regtype
  loop
    execute format('grant execute on function %s to anon, authenticated, service_role', object.name);
  end loop;
end
$apply$;
comment on function market.apply_api_access() is
  'Applies Market Pulse''s access rules (RLS, API-role grants) to every object in schema market; migrations call it after adding objects.';

select market.apply_api_access();
