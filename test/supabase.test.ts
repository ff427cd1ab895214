import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../functions/_shared/config.ts';
import { connect, type Sql } from '../functions/_shared/db.ts';
import { claimRequest, startHourlyTrigger } from '../server/cron-trigger.ts';
import { etlRunner } from '../server/etl-runtime.ts';
import { MIGRATIONS_DIR, migrate, readMigrations } from '../server/migrate.ts';
import type { Schedule } from '../server/scheduler.ts';
import { startSimulator } from '../simulator/index.ts';
import { one } from './helpers/database.ts';
import { denoCheck, denoMissing, type ServedFunction, serveFunction } from './helpers/deno.ts';
import { type Gateway, startGateway } from './helpers/gateway.ts';
import { asSupabaseAdmin, type Pg15Cluster, pg15Missing, SUPABASE_EMULATION_SQL, startPg15 } from './helpers/pg15.ts';
import { type CliResult, supabase } from './helpers/supabase-cli.ts';

/**
 * The Supabase deployment path without Docker: Debian's PostgreSQL 15 with pg_cron and Supabase's
 * own pg_net and Vault, set up as a hosted project is (helpers/pg15.ts: everything here runs as the
 * non-superuser `postgres`), the real Supabase CLI (`db push`, `db advisors`) against its URL, and
 * the Edge Function under real Deno behind a stand-in for Supabase's gateway (helpers/gateway.ts),
 * which pg_net's worker calls at the project URL kept in Vault.
 */

const skip = pg15Missing() ?? denoMissing();

const ETL_SECRET = randomBytes(24).toString('hex');
const FUNCTION_SYMBOLS = ['AAPL', 'BTC/USD'];
// Generous limits, so no run waits a minute for credits.
const CREDITS = { creditsPerMinute: 10_000, creditsPerDay: 1_000_000 };

/** Runs `query` as an API role inside a transaction that is rolled back, as PostgREST would. */
async function asRole<T>(sql: Sql, role: string, query: (tx: Sql) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await sql
    .begin(async (tx) => {
      await tx.unsafe(`set local role ${role}`);
      result = await query(tx as unknown as Sql);
      throw new RolledBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    });
  return result as T;
}
class RolledBack extends Error {}

async function errorCode(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  return 'no error';
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe.skipIf(skip !== null)(`Supabase path: PostgreSQL 15 + pg_cron, the Supabase CLI, Deno${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let cluster: Pg15Cluster;
  let dbUrl: string;
  let sql: Sql;
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let fn: ServedFunction;
  let firstPush: CliResult;

  let gateway: Gateway;
  let PROJECT_URL: string;

  /** pg_net's answer to one of its requests, once its worker has it (it sends after the caller commits). */
  async function httpResponse(
    id: number,
  ): Promise<{ status_code: number | null; content: string | null; timed_out: boolean | null; error_msg: string | null }> {
    return await waitFor(
      `pg_net's response to request ${id}`,
      async () => {
        const [row] = await sql<
          { status_code: number | null; content: string | null; timed_out: boolean | null; error_msg: string | null }[]
        >`
        select status_code, content, timed_out, error_msg from net._http_response where id = ${id}`;
        return row;
      },
      60_000,
    );
  }

  beforeAll(async () => {
    cluster = await startPg15({ cronDatabase: 'postgres' });
    dbUrl = cluster.url('postgres');
    sql = connect(dbUrl, { max: 4 });
    // The Data API exposes schema market (config.toml [api] schemas); the advisors read this setting.
    await asSupabaseAdmin(cluster, 'postgres', `alter database postgres set pgrst.db_schemas = 'public,graphql_public,market'`);
    sim = await startSimulator(CREDITS);
    gateway = await startGateway();
    PROJECT_URL = gateway.url;
    const functionEnv = {
      SUPABASE_DB_URL: dbUrl,
      ETL_SECRET,
      TWELVE_DATA_BASE_URL: sim.url,
      TWELVE_DATA_API_KEY: 'test-key',
      MARKET_SYMBOLS: FUNCTION_SYMBOLS.join(','),
      TWELVE_DATA_CREDITS_PER_MINUTE: String(CREDITS.creditsPerMinute),
    };
    [firstPush, fn] = await Promise.all([
      supabase(['db', 'push', '--db-url', dbUrl], { SUPABASE_PROJECT_URL: PROJECT_URL, ETL_SECRET }),
      serveFunction(functionEnv),
    ]);
    if (firstPush.code !== 0) throw new Error(`supabase db push failed:\n${firstPush.stdout}\n${firstPush.stderr}`);
    gateway.target = fn.url;
  });

  afterAll(async () => {
    await fn?.stop();
    await gateway?.close();
    await sim?.close();
    await sql?.end({ timeout: 5 });
    await cluster?.stop();
  });

  it('supabase db push applies every migration, and a second push finds nothing to do', async () => {
    const expected = (await readMigrations()).map((m) => m.version);
    const applied = await sql<{ version: string }[]>`select version from supabase_migrations.schema_migrations order by version`;
    expect(applied.map((row) => row.version)).toEqual(expected);
    const again = await supabase(['db', 'push', '--db-url', dbUrl]);
    expect(again.code).toBe(0);
    expect(again.stdout + again.stderr).toMatch(/Remote database is up to date/);
  });

  it('db push stored the project URL and the ETL secret in Vault, from config.toml [db.vault]', async () => {
    const secrets = await sql<{ name: string; decrypted_secret: string }[]>`
      select name, decrypted_secret from vault.decrypted_secrets where name in ('project_url', 'market_etl_secret') order by name`;
    expect(secrets).toEqual([
      { name: 'market_etl_secret', decrypted_secret: ETL_SECRET },
      { name: 'project_url', decrypted_secret: PROJECT_URL },
    ]);
  });

  it('creates the hourly ETL job and the history-pruning job, and re-running the migration keeps one of each', async () => {
    const jobs = () => sql<{ jobname: string; schedule: string; command: string; active: boolean }[]>`
      select jobname, schedule, command, active from cron.job where jobname like 'market-%' and jobname <> 'market-etl-probe' order by jobname`;
    const before = await jobs();
    expect(before).toEqual([
      {
        jobname: 'market-cron-history-prune',
        schedule: '17 3 * * *',
        command: expect.stringContaining(
          "delete from cron.job_run_details where jobid in (select jobid from cron.job where jobname in ('market-etl-hourly', 'market-cron-history-prune')) and end_time < now() - interval '7 days'",
        ),
        active: true,
      },
      { jobname: 'market-etl-hourly', schedule: '0 * * * *', command: 'select market.request_etl()', active: true },
    ]);
    await sql.unsafe(await readFile(path.join(MIGRATIONS_DIR, '20260101014000_etl_schedule.sql'), 'utf8'));
    expect(await jobs()).toEqual(before);
  });

  it('the function under Deno refuses a call without the secret, or with a wrong one, and runs nothing', async () => {
    const runsBefore = (await sql<{ n: number }[]>`select count(*)::int as n from market.etl_run`)[0]!.n;
    const post = (headers: Record<string, string>) => fetch(`${fn.url}/market-etl`, { method: 'POST', headers });
    const attempts: Record<string, string>[] = [
      {},
      { apikey: 'not-the-secret-0123456789' },
      { authorization: 'Bearer not-the-secret-0123' },
    ];
    for (const headers of attempts) {
      const response = await post(headers);
      expect(response.status).toBe(401);
      await response.body?.cancel();
    }
    expect((await sql<{ n: number }[]>`select count(*)::int as n from market.etl_run`)[0]!.n).toBe(runsBefore);
  });

  it("running the hourly job's command queues the expected POST, which, sent to the function under Deno, loads bars", async () => {
    const [job] = await sql<{ command: string }[]>`select command from cron.job where jobname = 'market-etl-hourly'`;
    const [requested] = await sql.unsafe<{ request_etl: number }[]>(job!.command);
    const request = async () =>
      (
        await sql<{ via: string; net_request_id: number; cron_run_id: number | null; etl_run_id: number | null }[]>`
      select via, net_request_id, cron_run_id, etl_run_id from market.etl_request where etl_request_id = ${requested!.request_etl}`
      )[0]!;
    // Called by hand, not by pg_cron: no cron run to point to.
    expect(await request()).toMatchObject({ via: 'pg_net', cron_run_id: null, etl_run_id: null });

    // pg_net's worker sent it once the statement committed; the gateway saw what it sent.
    const sent = await waitFor(
      'the POST at the gateway',
      async () =>
        gateway.requests.find(
          (r) =>
            r.body.includes('etl_request_id') &&
            (JSON.parse(r.body) as { etl_request_id?: number }).etl_request_id === requested!.request_etl,
        ),
      30_000,
    );
    expect(sent).toMatchObject({
      method: 'POST',
      path: '/functions/v1/market-etl',
      headers: { 'content-type': 'application/json', apikey: ETL_SECRET, 'x-market-trigger': 'cron' },
    });
    expect(JSON.parse(sent.body)).toEqual({ etl_request_id: requested!.request_etl });

    // The function recorded which run answered the request.
    const linked = await waitFor('the run linked to its request', async () => (await request()).etl_run_id ?? null, 60_000);
    const [outcome] = await sql<{ status: string; trigger: string; bars_upserted: number; invocations: number }[]>`
      select status, trigger, bars_upserted, invocations from market.etl_run where etl_run_id = ${linked}`;
    expect(outcome).toMatchObject({ status: 'succeeded', trigger: 'cron', invocations: 1 });
    expect(outcome!.bars_upserted).toBeGreaterThan(0);
    // Under plain Deno the answer waits for the run (with EdgeRuntime it is 202 at once): this first
    // one, a cold start and a first load, may outlast pg_net's 5 s, which pg_net then records.
    const answer = await httpResponse((await request()).net_request_id);
    if (answer.timed_out) expect(answer.error_msg).toMatch(/timeout|timed out/i);
    else
      expect(JSON.parse(answer.content!)).toMatchObject({ etl_run_id: linked, status: 'succeeded', symbols_loaded: 2, symbols_failed: 0 });
    const body = { etl_run_id: linked };

    const loaded = await sql<
      { symbol: string; n: number }[]
    >`select symbol, count(*)::int as n from market.ssot group by symbol order by symbol`;
    expect(loaded.map((row) => row.symbol)).toEqual(FUNCTION_SYMBOLS);
    for (const row of loaded) expect(row.n).toBeGreaterThan(100);
    // A first load into empty tables: under Deno, on PostgreSQL 15 with Supabase's roles, the keys
    // were built after the rows (etl/first-load.ts), and came back as the migrations define them.
    const run = one(
      await sql<{ timings: Record<string, number> }[]>`
      select details -> 'timings_ms' as timings from market.etl_run where etl_run_id = ${Number(body.etl_run_id)}`,
    );
    expect(run.timings).toHaveProperty('keys');
    const keys = await sql<{ definition: string }[]>`
      select pg_get_constraintdef(oid) as definition from pg_constraint
       where conrelid in ('market.bar'::regclass, 'market.ssot'::regclass) and contype = 'p' order by conrelid::regclass::text`;
    expect(keys.map((key) => key.definition)).toEqual([
      'PRIMARY KEY (asset_id, "interval", ts)',
      'PRIMARY KEY (symbol, "interval", ts) INCLUDE (high, low)',
    ]);
  });

  it("the function's connection honours sslmode: plain for disable, TLS when offered or required, the certificate checked for verify-full", async () => {
    const withMode = (mode: string | null) => {
      const url = new URL(dbUrl);
      if (mode === null) url.searchParams.delete('sslmode');
      else url.searchParams.set('sslmode', mode);
      return url.toString();
    };
    const encrypted = async (mode: string | null): Promise<boolean | string> => {
      const db = connect(withMode(mode), { max: 1 });
      try {
        const [row] = await db<{ ssl: boolean }[]>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`;
        return row!.ssl;
      } catch (error) {
        return (error as Error).message;
      } finally {
        await db.end({ timeout: 5 });
      }
    };
    expect(await encrypted('disable')).toBe(false);
    expect(await encrypted(null)).toBe(true);
    expect(await encrypted('require')).toBe(true);
    // The test server's certificate is self-signed: verify-full must refuse it, which shows it is checked.
    expect(await encrypted('verify-full')).toMatch(/self[- ]signed|certificate/i);
  });

  it('supabase db advisors reports no error-level finding, with schema market exposed to the Data API', async () => {
    const result = await supabase([
      'db',
      'advisors',
      '--db-url',
      dbUrl,
      '--type',
      'all',
      '--level',
      'info',
      '--fail-on',
      'error',
      '--output-format',
      'json',
    ]);
    const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as {
      results: { name: string; level: string; detail: string }[];
    };
    expect(report.results.filter((finding) => finding.level === 'ERROR')).toEqual([]);
    expect(result.code).toBe(0);
    // The lints looked at market: its owner-only tables are reported as having no policy, which is the design.
    expect(report.results.some((finding) => finding.detail.includes('`market.bar`'))).toBe(true);
  });

  it('turns row level security on for every table in market', async () => {
    const tables = await sql<{ name: string; rls: boolean }[]>`
      select relname as name, relrowsecurity as rls from pg_class
       where relnamespace = 'market'::regnamespace and relkind in ('r', 'p') order by relname`;
    expect(tables.length).toBeGreaterThanOrEqual(5);
    expect(tables.filter((table) => !table.rls)).toEqual([]);
  });

  it('lets anon and authenticated read the SSOT and call the read functions, and nothing more', async () => {
    for (const role of ['anon', 'authenticated']) {
      const rows = await asRole(sql, role, (tx) => tx<{ n: number }[]>`select count(*)::int as n from market.ssot`);
      expect(rows[0]!.n).toBeGreaterThan(0);
      const latest = await asRole(sql, role, (tx) => tx<{ symbol: string }[]>`select symbol from market.latest('1h')`);
      expect(latest.map((row) => row.symbol)).toEqual(FUNCTION_SYMBOLS);
      const series = await asRole(sql, role, (tx) => tx`select * from market.series(array['BTC/USD'], '1h', null, null, 50)`);
      expect(series.length).toBe(50);
      const [run] = await asRole(
        sql,
        role,
        (tx) => tx<{ status: string; trigger: string }[]>`select status, trigger from market.latest_run()`,
      );
      expect(run).toMatchObject({ status: 'succeeded', trigger: 'cron' });

      for (const hidden of ['market.bar', 'market.etl_run', 'market.etl_request', 'market.etl_schedule_history']) {
        expect(await errorCode(asRole(sql, role, (tx) => tx.unsafe(`select * from ${hidden} limit 1`))), `${role} reads ${hidden}`).toBe(
          '42501',
        );
      }
      expect(await errorCode(asRole(sql, role, (tx) => tx`select market.request_etl()`))).toBe('42501');

      // Analyst views run with the reader's rights, so each must read only what the reader may.
      const views = await sql<{ name: string }[]>`
        select oid::regclass::text as name from pg_class
         where relnamespace = 'market'::regnamespace and relkind = 'v' and relname <> 'etl_schedule_history'`;
      for (const view of views) {
        expect(
          await errorCode(asRole(sql, role, (tx) => tx.unsafe(`select * from ${view.name} limit 1`))),
          `${role} reads ${view.name}`,
        ).toBe('no error');
      }
    }
  });

  it('lets no API role write: anon, authenticated and service_role are refused', async () => {
    for (const role of ['anon', 'authenticated', 'service_role']) {
      const writes = [
        (tx: Sql) =>
          tx`insert into market.ssot (symbol, asset_type, interval, ts, open, high, low, close) values ('AAPL', 'stock', '1h', now(), 1, 1, 1, 1)`,
        (tx: Sql) => tx`update market.ssot set close = 0`,
        (tx: Sql) => tx`delete from market.ssot`,
        (tx: Sql) => tx`insert into market.etl_run (trigger) values ('api')`,
        (tx: Sql) => tx`delete from market.asset`,
      ];
      for (const write of writes) expect(await errorCode(asRole(sql, role, write)), role).toBe('42501');
    }
    const [count] = await sql<{ n: number }[]>`select count(*)::int as n from market.ssot where close = 0`;
    expect(count!.n).toBe(0);
  });

  it('deno check passes for the Edge Function and the shared code it imports', async () => {
    const result = await denoCheck();
    expect(result.output).not.toMatch(/error/i);
    expect(result.ok).toBe(true);
  });

  it('npm run migrate over the pushed database finds every migration applied and applies nothing', async () => {
    const report = await migrate(sql);
    expect(report.applied).toEqual([]);
    expect(report.unchanged).toEqual((await readMigrations()).map((m) => m.fileName));
    const [jobs] = await sql<
      { n: number }[]
    >`select count(*)::int as n from cron.job where jobname in ('market-etl-hourly', 'market-cron-history-prune')`;
    expect(jobs!.n).toBe(2);
    expect(await errorCode(asRole(sql, 'anon', (tx) => tx`select 1 from supabase_migrations.schema_migrations`))).toBe('42501');
  });

  it('pg_cron runs the job itself, its pg_net request reaches the function, and the schedule history shows all three', {
    timeout: 150_000,
  }, async () => {
    // A clone of the hourly job that fires every minute, so pg_cron itself runs the command once.
    await sql`select cron.schedule('market-etl-probe', '* * * * *', (select command from cron.job where jobname = 'market-etl-hourly'))`;
    const cronRun = await waitFor(
      'pg_cron to run market-etl-probe',
      async () => {
        const [row] = await sql<{ runid: number; status: string }[]>`
        select d.runid, d.status from cron.job_run_details as d join cron.job as j using (jobid)
         where j.jobname = 'market-etl-probe' and d.status in ('succeeded', 'failed') order by d.runid limit 1`;
        return row;
      },
      75_000,
    );
    await sql`select cron.unschedule('market-etl-probe')`;
    expect(cronRun.status).toBe('succeeded');

    const after = await waitFor(
      'the HTTP outcome and the ETL run in the schedule history',
      async () => {
        const [row] = await sql<
          { http_status: number | null; etl_status: string | null; etl_run_id: number | null; via: string; cron_status: string }[]
        >`
        select http_status, etl_status, etl_run_id, via, cron_status from market.etl_schedule_history where cron_run_id = ${cronRun.runid}`;
        return row?.http_status != null && row.etl_status != null ? row : null;
      },
      60_000,
    );
    expect(after).toMatchObject({ cron_status: 'succeeded', via: 'pg_net', http_status: 200, etl_status: 'succeeded' });
  });

  it('without pg_net, the hourly job notifies and a Node server (server/cron-trigger.ts) claims the request and runs the ETL', async () => {
    // A self-hosted database: pg_cron, but no pg_net. The schedule file, applied again, adapts its view.
    // The platform's superuser hides pg_net for the length of this test (postgres may not touch it).
    await asSupabaseAdmin(cluster, 'postgres', 'alter schema net rename to net_off');
    await sql.unsafe(await readFile(path.join(MIGRATIONS_DIR, '20260101014000_etl_schedule.sql'), 'utf8'));
    const history = await sql`select http_status from market.etl_schedule_history`;
    expect(history.every((row) => row.http_status === null)).toBe(true);

    const config = parseConfig({ MARKET_SYMBOLS: 'ETH/USD', TWELVE_DATA_CREDITS_PER_MINUTE: String(CREDITS.creditsPerMinute) });
    const runEtl = etlRunner(sql, config, { baseUrl: sim.url, apiKey: 'test-key', now: Date.now });
    const runs: string[] = [];
    let schedule: Schedule | undefined;
    try {
      schedule = await startHourlyTrigger(sql, async (trigger) => {
        const summary = await runEtl(trigger);
        runs.push(summary.status);
        return summary;
      });
      const [job] = await sql<{ command: string }[]>`select command from cron.job where jobname = 'market-etl-hourly'`;
      const [requested] = await sql.unsafe<{ request_etl: number }[]>(job!.command);
      const id = requested!.request_etl;

      await waitFor('the server to run the requested ETL', async () => (runs.length > 0 ? runs : null), 30_000);
      expect(runs).toEqual(['succeeded']);
      const [request] = await waitFor(
        'the run to be linked to its request',
        async () => {
          const rows = await sql<{ via: string; claimed_at: Date | null; etl_run_id: number | null }[]>`
          select via, claimed_at, etl_run_id from market.etl_request where etl_request_id = ${id} and etl_run_id is not null`;
          return rows.length > 0 ? rows : null;
        },
        10_000,
      );
      expect(request!.via).toBe('notify');
      expect(request!.claimed_at).not.toBeNull();
      // A second server hearing the same notification finds it taken.
      expect(await claimRequest(sql, id)).toBe(false);

      const [eth] = await sql<{ n: number }[]>`select count(*)::int as n from market.ssot where symbol = 'ETH/USD'`;
      expect(eth!.n).toBeGreaterThan(100);
      const [run] = await sql<
        { trigger: string; status: string }[]
      >`select trigger, status from market.etl_run where etl_run_id = ${request!.etl_run_id}`;
      expect(run).toEqual({ trigger: 'cron', status: 'succeeded' });
    } finally {
      schedule?.stop();
      await asSupabaseAdmin(cluster, 'postgres', 'alter schema net_off rename to net');
    }
  });

  describe('Realtime: Broadcast from Database', () => {
    let realtimeSql: Sql;

    /**
     * Test-only stand-in for Supabase Realtime's schema (its server creates the real one, and cannot
     * run here), made as Realtime's own migrations make it: realtime.messages (unpartitioned here),
     * realtime.topic(), which Realtime sets while it checks a client's right to join a topic, and
     * realtime.send as Supabase defines it: it gives the message a uuid, adds it to the payload as
     * `id` unless there is one, sets realtime.topic for the insert's policies, and turns any error
     * into a WARNING so a broadcast never fails the caller's transaction. Owned by
     * supabase_realtime_admin, of which postgres is a member, as on hosted projects.
     */
    const REALTIME_STANDIN_SQL = `
      do $r$ begin
        if not exists (select from pg_roles where rolname = 'supabase_realtime_admin') then create role supabase_realtime_admin nologin; end if;
      end $r$;
      grant supabase_realtime_admin to postgres;
      create schema realtime authorization supabase_realtime_admin;
      grant usage on schema realtime to postgres, anon, authenticated, service_role;
      create table realtime.messages (
        topic text not null,
        extension text not null,
        payload jsonb,
        event text,
        private boolean default false,
        updated_at timestamp not null default now(),
        inserted_at timestamp not null default now(),
        id uuid not null default gen_random_uuid(),
        primary key (id, inserted_at)
      );
      alter table realtime.messages owner to supabase_realtime_admin;
      alter table realtime.messages enable row level security;
      grant select, insert, update, delete on realtime.messages to anon, authenticated;
      create function realtime.topic() returns text language sql stable as
        $f$ select nullif(current_setting('realtime.topic', true), '') $f$;
      create function realtime.send(payload jsonb, event text, topic text, private boolean default true) returns void
      language plpgsql as $f$
      declare
        generated_id uuid := gen_random_uuid();
        final_payload jsonb := case when payload ? 'id' then payload else jsonb_set(payload, '{id}', to_jsonb(generated_id)) end;
      begin
        begin
          execute format('set local realtime.topic to %L', topic);
          insert into realtime.messages (id, payload, event, topic, private, extension)
          values (generated_id, final_payload, event, topic, private, 'broadcast');
        exception when others then
          raise warning 'ErrorSendingBroadcastMessage: %', sqlerrm;
        end;
      end
      $f$;
      alter function realtime.topic() owner to supabase_realtime_admin;
      alter function realtime.send(jsonb, text, text, boolean) owner to supabase_realtime_admin;
    `;

    beforeAll(async () => {
      await sql.unsafe('create database realtime_test');
      realtimeSql = connect(cluster.url('realtime_test'), { max: 4 });
      await asSupabaseAdmin(cluster, 'realtime_test', SUPABASE_EMULATION_SQL + REALTIME_STANDIN_SQL);
      await migrate(realtimeSql);
    });
    afterAll(async () => {
      await realtimeSql?.end({ timeout: 5 });
    });

    it('creates the run broadcast only where the realtime schema exists; bars go out through the NOTIFY trigger', async () => {
      const triggers = (db: Sql) => db<{ tgname: string }[]>`
        select tgname from pg_trigger where tgname like '%broadcast%' and not tgisinternal order by tgname`;
      expect((await triggers(realtimeSql)).map((t) => t.tgname)).toEqual(['etl_run_broadcast']);
      expect(await triggers(sql)).toEqual([]);
    });

    it('an ETL run sends one bars message per statement and a run message when it starts and when it ends on the private topic market:bars', async () => {
      const config = parseConfig({ MARKET_SYMBOLS: 'MSFT,SOL/USD', TWELVE_DATA_CREDITS_PER_MINUTE: String(CREDITS.creditsPerMinute) });
      const summary = await etlRunner(realtimeSql, config, { baseUrl: sim.url, apiKey: 'test-key', now: Date.now })('http');
      expect(summary.status).toBe('succeeded');

      const messages = await realtimeSql<{ topic: string; event: string; private: boolean; payload: Record<string, unknown> }[]>`
        select topic, event, private, payload from realtime.messages order by inserted_at`;
      // realtime.send adds the message's id to every payload, as Supabase's does; the dashboard ignores it.
      expect(messages.every((m) => typeof m.payload.id === 'string')).toBe(true);
      for (const m of messages) delete m.payload.id;
      expect(messages.every((m) => m.topic === 'market:bars' && m.private)).toBe(true);
      const bars = messages.filter((m) => m.event === 'bars');
      // Thousands of SSOT rows, a handful of messages: one per upsert statement, never one per row.
      expect(summary.ssot_rows_written).toBeGreaterThan(1000);
      expect(bars.length).toBeGreaterThan(0);
      expect(bars.length * 100).toBeLessThan(summary.ssot_rows_written);
      const named = new Set(bars.flatMap((m) => m.payload.symbols as string[]));
      expect([...named].sort()).toEqual(['MSFT', 'SOL/USD']);
      expect(bars.every((m) => m.payload.interval === '1h' && typeof m.payload.max_ts === 'string')).toBe(true);
      // The run as market.latest_run() returns it, which is what the dashboard parses for both.
      const [latest] = await realtimeSql`select to_jsonb(r) as run from market.latest_run() as r`;
      // Its start ('running', so dashboards can say a run is in progress), then how it ended.
      const runs = messages.filter((m) => m.event === 'run').map((m) => m.payload);
      expect(runs.map((r) => r.status)).toEqual(['running', 'succeeded']);
      expect(runs[0]).toMatchObject({ etl_run_id: summary.etl_run_id, finished_at: null });
      expect(runs[1]).toEqual(latest!.run);
      expect(latest!.run).toMatchObject({ etl_run_id: summary.etl_run_id, status: 'succeeded', trigger: 'http' });
    });

    it('lets anon receive on market:bars only, and send on no topic', async () => {
      const visible = (topic: string) =>
        asRole(realtimeSql, 'anon', async (tx) => {
          await tx`select set_config('realtime.topic', ${topic}, true)`;
          return await tx<{ event: string }[]>`select event from realtime.messages`;
        });
      expect((await visible('market:bars')).length).toBeGreaterThan(0);
      expect(await visible('someone-else')).toEqual([]);
      const send = asRole(realtimeSql, 'anon', async (tx) => {
        await tx`select set_config('realtime.topic', 'market:bars', true)`;
        return await tx`insert into realtime.messages (topic, extension, event, payload) values ('market:bars', 'broadcast', 'bars', '{}')`;
      });
      expect(await errorCode(send)).toBe('42501');
    });
  });
});
