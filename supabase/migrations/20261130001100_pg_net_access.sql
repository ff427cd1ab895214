-- pg_net's own install script grants ALL on its tables to PUBLIC, and net.http_request_queue holds
-- every queued request's headers: market.request_etl() puts the ETL secret there (apikey header)
-- until pg_net's worker sends it, and net._http_response keeps the answers for hours. Any role
-- that can log in, `anon` and `authenticated` included, could read the secret from the queue.
--
-- So where our migrations created pg_net (migration 20260101014000_etl_schedule, where it is
-- preloaded for this database), the tables are taken back from PUBLIC and the API roles. The
-- owner (the role that runs the migrations, and so owns the cron job that calls
-- market.request_etl()) keeps them. Where pg_net was installed
-- by someone else (Supabase's platform owns it as supabase_admin and manages its grants), nothing
-- is changed: only the owner of a table can change its grants.
--
-- net.http_post() itself stays executable as pg_net ships it; without the tables' privileges, a
-- role other than the owner can no longer queue or read requests through it.

do $$
declare
  api_roles text[];
  target regclass;
begin
  select coalesce(array_agg(rolname::text), '{}') into api_roles
    from pg_catalog.pg_roles where rolname in ('anon', 'authenticated');

  foreach target in array array[to_regclass('net.http_request_queue'), to_regclass('net._http_response')] loop
    continue when target is null;
    continue when not pg_catalog.pg_has_role((select c.relowner from pg_catalog.pg_class as c where c.oid = target), 'USAGE');
    execute format('revoke all on table %s from public', target);
    if cardinality(api_roles) > 0 then
      execute format('revoke all on table %s from %s', target, (select string_agg(quote_ident(r), ', ') from unnest(api_roles) as r));
    end if;
  end loop;
end
$$;

-- The access rules (RLS, API-role grants) for what this migration added.
select market.apply_api_access();
