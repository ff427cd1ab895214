import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunSummary, runEtl } from '../functions/_shared/etl/run.ts';
import { computeIndicators } from '../functions/_shared/indicators.ts';
import { simulatedBar } from '../simulator/index.ts';
import { createDatabase, one, type TestDatabase } from './helpers/database.ts';
import { type SimulatedEtl, simulatedEtl } from './helpers/simulated-etl.ts';

const HOUR = 3_600_000;
// A Wednesday afternoon in New York, mid-session: stock bars exist for the morning.
const NOW = Date.parse('2026-11-18T19:05:00Z');
const SYMBOLS = ['AAPL', 'MSFT', 'BTC/USD', 'ETH/USD'];

type Sample = { symbol: string; ts: Date; open: number; high: number; low: number; close: number; volume: number | null };
const ssotCount = async (db: TestDatabase, symbol: string) =>
  one(await db.sql<{ n: number }[]>`select count(*) as n from market.ssot where symbol = ${symbol}`).n;

/**
 * One database goes through a first run, an immediate second run, an hourly run three hours later
 * and a rebuild, all in beforeAll; each test then only reads what that sequence left or recorded
 * on the way, so any test passes alone and in any order.
 */
describe('ETL run against the simulator', () => {
  let db: TestDatabase;
  let etl: SimulatedEtl;
  let first: RunSummary;
  let afterFirst: { counts: { symbol: string; n: number; last: Date }[]; sample: Sample[] };
  let second: { summary: RunSummary; before: unknown[]; after: unknown[] };
  let hourly: { summary: RunSummary; btcBefore: number; btcAfter: number; incremental: unknown[] };
  let rebuild: { summary: RunSummary; after: unknown[] };

  beforeAll(async () => {
    db = await createDatabase();
    etl = await simulatedEtl(db, { startAt: NOW, symbols: SYMBOLS });

    first = await runEtl(etl.deps, 'test');
    afterFirst = {
      counts: await db.sql<{ symbol: string; n: number; last: Date }[]>`
        select symbol, count(*) as n, max(ts) as last from market.ssot group by symbol order by symbol`,
      sample: await db.sql<Sample[]>`select symbol, ts, open, high, low, close, volume from market.ssot order by random() limit 200`,
    };

    const snapshot = () => db.sql`select symbol, ts, close, sma_20, last_update from market.ssot order by symbol, ts`;
    const beforeSecond = [...(await snapshot())];
    second = { summary: await runEtl(etl.deps, 'test'), before: beforeSecond, after: [...(await snapshot())] };

    etl.advance(3 * HOUR);
    const btcBefore = await ssotCount(db, 'BTC/USD');
    const hourlySummary = await runEtl(etl.deps, 'test');
    hourly = {
      summary: hourlySummary,
      btcBefore,
      btcAfter: await ssotCount(db, 'BTC/USD'),
      incremental: [...(await db.sql`select * from market.ssot order by symbol, ts`)],
    };
    const rebuilt = await runEtl(etl.deps, 'test', 'rebuild');
    rebuild = { summary: rebuilt, after: [...(await db.sql`select * from market.ssot order by symbol, ts`)] };
  }, 300_000);
  afterAll(async () => {
    await etl?.close();
    await db?.drop();
  });

  it('loads full history on the first run, exactly as the API served it', () => {
    expect(first.status).toBe('succeeded');
    expect(first.credits_used).toBe(SYMBOLS.length);

    const { counts, sample } = afterFirst;
    expect(counts.map((c) => c.symbol).sort()).toEqual([...SYMBOLS].sort());
    for (const row of counts) expect(row.n).toBe(5000);

    // Every stored bar is the simulator's bar for that instant, and none is unfinished.
    expect(sample.length).toBe(200);
    for (const row of sample) {
      const expected = simulatedBar(row.symbol, '1h', row.ts.getTime());
      expect(expected, `${row.symbol} ${row.ts.toISOString()}`).not.toBeNull();
      expect([row.open, row.high, row.low, row.close, row.volume]).toEqual([
        expected!.open,
        expected!.high,
        expected!.low,
        expected!.close,
        expected!.volume,
      ]);
      expect(row.ts.getTime() + HOUR).toBeLessThanOrEqual(NOW);
    }

    const [btc] = counts.filter((c) => c.symbol === 'BTC/USD');
    expect(btc!.last.toISOString()).toBe('2026-11-18T18:00:00.000Z');
    const [aapl] = counts.filter((c) => c.symbol === 'AAPL');
    // It is 14:05 in New York: the 13:30 bar is still open, so the newest closed one opened at 12:30 (17:30 UTC).
    expect(aapl!.last.toISOString()).toBe('2026-11-18T17:30:00.000Z');
  });

  it('stores crypto without volume and stocks with it, with their meta', async () => {
    const assets = await db.sql<{ symbol: string; asset_type: string; exchange: string; currency: string; exchange_timezone: string }[]>`
      select symbol, asset_type, exchange, currency, exchange_timezone from market.asset order by symbol`;
    expect(assets.find((a) => a.symbol === 'AAPL')).toMatchObject({
      asset_type: 'stock',
      currency: 'USD',
      exchange_timezone: 'America/New_York',
    });
    expect(assets.find((a) => a.symbol === 'BTC/USD')).toMatchObject({ asset_type: 'crypto', currency: 'USD', exchange_timezone: 'UTC' });
    const [nulls] = await db.sql<{ crypto_with_volume: number; stock_without_volume: number }[]>`
      select count(*) filter (where asset_type = 'crypto' and volume is not null) as crypto_with_volume,
             count(*) filter (where asset_type = 'stock' and volume is null) as stock_without_volume
        from market.ssot`;
    expect(nulls).toEqual({ crypto_with_volume: 0, stock_without_volume: 0 });
  });

  it('computes the indicator columns from the stored closes', async () => {
    const rows = await db.sql<
      {
        close: number;
        change: number | null;
        change_pct: number | null;
        log_return: number | null;
        sma_20: number | null;
        rsi_14: number | null;
        macd_signal: number | null;
      }[]
    >`
      select close, change, change_pct, log_return, sma_20, rsi_14, macd_signal from market.ssot
       where symbol = 'ETH/USD' and interval = '1h' order by ts`;
    const expected = computeIndicators(rows.map((r) => r.close));
    expect(rows[0]!.change).toBeNull();
    expect(rows[19]!.sma_20).not.toBeNull();
    expect(rows[18]!.sma_20).toBeNull();
    rows.forEach((row, i) => {
      expect(row.change).toBe(expected[i]!.change);
      expect(row.change_pct).toBe(expected[i]!.change_pct);
      expect(row.log_return).toBe(expected[i]!.log_return);
      expect(row.sma_20).toBe(expected[i]!.sma_20);
      expect(row.rsi_14).toBe(expected[i]!.rsi_14);
      expect(row.macd_signal).toBe(expected[i]!.macd_signal);
    });
    const manualSma = rows.slice(100, 120).reduce((sum, r) => sum + r.close, 0) / 20;
    expect(rows[119]!.sma_20).toBeCloseTo(manualSma, 9);
  });

  it('an immediate second run writes no duplicates and changes nothing', () => {
    expect(second.summary.status).toBe('succeeded');
    expect(second.summary.bars_upserted).toBe(0);
    expect(second.summary.ssot_rows_written).toBe(0);
    expect(second.after).toEqual(second.before);
  });

  it('an hourly run later adds exactly the new closed bars, equal to a rebuild', () => {
    expect(hourly.summary.status).toBe('succeeded');
    expect(hourly.summary.credits_used).toBe(SYMBOLS.length);
    expect(hourly.btcAfter - hourly.btcBefore).toBe(3);
    expect(rebuild.summary.status).toBe('succeeded');
    expect(rebuild.summary.ssot_rows_written).toBe(0);
    expect(rebuild.after).toEqual(hourly.incremental);
  });

  it('records every run in market.etl_run', async () => {
    const runs = await db.sql<{ etl_run_id: number; status: string; trigger: string; finished_at: Date | null }[]>`
      select etl_run_id, status, trigger, finished_at from market.etl_run order by etl_run_id`;
    expect(runs.map((r) => r.etl_run_id)).toEqual([first, second.summary, hourly.summary, rebuild.summary].map((run) => run.etl_run_id));
    expect(runs.every((r) => r.status === 'succeeded' && r.trigger === 'test' && r.finished_at !== null)).toBe(true);
  });

  it("times each run's steps within the run's own duration; only the first run, into empty tables, rebuilt the keys", async () => {
    const runs = await db.sql<{ etl_run_id: number; timings: Record<string, number> | null; elapsed_ms: number }[]>`
      select etl_run_id, details -> 'timings_ms' as timings,
             (extract(epoch from finished_at - started_at) * 1000)::float8 as elapsed_ms
        from market.etl_run where etl_run_id = any(${[first.etl_run_id, second.summary.etl_run_id, hourly.summary.etl_run_id]}::bigint[])
       order by etl_run_id`;
    const [firstRun, secondRun, hourlyRun] = runs.map((run) => run.timings);
    for (const run of runs) {
      expect(Object.keys(run.timings!)).toEqual(expect.arrayContaining(['extract', 'assets', 'bars', 'ssot']));
      // The steps run one after another inside the run: together they cannot outlast it (each is
      // rounded to a whole millisecond, hence the allowance of one per step).
      const steps = Object.values(run.timings!);
      const total = steps.reduce((sum, ms) => sum + ms, 0);
      expect(total, `run ${run.etl_run_id}`).toBeLessThanOrEqual(run.elapsed_ms + steps.length);
    }
    // Loading 20,000 rows takes measurable time on any machine: the first run's timer really ran.
    expect((firstRun?.bars ?? 0) + (firstRun?.ssot ?? 0)).toBeGreaterThan(0);
    expect(firstRun).toHaveProperty('keys');
    expect(secondRun).not.toHaveProperty('keys');
    expect(hourlyRun).not.toHaveProperty('keys');
  });
});
