import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../functions/_shared/db.ts';
import { migrate } from '../server/migrate.ts';
import { simulatedBar, startSimulator } from '../simulator/index.ts';
import { denoMissing, type ServedFunction, serveFunction } from './helpers/deno.ts';
import { type Gateway, startGateway } from './helpers/gateway.ts';
import { type Pg15Cluster, pg15Missing, startPg15 } from './helpers/pg15.ts';

/**
 * Runs in steps, end to end on the Supabase path with the Edge limits scaled down: pg_cron fires the
 * job, pg_net's worker POSTs to the function under Deno (through a stand-in for Supabase's gateway),
 * the project URL and the secret come from the real Vault, and the database role is the hosted-like,
 * non-superuser postgres. The function's wall budget is 3 s and the API's credit minute 2 s (8
 * credits each), so 40 symbols take many steps over several chained invocations.
 */

const skip = pg15Missing() ?? denoMissing();

const HOUR = 3_600_000;
const CREDIT_MINUTE_MS = 2_000;
const ETL_SECRET = randomBytes(24).toString('hex');
// Crypto trades around the clock, so every hourly run has one new bar per symbol.
const SYMBOLS = Array.from(
  { length: 40 },
  (_, i) => `Q${String.fromCharCode(65 + Math.floor(i / 26))}${String.fromCharCode(65 + (i % 26))}/USD`,
);
// The simulated clock: a few hours back, so every bar it serves has closed by the function's real clock too.
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR + 5 * 60_000;

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

interface RunRow {
  etl_run_id: number;
  status: string;
  invocations: number;
  credits_used: number;
}

describe.skipIf(skip !== null)(
  `Runs in steps through pg_cron, pg_net and Vault into the function under Deno${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let cluster: Pg15Cluster;
    let sql: Sql;
    let sim: Awaited<ReturnType<typeof startSimulator>>;
    let gateway: Gateway;
    let fn: ServedFunction;
    let functionEnv: Record<string, string>;

    const finishedRun = (afterId: number, timeoutMs: number) =>
      waitFor(
        `run after ${afterId} to finish`,
        async () => {
          const [run] = await sql<RunRow[]>`
      select etl_run_id, status, invocations, credits_used from market.etl_run
       where etl_run_id > ${afterId} and status <> 'running' and status <> 'skipped' order by etl_run_id limit 1`;
          return run;
        },
        timeoutMs,
        250,
      );

    const lastRunId = async () => (await sql<{ id: number }[]>`select coalesce(max(etl_run_id), 0)::int as id from market.etl_run`)[0]!.id;

    /** Every stored bar is the simulator's, once: each symbol's bars are `count` consecutive hours ending at `newest`. */
    async function expectExactBars(count: number, newest: number): Promise<void> {
      const perSymbol = await sql<{ symbol: string; n: number; distinct_ts: number; first: Date; last: Date }[]>`
      select a.symbol, count(*)::int as n, count(distinct b.ts)::int as distinct_ts, min(b.ts) as first, max(b.ts) as last
        from market.bar as b join market.asset as a using (asset_id) group by a.symbol order by a.symbol`;
      expect(perSymbol.map((row) => row.symbol)).toEqual([...SYMBOLS].sort());
      for (const row of perSymbol) {
        expect(row, row.symbol).toMatchObject({ n: count, distinct_ts: count });
        expect(row.last.getTime(), row.symbol).toBe(newest);
        expect(row.last.getTime() - row.first.getTime(), row.symbol).toBe((count - 1) * HOUR);
      }
      const sample = await sql<{ symbol: string; ts: Date; open: number; high: number; low: number; close: number }[]>`
      select symbol, ts, open, high, low, close from market.ssot
       where ts >= ${new Date(newest - HOUR).toISOString()} or random() < 0.002`;
      expect(sample.length).toBeGreaterThan(SYMBOLS.length);
      for (const row of sample) {
        const expected = simulatedBar(row.symbol, '1h', row.ts.getTime());
        expect([row.open, row.high, row.low, row.close], `${row.symbol} ${row.ts.toISOString()}`).toEqual([
          expected!.open,
          expected!.high,
          expected!.low,
          expected!.close,
        ]);
      }
      const [ssot] = await sql<{ n: number }[]>`select count(*)::int as n from market.ssot`;
      expect(ssot!.n).toBe(count * SYMBOLS.length);
    }

    /** The hourly job's command, as the migration scheduled it (the job itself is unscheduled in beforeAll). */
    let hourlyCommand = '';

    /** What the hourly job does at the top of the hour: its own command, as pg_cron would run it. */
    async function runHourlyCommand(): Promise<void> {
      await sql.unsafe(hourlyCommand);
    }

    beforeAll(async () => {
      cluster = await startPg15({ cronDatabase: 'postgres' });
      sql = connect(cluster.url('postgres'), { max: 4 });
      sim = await startSimulator({ creditsPerMinute: 8, creditsPerDay: 1_000_000, creditMinuteMs: CREDIT_MINUTE_MS });
      sim.sim.setClock(T0);
      gateway = await startGateway();
      await migrate(sql);
      await sql`select vault.create_secret(${gateway.url}, 'project_url')`;
      await sql`select vault.create_secret(${ETL_SECRET}, 'market_etl_secret')`;
      // The tests run the hourly job's command themselves (runHourlyCommand, and a clone pg_cron
      // fires once). Left scheduled, the job itself fires at the top of the real hour whenever a
      // run crosses one, and its extra invocation finds the lock held and records a skipped run.
      const [job] = await sql<{ command: string }[]>`select command from cron.job where jobname = 'market-etl-hourly'`;
      hourlyCommand = job!.command;
      await sql`select cron.unschedule('market-etl-hourly')`;
      functionEnv = {
        SUPABASE_DB_URL: cluster.url('postgres'),
        ETL_SECRET,
        TWELVE_DATA_BASE_URL: sim.url,
        TWELVE_DATA_API_KEY: 'test-key',
        MARKET_SYMBOLS: SYMBOLS.join(','),
        TWELVE_DATA_CREDITS_PER_MINUTE: '8',
        TWELVE_DATA_CREDITS_PER_DAY: '1000000',
        TWELVE_DATA_MINUTE_MS: String(CREDIT_MINUTE_MS),
        ETL_WALL_BUDGET_MS: '3000',
      };
      fn = await serveFunction(functionEnv);
      gateway.target = fn.url;
    }, 180_000);

    afterAll(async () => {
      await fn?.stop();
      await gateway?.close();
      await sim?.close();
      await sql?.end({ timeout: 5 });
      await cluster?.stop();
    });

    it('a first backfill of 40 symbols, started by pg_cron, survives the function killed mid-step and completes exactly', {
      timeout: 300_000,
    }, async () => {
      // pg_cron fires a clone of the hourly job once (every minute, unscheduled as soon as it ran).
      await sql`select cron.schedule('market-etl-probe', '* * * * *', ${hourlyCommand})`;
      await waitFor(
        'pg_cron to run the job',
        async () => {
          const [row] =
            await sql`select 1 from cron.job_run_details as d join cron.job as j using (jobid) where j.jobname = 'market-etl-probe'`;
          return row;
        },
        90_000,
        500,
      );
      await sql`select cron.unschedule('market-etl-probe')`;

      // Two steps in, slow the API so that the next step is in flight long enough to be caught there.
      await waitFor(
        'two committed steps',
        async () => {
          const [row] = await sql<{ n: number }[]>`select count(*)::int as n from market.etl_step`;
          return row!.n >= 2 ? row : null;
        },
        120_000,
      );
      sim.sim.setFaults({ delayMs: 2_500 });
      const committedCredits = async () =>
        (await sql<{ n: number }[]>`select coalesce(sum(credits_used), 0)::int as n from market.etl_step`)[0]!.n;
      await waitFor(
        'a step in flight (credits spent, not committed)',
        async () => (sim.sim.usage().day > (await committedCredits()) ? true : null),
        60_000,
        20,
      );
      const [atKill] = await sql<{ invocations: number }[]>`select invocations from market.etl_run where status = 'running'`;
      const settledAtKill = await sql<{ symbol: string }[]>`select unnest(symbols) as symbol from market.etl_step`;
      await fn.kill();
      const inFlight = sim.sim.usage().day - (await committedCredits());
      expect(inFlight).toBeGreaterThan(0);
      // Nothing of the step in flight is there; the run waits, unfinished, for its next invocation.
      const [left] = await sql<{ status: string }[]>`select status from market.etl_run order by etl_run_id desc limit 1`;
      expect(left!.status).toBe('running');
      const [bars] = await sql<{ n: number }[]>`select count(distinct asset_id)::int as n from market.bar`;
      expect(bars!.n).toBe(settledAtKill.length);

      sim.sim.resetFaults();
      fn = await serveFunction(functionEnv);
      gateway.target = fn.url;
      // The next request (here: the next hour's) continues the run where the killed invocation stopped.
      await runHourlyCommand();
      const run = await finishedRun(0, 240_000);
      expect(run.status).toBe('succeeded');
      expect(run.invocations).toBeGreaterThan(atKill!.invocations + 1);

      // Each symbol was settled by exactly one committed step; the one in flight was redone later.
      const steps = await sql<
        { invocation: number; symbols: string[] }[]
      >`select invocation, symbols from market.etl_step where etl_run_id = ${run.etl_run_id} order by step`;
      const settled = steps.flatMap((step) => step.symbols);
      expect([...settled].sort()).toEqual([...SYMBOLS].sort());
      expect(steps.filter((step) => step.invocation > atKill!.invocations).length).toBeGreaterThan(0);
      // The run's credits are its committed steps'; the simulator also charged the step that was lost.
      expect(run.credits_used).toBe(SYMBOLS.length);
      expect(sim.sim.usage().day).toBe(SYMBOLS.length + inFlight);
      // Several invocations, each asked for by the one before it through pg_net.
      const [chained] = await sql<{ n: number }[]>`select count(*)::int as n from market.etl_request where etl_run_id = ${run.etl_run_id}`;
      expect(chained!.n).toBeGreaterThan(2);

      await expectExactBars(5000, T0 - (T0 % HOUR) - HOUR);
    });

    it('two hourly runs each bring all 40 symbols one bar further, over several invocations, every bar exact', {
      timeout: 300_000,
    }, async () => {
      for (let hour = 1; hour <= 2; hour++) {
        sim.sim.advanceClock(HOUR);
        const before = await lastRunId();
        await runHourlyCommand();
        const run = await finishedRun(before, 240_000);
        expect(run).toMatchObject({ status: 'succeeded', credits_used: SYMBOLS.length });
        expect(run.invocations).toBeGreaterThan(1);
        await expectExactBars(5000 + hour, T0 - (T0 % HOUR) - HOUR + hour * HOUR);
      }
      // No invocation overlapped another: none was turned away as skipped.
      const [skipped] = await sql<{ n: number }[]>`select count(*)::int as n from market.etl_run where status = 'skipped'`;
      expect(skipped!.n).toBe(0);
    });
  },
);
