import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runEtl } from '../functions/_shared/etl/run.ts';
import { HOSTILE_MODES } from '../simulator/faults.ts';
import { simulatedBar } from '../simulator/index.ts';
import { createDatabase, one, type TestDatabase } from './helpers/database.ts';
import { type SimulatedEtl, simulatedEtl } from './helpers/simulated-etl.ts';

/**
 * Every hostile value the simulator can send, at once, through the real ETL into a real database:
 * the good bars of every symbol are stored exactly, the bad ones are rejected with their reason,
 * a symbol with hostile meta fails alone, and nothing non-finite reaches market.ssot.
 */

// Wednesday 2026-11-18 15:05 UTC (10:05 in New York).
const T0 = Date.parse('2026-11-18T15:05:00Z');
const SYMBOLS = ['AAPL', 'MSFT', 'GOOGL', 'BTC/USD', 'ETH/USD', 'SOL/USD'];
const HUGE_META = 'MSFT';
const MARS = 'SOL/USD';

interface RunRow {
  status: string;
  credits_used: number;
  error: string | null;
  details: {
    symbols: Record<string, { rejected: { datetime: string; reason: string }[]; rejected_count: number }>;
    failures: { symbol: string; kind: string; message: string }[];
  };
  details_bytes: number;
}

let db: TestDatabase;
let etl: SimulatedEtl | null = null;

beforeEach(async () => {
  db = await createDatabase();
});
afterEach(async () => {
  await etl?.close();
  etl = null;
  await db.drop();
});

const lastRun = async () =>
  one(
    await db.sql<RunRow[]>`
  select status, credits_used, error, details, pg_column_size(details) as details_bytes
    from market.etl_run order by etl_run_id desc limit 1`,
  );

describe('hostile upstream values', () => {
  it('stores the good bars of every symbol exactly, rejects each bad one with its reason, and keeps the views answering', async () => {
    etl = await simulatedEtl(db, {
      startAt: T0,
      symbols: SYMBOLS,
      simulator: { faults: { hostileValues: [...HOSTILE_MODES], hugeMeta: [HUGE_META], unknownTimezone: [MARS] } },
    });
    const summary = await runEtl(etl.deps, 'test');
    expect(summary.error).toMatch(/MSFT: .*meta\.exchange.*SOL\/USD: exchange_timezone/);
    expect(summary.status).toBe('partial');

    const run = await lastRun();
    // Every symbol was requested and paid for, the ones that then failed included.
    expect(run.credits_used).toBe(SYMBOLS.length);

    // The two symbols with hostile meta fail alone, each with its reason.
    const failures = Object.fromEntries(run.details.failures.map((f) => [f.symbol, f.message]));
    expect(Object.keys(failures).sort()).toEqual([HUGE_META, MARS].sort());
    expect(failures[HUGE_META]).toMatch(/meta\.exchange/);
    expect(failures[MARS]).toMatch(/Mars\/Olympus.*not an IANA time zone/);
    const stored = await db.sql<{ symbol: string; n: number }[]>`select symbol, count(*)::int as n from market.ssot group by symbol`;
    expect(stored.map((r) => r.symbol)).not.toContain(HUGE_META);
    expect(stored.map((r) => r.symbol)).not.toContain(MARS);
    const { longest } = one(
      await db.sql<{ longest: number | null }[]>`
      select max(greatest(length(exchange), length(currency), length(exchange_timezone))) as longest from market.asset`,
    );
    expect(longest ?? 0).toBeLessThanOrEqual(64);

    for (const symbol of SYMBOLS.filter((s) => s !== HUGE_META && s !== MARS)) {
      // Exactly the bars the simulator served intact: none missing, none extra.
      const served = [...(etl.sim.barsServed().get(`${symbol}|1h`) ?? [])].sort((a, b) => a - b);
      expect(served.length).toBeGreaterThan(3000);
      const rows = await db.sql<{ ts: Date; open: number; high: number; low: number; close: number; volume: number | null }[]>`
        select ts, open, high, low, close, volume from market.ssot where symbol = ${symbol} and interval = '1h' order by ts`;
      expect(rows.map((r) => r.ts.getTime())).toEqual(served);
      // With the values the simulator priced them at.
      for (const row of rows.filter((_, i) => i % 97 === 0)) {
        expect({ open: row.open, high: row.high, low: row.low, close: row.close, volume: row.volume }).toEqual(
          simulatedBar(symbol, '1h', row.ts.getTime()),
        );
      }

      // Each rule rejected its bars, with a reason that says which rule.
      const reasons = run.details.symbols[symbol]!.rejected.map((r) => r.reason).join('\n');
      expect(run.details.symbols[symbol]!.rejected_count).toBe(1000);
      expect(reasons).toMatch(/is not a decimal number \("1e308"\)/);
      expect(reasons).toMatch(/is not a decimal number \("0x[0-9a-f]+"\)/);
      expect(reasons).toMatch(/outside the sane range/);
      expect(reasons).toMatch(/off the 1h grid/);
      expect(reasons).toMatch(/dated before 1990/);
      expect(reasons).toMatch(/bar is not an object \(an array\)/);
      expect(reasons).toMatch(/must be a decimal string, got the number/);
      expect(reasons).toMatch(/high is below open or close|low is above open or close/);
    }

    // The details stay small whatever came in: at most 50 examples per symbol, each short.
    expect(run.details_bytes).toBeLessThan(64 * 1024);

    // Nothing non-finite anywhere in the SSOT (the table's check makes this hold for any writer).
    const { nonFinite } = one(
      await db.sql<{ nonFinite: number }[]>`
      select count(*)::int as "nonFinite" from market.ssot as s
       where exists (select from unnest(array[open, high, low, close, volume, change, change_pct, log_return, sma_20, sma_50,
                       ema_12, ema_26, rsi_14, macd, macd_signal, macd_hist, bb_upper, bb_middle, bb_lower, volatility_20,
                       rsi_avg_gain, rsi_avg_loss]) as v where v in ('NaN', 'Infinity', '-Infinity'))`,
    );
    expect(nonFinite).toBe(0);

    // The analyst views answer for every stored symbol.
    const comparison = await db.sql<{ symbol: string }[]>`select symbol from market.comparison where interval = '1h' order by symbol`;
    expect(comparison.map((r) => r.symbol)).toEqual(['AAPL', 'BTC/USD', 'ETH/USD', 'GOOGL']);
    const days = await db.sql<{ symbol: string; n: number }[]>`
      select symbol, count(*)::int as n from market.daily_summary where interval = '1h' group by symbol order by symbol`;
    expect(days.map((r) => r.symbol)).toEqual(['AAPL', 'BTC/USD', 'ETH/USD', 'GOOGL']);
    for (const day of days) expect(day.n).toBeGreaterThan(100);
  });

  it('keeps 15 MB of upstream error text out of the run record, and counts the credits', async () => {
    etl = await simulatedEtl(db, {
      startAt: T0,
      symbols: ['BTC/USD', 'NOPE'],
      simulator: { faults: { unknownSymbols: ['NOPE'], errorTextBytes: 15 * 1024 * 1024 } },
    });
    const summary = await runEtl(etl.deps, 'test');
    expect(summary.status).toBe('partial');
    const run = await lastRun();
    expect(run.credits_used).toBe(2);
    const failure = run.details.failures.find((f) => f.symbol === 'NOPE')!;
    expect(failure.message).toMatch(/not found: NOPE/);
    expect(failure.message.length).toBeLessThanOrEqual(520);
    expect(run.error!.length).toBeLessThanOrEqual(2001);
    expect(run.details_bytes).toBeLessThan(64 * 1024);
  });
});

describe('the database refuses non-finite numbers itself', () => {
  for (const bad of ['NaN', 'Infinity', '-Infinity']) {
    it(`market.ssot and market.bar refuse ${bad}, in prices and in indicators`, async () => {
      const insertSsot = (column: string) =>
        db.sql.unsafe(`
        insert into market.ssot (symbol, asset_type, interval, ts, open, high, low, close, ${column === 'close' ? '' : `${column}, `}etl_run_id)
        values ('X', 'stock', '1h', now(), 1, 1, 1, ${column === 'close' ? `'${bad}'` : `1, '${bad}'`}, null)`);
      for (const column of ['close', 'sma_20', 'volatility_20', 'rsi_avg_loss']) {
        await expect(insertSsot(column)).rejects.toMatchObject({ code: '23514', constraint_name: 'ssot_finite_check' });
      }
      await expect(
        db.sql.unsafe(`
        insert into market.bar (asset_id, interval, ts, open, high, low, close, volume) values (1, '1h', now(), 1, 1, 1, 1, '${bad}')`),
      ).rejects.toMatchObject({ code: '23514', constraint_name: 'bar_finite_check' });
      // Finite values and nulls still go in.
      await db.sql`insert into market.ssot (symbol, asset_type, interval, ts, open, high, low, close, sma_20)
                   values ('X', 'stock', '1h', now(), 1, 1, 1, 1, null)`;
    });
  }
});
