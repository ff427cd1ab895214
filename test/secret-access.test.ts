import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMigrations } from '../server/migrate.ts';
import { createDatabase, one, type TestDatabase } from './helpers/database.ts';

/**
 * `anon` (what the Supabase publishable key logs in as) cannot read the ETL secret anywhere.
 * The secret reaches the database in one place only: the headers of the request pg_net queues
 * (market.request_etl() sends it as `apikey`), kept in net.http_request_queue until pg_net's
 * worker sends it. pg_net's install script grants ALL on its tables to PUBLIC; the migration 20261130001100_pg_net_access takes them
 * back where our migrations create pg_net. The embedded PostgreSQL has no pg_net, so its two
 * tables are recreated here with pg_net's own columns and its install script's exact grants.
 */

const SECRET = 'etl-secret-that-anon-must-never-see-0123';
const API_ROLES = ['anon', 'authenticated', 'service_role'];

let db: TestDatabase;

async function applyFile(name: string): Promise<void> {
  const file = (await readMigrations()).find((m) => m.name === name);
  if (!file) throw new Error(`no migration ${name}`);
  await db.sql.unsafe(file.sql);
}

/** Runs `query` as `role`, the way PostgREST does (set local role inside a transaction). */
async function asRole<T>(role: string, query: string): Promise<T[]> {
  return (await db.sql.begin(async (tx) => {
    await tx.unsafe(`set local role ${role}`);
    return await tx.unsafe(query);
  })) as unknown as T[];
}

beforeAll(async () => {
  db = await createDatabase();
  // Roles are cluster-wide and other test files may create them at the same moment.
  for (const role of API_ROLES) {
    await db.sql.unsafe(`do $$ begin create role ${role} nologin; exception when duplicate_object or unique_violation then null; end $$`);
  }
  await db.sql.unsafe(`
    create schema net;
    create table net.http_request_queue (
      id bigserial, method text not null, url text not null, headers jsonb, body bytea, timeout_milliseconds integer not null);
    create table net._http_response (
      id bigint, status_code integer, content_type text, headers jsonb, content text, timed_out bool, error_msg text,
      created timestamptz not null default now());
    -- pg_net's install script, verbatim:
    grant usage on schema net to PUBLIC;
    grant all on all sequences in schema net to PUBLIC;
    grant all on all tables in schema net to PUBLIC;`);
  // What market.request_etl() queues for the hourly run.
  await db.sql`
    insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
    values ('POST', 'https://ref.supabase.co/functions/v1/market-etl',
            ${db.sql.json({ 'Content-Type': 'application/json', apikey: SECRET, 'x-market-trigger': 'cron' })}, null, 5000)`;
  await db.sql`insert into net._http_response (id, status_code, content) values (1, 202, '{"status":"accepted"}')`;
  // The access rules as a Supabase project gets them: API grants now that the roles exist.
  await db.sql`select market.apply_api_access()`;
});
afterAll(async () => {
  await db?.drop();
});

describe('the ETL secret is out of reach of the API roles', () => {
  it('pg_net as installed lets anon read the queued secret: the hole the pg_net_access migration closes', async () => {
    const [row] = await asRole<{ headers: { apikey: string } }>('anon', 'select headers from net.http_request_queue');
    expect(row!.headers.apikey).toBe(SECRET);
  });

  it("after the pg_net_access migration, no API role can read or write pg_net's tables, and the owner still can", async () => {
    await applyFile('pg_net_access');
    for (const role of ['anon', 'authenticated']) {
      await expect(asRole(role, 'select headers from net.http_request_queue')).rejects.toMatchObject({ code: '42501' });
      await expect(asRole(role, 'select content from net._http_response')).rejects.toMatchObject({ code: '42501' });
      await expect(
        asRole(role, `insert into net.http_request_queue (method, url, timeout_milliseconds) values ('GET', 'http://x', 1)`),
      ).rejects.toMatchObject({ code: '42501' });
    }
    const { n } = one(await db.sql<{ n: number }[]>`select count(*)::int as n from net.http_request_queue`);
    expect(n).toBe(1);
  });

  it('anon finds the secret in no table, view or column it can read, and cannot read the run log or the request log', async () => {
    await applyFile('pg_net_access');
    const readable = await asRole<{ name: string }>(
      'anon',
      `
      select format('%I.%I', n.nspname, c.relname) as name
        from pg_catalog.pg_class as c join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
       where c.relkind in ('r', 'v', 'm', 'p', 'f') and n.nspname not in ('pg_catalog', 'information_schema')
         and n.nspname not like 'pg_toast%'
         and has_table_privilege(c.oid, 'select')`,
    );
    const names = readable.map((r) => r.name);
    expect(names).toContain('market.ssot');
    for (const hidden of ['market.etl_run', 'market.etl_request', 'net.http_request_queue', 'net._http_response']) {
      expect(names).not.toContain(hidden);
    }
    for (const name of names) {
      const [hit] = await asRole<{ found: boolean }>(
        'anon',
        `select exists (select from ${name} as t where t::text like '%${SECRET}%') as found`,
      );
      expect(hit!.found, name).toBe(false);
    }
  });
});
