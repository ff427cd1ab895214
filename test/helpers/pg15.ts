import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { connect } from '../../functions/_shared/db.ts';
import { freePort } from '../../server/embedded-postgres.ts';

/**
 * Debian's PostgreSQL 15 set up the way a hosted Supabase project is, as far as the product can
 * tell: pg_cron, Supabase's own pg_net and supabase_vault (built from vendor/supabase-extensions by
 * .ci/run) preloaded; the cluster bootstrapped by the superuser `supabase_admin`, which owns the
 * extensions; and `postgres`, the role migrations and the Edge Function use, demoted to what hosted
 * projects give it (NOSUPERUSER CREATEDB CREATEROLE LOGIN REPLICATION BYPASSRLS, member of the API
 * roles, the grants Supabase makes on cron, net and vault). What fails for postgres there fails here.
 */

const run = promisify(execFile);

export const PG15_BIN = process.env.PG15_BIN ?? '/usr/lib/postgresql/15/bin';
const EXTENSION_DIR = process.env.PG15_EXTENSION_DIR ?? '/usr/share/postgresql/15/extension';
const NEEDED = ['pg_cron.control', 'pg_net.control', 'supabase_vault.control'];

export function pg15Missing(): string | null {
  const missing = [path.join(PG15_BIN, 'initdb'), ...NEEDED.map((file) => path.join(EXTENSION_DIR, file))].filter(
    (file) => !existsSync(file),
  );
  if (missing.length === 0) return null;
  const reason =
    'PostgreSQL 15 with pg_cron, pg_net and supabase_vault is needed (apt-get install postgresql-15 postgresql-15-cron, ' +
    `then vendor/supabase-extensions/build-supabase-extensions.sh as root); missing ${missing.join(', ')}`;
  if (process.env.CI) throw new Error(`${reason}: required in CI`);
  return reason;
}

export interface Pg15Cluster {
  /** URL of the hosted-like `postgres` role (not a superuser), with the sslmode the Supabase CLI needs for a local server. */
  url(database: string): string;
  /** URL of `supabase_admin`, the superuser that plays Supabase's platform: test set-up only. */
  adminUrl(database: string): string;
  stop(): Promise<void>;
}

const PASSWORD = 'postgres';
const asRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root, so root runs it as the `postgres` OS user. */
export async function asPostgres(command: string, args: string[]): Promise<void> {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  await run(file, argv, { timeout: 60_000 });
}

/** A fresh cluster on a free loopback port whose pg_cron scheduler and pg_net worker serve `cronDatabase`. */
export async function startPg15(options: { cronDatabase: string }): Promise<Pg15Cluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'market-pulse-pg15-'));
  await chmod(dir, 0o755);
  const dataDir = path.join(dir, 'data');
  const passwordFile = path.join(dir, 'password');
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
  // Vault asks this script for its root key (64 hex characters) when the server starts.
  const getkey = path.join(dir, 'vault-getkey');
  await writeFile(getkey, `#!/bin/sh\necho ${randomBytes(32).toString('hex')}\n`, { mode: 0o755 });
  // A self-signed certificate, so connections can be checked against each sslmode (Supabase requires TLS).
  const certFile = path.join(dir, 'server.crt');
  const keyFile = path.join(dir, 'server.key');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-days',
    '2',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  await chmod(keyFile, 0o600);
  if (asRoot) await run('chown', ['-R', 'postgres:postgres', dir]);
  await asPostgres(path.join(PG15_BIN, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'supabase_admin',
    `--pwfile=${passwordFile}`,
    '--auth=scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  // 54322 and 54320 are what the CLI takes for `supabase start`'s own database.
  let port = await freePort();
  while (port === 54322 || port === 54320) port = await freePort();
  const settings = [
    `port=${port}`,
    'listen_addresses=127.0.0.1',
    `unix_socket_directories=${dir}`,
    "shared_preload_libraries='pg_cron,pg_net,supabase_vault'",
    `cron.database_name=${options.cronDatabase}`,
    `pg_net.database_name=${options.cronDatabase}`,
    `vault.getkey_script=${getkey}`,
    // Jobs run in background workers, so the scheduler needs no password to reach the database.
    'cron.use_background_workers=on',
    'max_worker_processes=16',
    'fsync=off',
    'ssl=on',
    `ssl_cert_file=${certFile}`,
    `ssl_key_file=${keyFile}`,
  ];
  await asPostgres(path.join(PG15_BIN, 'pg_ctl'), [
    '-D',
    dataDir,
    '-l',
    path.join(dir, 'server.log'),
    '-w',
    '-o',
    settings.map((s) => `-c ${s}`).join(' '),
    'start',
  ]);
  const urlFor = (user: string, database: string) => `postgresql://${user}:${PASSWORD}@127.0.0.1:${port}/${database}?sslmode=disable`;
  const cluster: Pg15Cluster = {
    url: (database) => urlFor('postgres', database),
    adminUrl: (database) => urlFor('supabase_admin', database),
    async stop() {
      await asPostgres(path.join(PG15_BIN, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
  await asSupabaseAdmin(cluster, options.cronDatabase, HOSTED_ROLES_SQL + SUPABASE_EMULATION_SQL + PLATFORM_EXTENSIONS_SQL);
  return cluster;
}

/** Runs set-up SQL as supabase_admin, the way the platform prepares a project before its owner gets it. */
export async function asSupabaseAdmin(cluster: Pg15Cluster, database: string, text: string): Promise<void> {
  const admin = connect(cluster.adminUrl(database), { max: 1, applicationName: 'supabase-platform' });
  try {
    await admin.unsafe(text);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** The postgres role as hosted projects have it (supabase/postgres: demote-postgres and later grants). */
const HOSTED_ROLES_SQL = `
do $$ begin
  if not exists (select from pg_roles where rolname = 'postgres') then create role postgres; end if;
end $$;
alter role postgres nosuperuser createdb createrole login replication bypassrls password '${PASSWORD}';
grant all on database postgres to postgres;
grant all on schema public to postgres;
`;

/**
 * The extensions every project has, created and owned by supabase_admin, with the grants Supabase
 * makes to postgres: cron's tables (cron.job read-only, no triggers), net's functions, Vault's
 * secrets and functions.
 */
const PLATFORM_EXTENSIONS_SQL = `
create extension if not exists pg_cron with schema pg_catalog;
grant usage on schema cron to postgres with grant option;
grant all privileges on all tables in schema cron to postgres with grant option;
revoke all on table cron.job from postgres;
grant select on table cron.job to postgres with grant option;
revoke trigger on cron.job_run_details from postgres;
grant all on schema extensions to postgres;
create extension if not exists pg_net with schema extensions;
grant usage on schema net to postgres, anon, authenticated, service_role;
create extension if not exists supabase_vault cascade;
grant usage on schema vault to postgres with grant option;
grant select, delete on vault.secrets, vault.decrypted_secrets to postgres with grant option;
grant execute on function vault.create_secret, vault.update_secret, vault._crypto_aead_det_decrypt to postgres with grant option;
`;

/**
 * Supabase's API roles, schemas and publication (from supabase/postgres's init scripts), without the
 * legacy default grants: like a project created since 2026-05-30, nothing reaches the API roles
 * unless a migration grants it. Run as supabase_admin.
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
