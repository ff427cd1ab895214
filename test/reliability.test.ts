import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect } from '../functions/_shared/db.ts';
import { runEtl } from '../functions/_shared/etl/run.ts';
import { freePort, startEmbeddedPostgres } from '../server/embedded-postgres.ts';
import { migrate } from '../server/migrate.ts';
import { startSimulator } from '../simulator/index.ts';
import { createDatabase, one, type TestDatabase } from './helpers/database.ts';
import { type SimulatedEtl, simulatedEtl } from './helpers/simulated-etl.ts';

/** Failures an unattended pipeline meets: each test asserts what the database holds afterwards. */

const ROOT = path.resolve(import.meta.dirname, '..');
const T0 = Date.parse('2026-11-18T15:05:00Z');
const HOUR = 3_600_000;
const SYMBOLS = ['AAPL', 'MSFT', 'GOOGL', 'AMZN', 'BTC/USD', 'ETH/USD', 'SOL/USD', 'ADA/USD'];

type Counts = { bars: number; ssot: number };
const counts = async (sql: TestDatabase['sql']) =>
  one(
    await sql<Counts[]>`
  select (select count(*) from market.bar) as bars, (select count(*) from market.ssot) as ssot`,
  );
const runRows = async (sql: TestDatabase['sql']) =>
  await sql<{ status: string; error: string | null; trigger: string }[]>`
  select status, error, trigger from market.etl_run order by etl_run_id`;

describe('with a test database', () => {
  let db: TestDatabase;
  let etl: SimulatedEtl | undefined;
  beforeEach(async () => {
    db = await createDatabase();
  });
  afterEach(async () => {
    await etl?.close();
    etl = undefined;
    await db.drop();
  });

  it('two triggers at the same moment: one runs, one is recorded as skipped', async () => {
    etl = await simulatedEtl(db, { startAt: T0, symbols: SYMBOLS });
    const outcomes = await Promise.all([runEtl(etl.deps, 'http'), runEtl(etl.deps, 'cron')]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['skipped', 'succeeded']);
    expect((await runRows(db.sql)).map((r) => r.status).sort()).toEqual(['skipped', 'succeeded']);
    expect((await counts(db.sql)).ssot).toBe(SYMBOLS.length * 5000);
    // Only the run that held the lock spent credits.
    expect(etl.sim.usage().day).toBe(SYMBOLS.length);
  });

  it('the API down: bounded retries, a failed run that says why, nothing stored; the next run catches up', async () => {
    etl = await simulatedEtl(db, { startAt: T0, symbols: ['BTC/USD', 'AAPL'] });
    const working = etl.deps.settings.http.baseUrl;
    etl.deps.settings.http.baseUrl = `http://127.0.0.1:${await freePort()}`;
    const down = await runEtl(etl.deps, 'schedule');
    expect(down.status).toBe('failed');
    expect(etl.sleeps.length).toBe(3);
    const [row] = await runRows(db.sql);
    expect(row!.error).toMatch(/request to http:\/\/127\.0\.0\.1:\d+ failed/);
    expect(await counts(db.sql)).toEqual({ bars: 0, ssot: 0 });

    etl.deps.settings.http.baseUrl = working;
    etl.advance(HOUR);
    expect((await runEtl(etl.deps, 'schedule')).status).toBe('succeeded');
    expect((await counts(db.sql)).ssot).toBe(10_000);
  });

  it('the process killed mid-load: the step in flight is not visible, and the next invocation continues the run and catches up', async () => {
    const sim = await startSimulator();
    sim.sim.setClock(T0);
    let child: ChildProcess | undefined;
    // Holds market.ssot against writes, so the run stops inside its load transaction at its first
    // SSOT write and stays there until killed: the kill lands mid-load however fast the machine is.
    const blocker = await db.sql.reserve();
    try {
      try {
        await blocker`begin`;
        await blocker`lock table market.ssot in share mode`;
        const [{ pid: blockerPid }] = (await blocker`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
        // One process (node with tsx's loader), so SIGKILL really ends the run mid-flight.
        child = spawn(process.execPath, ['--import', 'tsx', 'scripts/etl.ts', '--once'], {
          cwd: ROOT,
          env: {
            ...process.env,
            DATABASE_URL: db.url,
            TWELVE_DATA_BASE_URL: sim.url,
            TWELVE_DATA_API_KEY: 'k',
            MARKET_SYMBOLS: SYMBOLS.join(','),
          },
          stdio: 'ignore',
        });
        const running = child;
        await expect
          .poll(
            async () => {
              if (running.exitCode !== null) return `the ETL exited (${running.exitCode}) before it reached the SSOT`;
              const [waiting] = await db.sql`
                select pid from pg_stat_activity where application_name = 'market-pulse-etl' and ${blockerPid}::int = any(pg_blocking_pids(pid))`;
              return waiting ? 'waiting on the SSOT' : 'not yet';
            },
            { timeout: 60_000, interval: 20 },
          )
          .toBe('waiting on the SSOT');
        child.kill('SIGKILL');
        await new Promise((resolve) => running.once('exit', resolve));
      } finally {
        await blocker`rollback`;
        blocker.release();
      }
      // The server notices the dead client and rolls its transaction back.
      await expect
        .poll(async () => (await db.sql`select 1 from pg_stat_activity where application_name = 'market-pulse-etl'`).length, {
          timeout: 30_000,
        })
        .toBe(0);
      // The step in flight was the first (nothing committed yet); its transaction is gone.
      expect(await counts(db.sql)).toEqual({ bars: 0, ssot: 0 });
      expect((await runRows(db.sql)).map((r) => r.status)).toEqual(['running']);

      const deps = {
        sql: db.sql,
        settings: { symbols: SYMBOLS, interval: '1h' as const, creditsPerMinute: 8, http: { baseUrl: sim.url, apiKey: 'k' } },
        now: () => sim.sim.now(),
        sleep: async (ms: number) => sim.sim.advanceClock(ms),
      };
      const resumed = await runEtl(deps, 'cli');
      expect(resumed).toMatchObject({ status: 'succeeded', invocation: 2 });
      // One logical run, finished by the second invocation; every symbol loaded once.
      const rows = await db.sql<
        { status: string; invocations: number; trigger: string }[]
      >`select status, invocations, trigger from market.etl_run`;
      expect(rows).toEqual([{ status: 'succeeded', invocations: 2, trigger: 'cli' }]);
      expect((await counts(db.sql)).ssot).toBe(SYMBOLS.length * 5000);
      const steps = await db.sql<{ symbols: string[] }[]>`select symbols from market.etl_step order by step`;
      expect(steps.flatMap((s) => s.symbols).sort()).toEqual([...SYMBOLS].sort());
    } finally {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      await sim.close();
    }
  });
});

describe('PostgreSQL restarted during a run', () => {
  it('the run fails cleanly and the next one catches up', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'market-pulse-restart-'));
    const port = await freePort();
    let cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port });
    const sql = connect(cluster.url, { max: 4 });
    const sim = await startSimulator();
    // The API answers only once the test lets it: the run is certainly waiting on it while the
    // database goes away and comes back.
    let requested!: () => void;
    const requestSent = new Promise<void>((resolve) => {
      requested = resolve;
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const heldFetch: typeof fetch = async (input, init) => {
      requested();
      await released;
      return await fetch(input, init);
    };
    try {
      sim.sim.setClock(T0);
      await migrate(sql);
      const http = { baseUrl: sim.url, apiKey: 'k', fetch: heldFetch };
      const deps = {
        sql,
        settings: { symbols: ['BTC/USD', 'AAPL'], interval: '1h' as const, creditsPerMinute: 8, http },
        now: () => sim.sim.now(),
        sleep: async (ms: number) => sim.sim.advanceClock(ms),
      };
      const pending = runEtl(deps, 'schedule');
      await requestSent;
      await cluster.stop();
      cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port });
      release();
      const failed = await pending;
      expect(failed.status).toBe('failed');
      const after = await sql<{ status: string; error: string }[]>`select status, error from market.etl_run order by etl_run_id`;
      expect(after.map((r) => r.status)).toEqual(['failed']);
      expect(after[0]!.error).toMatch(/terminat|connection|closed|shut/i);
      expect(one(await sql<{ n: number }[]>`select count(*) as n from market.ssot`).n).toBe(0);

      sim.sim.resetFaults();
      expect((await runEtl(deps, 'schedule')).status).toBe('succeeded');
      expect(one(await sql<{ n: number }[]>`select count(*) as n from market.ssot`).n).toBe(10_000);
    } finally {
      await sql.end({ timeout: 5 });
      await sim.close();
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
