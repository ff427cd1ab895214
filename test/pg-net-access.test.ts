import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../functions/_shared/db.ts';
import { freePort } from '../server/embedded-postgres.ts';
import { migrate } from '../server/migrate.ts';
import { asPostgres, PG15_BIN, SUPABASE_EMULATION_SQL } from './helpers/pg15.ts';

/**
 * Real pg_net (Debian's PostgreSQL 15 with pg_net preloaded, as a self-hosted database that our
 * migrations install pg_net into): its install script grants its tables to PUBLIC, so `anon` could
 * read the ETL secret from the queued request's headers; after our migrations it cannot.
 */

const run = promisify(execFile);
const PG_NET_LIBRARY = path.join(path.dirname(PG15_BIN), 'lib', 'pg_net.so');
const missing = [path.join(PG15_BIN, 'initdb'), PG_NET_LIBRARY].filter((file) => !existsSync(file));
// On a laptop without them the test skips and says why; in CI nothing may skip.
if (missing.length > 0 && process.env.CI) {
  throw new Error(
    `PostgreSQL 15 with pg_net is required in CI (vendor/supabase-extensions/build-supabase-extensions.sh); missing ${missing.join(', ')}`,
  );
}
const SECRET = 'etl-secret-anon-must-not-read-0123456789';
const asRoot = process.getuid?.() === 0;

let dir: string;
let dataDir: string;
let port: number;
const clients: Sql[] = [];

function database(name: string): Sql {
  const sql = connect(`postgresql://postgres:postgres@127.0.0.1:${port}/${name}?sslmode=disable`, { max: 2 });
  clients.push(sql);
  return sql;
}

async function asRole<T>(sql: Sql, role: string, query: string): Promise<T[]> {
  return (await sql.begin(async (tx) => {
    await tx.unsafe(`set local role ${role}`);
    return await tx.unsafe(query);
  })) as unknown as T[];
}

describe.skipIf(missing.length > 0)(
  `pg_net's tables and the API roles (needs ${missing.join(', ') || 'PostgreSQL 15 with pg_net'})`,
  () => {
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'market-pulse-pgnet-'));
      await chmod(dir, 0o755);
      if (asRoot) await run('chown', ['postgres:postgres', dir]);
      dataDir = path.join(dir, 'data');
      const passwordFile = path.join(dir, 'password');
      await writeFile(passwordFile, 'postgres\n', { mode: 0o644 });
      await asPostgres(path.join(PG15_BIN, 'initdb'), [
        '-D',
        dataDir,
        '-U',
        'postgres',
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '-E',
        'UTF8',
        '--locale=C',
      ]);
      port = await freePort();
      const settings = [
        `port=${port}`,
        'listen_addresses=127.0.0.1',
        `unix_socket_directories=${dir}`,
        'shared_preload_libraries=pg_net',
        // The database its worker serves: our migrations create pg_net only there.
        'pg_net.database_name=ours',
        'fsync=off',
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
      const admin = database('postgres');
      await admin.unsafe(SUPABASE_EMULATION_SQL);
      await admin.unsafe('create database plain');
      await admin.unsafe('create database ours');
    }, 120_000);
    afterAll(async () => {
      await Promise.all(clients.map((sql) => sql.end({ timeout: 5 })));
      if (dataDir) await asPostgres(path.join(PG15_BIN, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop']).catch(() => {});
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('pg_net as it installs itself: anon reads the queued apikey header', async () => {
      const sql = database('plain');
      await sql.unsafe('create schema extensions; create extension pg_net with schema extensions');
      await sql`select net.http_post(url := 'http://127.0.0.1:9/', headers := ${sql.json({ apikey: SECRET })})`;
      const [row] = await asRole<{ headers: { apikey: string } }>(sql, 'anon', 'select headers from net.http_request_queue');
      expect(row?.headers.apikey).toBe(SECRET);
    });

    it('after our migrations, anon and authenticated can neither read nor queue, and the owner still queues', async () => {
      const sql = database('ours');
      await migrate(sql);
      const [extension] = await sql<
        { installed: boolean }[]
      >`select exists (select from pg_extension where extname = 'pg_net') as installed`;
      expect(extension?.installed).toBe(true);
      // What market.request_etl() does, as the owner of the cron job.
      await sql`select net.http_post(url := 'http://127.0.0.1:9/functions/v1/market-etl', headers := ${sql.json({ apikey: SECRET })})`;
      for (const role of ['anon', 'authenticated']) {
        for (const table of ['net.http_request_queue', 'net._http_response']) {
          await expect(asRole(sql, role, `select * from ${table}`), `${role} ${table}`).rejects.toMatchObject({ code: '42501' });
        }
        await expect(asRole(sql, role, `select net.http_post(url := 'http://127.0.0.1:9/')`)).rejects.toMatchObject({ code: '42501' });
      }
    });
  },
);
