import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../server/embedded-postgres.ts';

/**
 * Debian's PostgreSQL 15 with pg_cron, the stand-in for a Supabase database: Supabase runs 15 and
 * preloads pg_cron, which the embedded PostgreSQL the other tests use has neither of. CI installs
 * postgresql-15 and postgresql-15-cron; on a laptop without them these tests say so and skip.
 */

const run = promisify(execFile);

export const PG15_BIN = process.env.PG15_BIN ?? '/usr/lib/postgresql/15/bin';
const PG_CRON_CONTROL = process.env.PG15_CRON_CONTROL ?? '/usr/share/postgresql/15/extension/pg_cron.control';

export function pg15Missing(): string | null {
  const missing = [path.join(PG15_BIN, 'initdb'), PG_CRON_CONTROL].filter((file) => !existsSync(file));
  if (missing.length === 0) return null;
  const reason = `PostgreSQL 15 with pg_cron is needed (apt-get install postgresql-15 postgresql-15-cron); missing ${missing.join(', ')}`;
  if (process.env.CI) throw new Error(`${reason}: required in CI`);
  return reason;
}

export interface Pg15Cluster {
  /** Superuser URL for a database, with the sslmode the Supabase CLI needs for a local server. */
  url(database: string): string;
  stop(): Promise<void>;
}

const PASSWORD = 'postgres';
const asRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root, so root runs it as the `postgres` OS user. */
async function asPostgres(command: string, args: string[]): Promise<void> {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  await run(file, argv, { timeout: 60_000 });
}

/** A fresh cluster on a free loopback port whose pg_cron scheduler serves `cronDatabase`. */
export async function startPg15(options: { cronDatabase: string }): Promise<Pg15Cluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'market-pulse-pg15-'));
  await chmod(dir, 0o755);
  if (asRoot) await run('chown', ['postgres:postgres', dir]);
  const dataDir = path.join(dir, 'data');
  const passwordFile = path.join(dir, 'password');
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
  await asPostgres(path.join(PG15_BIN, 'initdb'), [
    '-D', dataDir, '-U', 'postgres', `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C',
  ]);
  // 54322 and 54320 are what the CLI takes for `supabase start`'s own database.
  let port = await freePort();
  while (port === 54322 || port === 54320) port = await freePort();
  const settings = [
    `port=${port}`, 'listen_addresses=127.0.0.1', `unix_socket_directories=${dir}`,
    'shared_preload_libraries=pg_cron', `cron.database_name=${options.cronDatabase}`,
    // Jobs run in background workers, so the scheduler needs no password to reach the database.
    'cron.use_background_workers=on', 'max_worker_processes=16', 'fsync=off',
  ];
  await asPostgres(path.join(PG15_BIN, 'pg_ctl'), [
    '-D', dataDir, '-l', path.join(dir, 'server.log'), '-w', '-o', settings.map((s) => `-c ${s}`).join(' '), 'start',
  ]);
  return {
    url: (database) => `postgresql://postgres:${PASSWORD}@127.0.0.1:${port}/${database}?sslmode=disable`,
    async stop() {
      await asPostgres(path.join(PG15_BIN, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Supabase's roles, schemas and publication on a plain PostgreSQL, after supabase/postgres's init
 * scripts, without the legacy default grants: like a project created
 * since 2026-05-30, nothing reaches the API roles unless a migration grants it.
 */
export const SUPABASE_EMULATION_SQL = `
do $$ begin
  if not exists (select from pg_roles where rolname = 'anon') then create role anon nologin noinherit; end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then create role authenticated nologin noinherit; end if;
  if not exists (select from pg_roles where rolname = 'service_role') then create role service_role nologin noinherit bypassrls; end if;
  if not exists (select from pg_roles where rolname = 'authenticator') then create role authenticator login noinherit password 'postgres'; end if;
  if not exists (select from pg_roles where rolname = 'supabase_admin') then create role supabase_admin login superuser createdb createrole replication bypassrls; end if;
end $$;
alter role anon inherit;
alter role authenticated inherit;
alter role service_role inherit;
grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
create schema if not exists extensions;
grant usage on schema public, extensions to postgres, anon, authenticated, service_role;
create schema if not exists auth authorization supabase_admin;
grant usage on schema auth to anon, authenticated, service_role;
create or replace function auth.uid() returns uuid language sql stable as $f$
  select coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid $f$;
create or replace function auth.role() returns text language sql stable as $f$
  select coalesce(nullif(current_setting('request.jwt.claim.role', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'))::text $f$;
do $$ begin
  if not exists (select from pg_publication where pubname = 'supabase_realtime') then create publication supabase_realtime; end if;
end $$;
`;

/**
 * Test-only stand-in for pg_net, which Debian does not package: http_post with pg_net's signature
 * queues the request in net.http_request_queue and returns its id, as pg_net does; the test plays
 * pg_net's worker, sending each queued request and storing the answer in net._http_response.
 */
export const NET_STANDIN_SQL = `
create schema if not exists net;
create table if not exists net.http_request_queue (
  id bigserial primary key,
  method text not null,
  url text not null,
  headers jsonb not null,
  body bytea,
  timeout_milliseconds integer not null
);
create table if not exists net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out boolean,
  error_msg text,
  created timestamptz not null default now()
);
create or replace function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds integer default 5000
) returns bigint language sql volatile as $f$
  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values ('POST', url, headers, convert_to(body::text, 'UTF8'), timeout_milliseconds)
  returning id
$f$;
`;

/**
 * Test-only stand-in for Supabase Vault (not packaged for Debian either): the names the CLI's
 * [db.vault] upsert and our cron job use, without the encryption.
 */
export const VAULT_STANDIN_SQL = `
create schema if not exists vault;
create table if not exists vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text unique,
  description text not null default '',
  secret text not null,
  key_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create or replace view vault.decrypted_secrets as
  select id, name, description, secret, secret as decrypted_secret, key_id, created_at, updated_at from vault.secrets;
create or replace function vault.create_secret(new_secret text, new_name text default null, new_description text default '', new_key_id uuid default null)
returns uuid language sql as $f$
  insert into vault.secrets (secret, name, description, key_id) values (new_secret, new_name, new_description, new_key_id) returning id
$f$;
create or replace function vault.update_secret(secret_id uuid, new_secret text default null, new_name text default null, new_description text default null, new_key_id uuid default null)
returns void language sql as $f$
  update vault.secrets
     set secret = coalesce(new_secret, secret), name = coalesce(new_name, name),
         description = coalesce(new_description, description), key_id = coalesce(new_key_id, key_id), updated_at = now()
   where id = secret_id
$f$;
`;
