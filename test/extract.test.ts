import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runEtl } from '../functions/_shared/etl/run.ts';
import { createDatabase, one, type TestDatabase } from './helpers/database.ts';
import { type SimulatedEtl, type SimulatedEtlOptions, simulatedEtl } from './helpers/simulated-etl.ts';

/**
 * Extraction against every failure mode the simulator can play, asserting what lands in
 * market.ssot and market.etl_run. Each test gets a fresh database and simulator.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Wednesday 2026-11-18 15:05 UTC (10:05 in New York).
const T0 = Date.parse('2026-11-18T15:05:00Z');

let db: TestDatabase;
let etl: SimulatedEtl;

async function setup(options: Partial<SimulatedEtlOptions> & { symbols: string[] }): Promise<SimulatedEtl> {
  etl = await simulatedEtl(db, { startAt: T0, ...options });
  return etl;
}

interface RunRow {
  status: string;
  bars_upserted: number;
  credits_used: number;
  error: string | null;
  details: { symbols?: Record<string, Record<string, unknown>>; failures?: { symbol: string; kind: string; message: string }[] };
}
const lastRun = async () =>
  one(
    await db.sql<RunRow[]>`
  select status, bars_upserted, credits_used, error, details from market.etl_run order by etl_run_id desc limit 1`,
  );
const countBars = async (symbol: string) =>
  one(
    await db.sql<{ n: number }[]>`
  select count(*) as n from market.ssot where symbol = ${symbol}`,
  ).n;

beforeEach(async () => {
  db = await createDatabase();
});
afterEach(async () => {
  await etl?.close();
  await db.drop();
});
afterAll(() => undefined);

describe('per-symbol failures do not sink the others', () => {
  it('records an unknown symbol and a plan-gated one while the rest load', async () => {
    await setup({
      symbols: ['AAPL', 'NOPE', 'BTC/USD', 'XAU/USD'],
      simulator: { faults: { unknownSymbols: ['NOPE'], planGatedSymbols: ['XAU/USD'] } },
    });
    const summary = await runEtl(etl.deps, 'test');
    expect(summary.status).toBe('partial');
    expect(await countBars('AAPL')).toBe(5000);
    expect(await countBars('BTC/USD')).toBe(5000);
    expect(await countBars('NOPE')).toBe(0);
    const run = await lastRun();
    expect(run.status).toBe('partial');
    expect(run.credits_used).toBe(4);
    const failures = Object.fromEntries(run.details.failures!.map((f) => [f.symbol, f]));
    expect(failures.NOPE).toMatchObject({ kind: 'symbol' });
    expect(failures.NOPE!.message).toMatch(/not found/);
    expect(failures['XAU/USD']).toMatchObject({ kind: 'symbol' });
    expect(failures['XAU/USD']!.message).toMatch(/not available with your plan/);
    expect(run.error).toMatch(/NOPE/);
  });
});

describe('whole-request errors, in both styles', () => {
  for (const errorStyle of ['http200', 'status'] as const) {
    it(`fails fast on a refused key (${errorStyle}), says what to fix, never shows the key`, async () => {
      await setup({
        symbols: ['AAPL', 'BTC/USD'],
        http: { apiKey: 'revoked-key-123' },
        simulator: { faults: { invalidKeys: ['revoked-key-123'], errorStyle } },
      });
      const summary = await runEtl(etl.deps, 'test');
      expect(summary.status).toBe('failed');
      expect(etl.sim.requests.length).toBe(1);
      const run = await lastRun();
      expect(run.error).toMatch(/TWELVE_DATA_API_KEY/);
      expect(JSON.stringify(run)).not.toContain('revoked-key-123');
      expect(JSON.stringify(summary)).not.toContain('revoked-key-123');
      expect(await countBars('AAPL')).toBe(0);
    });
  }

  it('retries a non-JSON 502 gateway page and then loads', async () => {
    await setup({ symbols: ['AAPL', 'BTC/USD'], simulator: { faults: { badGateway: 2 } } });
    const summary = await runEtl(etl.deps, 'test');
    expect(summary.status).toBe('succeeded');
    expect(etl.sim.requests.map((r) => r.status)).toEqual([502, 502, 200]);
    expect(etl.sleeps.length).toBe(2);
    expect(await countBars('BTC/USD')).toBe(5000);
  });

  it('gives up after bounded retries of a persistent 500, stores nothing, and the next run catches up', async () => {
    await setup({ symbols: ['AAPL', 'BTC/USD'], simulator: { faults: { serverError: 100 } } });
    const failed = await runEtl(etl.deps, 'test');
    expect(failed.status).toBe('failed');
    expect(etl.sim.requests.length).toBe(4);
    expect((await lastRun()).error).toMatch(/AAPL|500|Internal/i);
    expect(await countBars('AAPL')).toBe(0);
    etl.sim.resetFaults();
    etl.advance(HOUR);
    expect((await runEtl(etl.deps, 'test')).status).toBe('succeeded');
    expect(await countBars('AAPL')).toBe(5000);
  });

  it('retries a body cut off mid-JSON', async () => {
    await setup({ symbols: ['ETH/USD'], simulator: { faults: { truncateBody: true } } });
    const failed = await runEtl(etl.deps, 'test');
    expect(failed.status).toBe('failed');
    expect((await lastRun()).error).toMatch(/not valid JSON/);
    expect(etl.sim.requests.length).toBe(4);
    expect(await countBars('ETH/USD')).toBe(0);
  });

  it('refuses a 50 MB body past the default size limit without parsing it', async () => {
    await setup({ symbols: ['ETH/USD'], simulator: { faults: { hugeBody: 50 * 1024 * 1024 } } });
    const summary = await runEtl(etl.deps, 'test');
    expect(summary.status).toBe('failed');
    expect((await lastRun()).error).toMatch(/exceeds the 33554432-byte limit/);
    expect(await countBars('ETH/USD')).toBe(0);
  });

  it('times out a hanging API, records why, and stores nothing', async () => {
    await setup({ symbols: ['ETH/USD'], http: { timeoutMs: 200 }, simulator: { faults: { delayMs: 60_000 } } });
    const summary = await runEtl(etl.deps, 'test');
    expect(summary.status).toBe('failed');
    expect((await lastRun()).error).toMatch(/timeout|timed out|abort/i);
    expect(await countBars('ETH/USD')).toBe(0);
  });
});

describe('credits', () => {
  it('learns a smaller minute limit from the 429, splits the batch and waits for the next minute', async () => {
    const symbols = ['AAPL', 'MSFT', 'GOOGL', 'BTC/USD', 'ETH/USD', 'SOL/USD'];
    await setup({ symbols, creditsPerMinute: 8, simulator: { creditsPerMinute: 4 } });
    const summary = await runEtl(etl.deps, 'test');
    expect(summary.status).toBe('succeeded');
    expect(summary.credits_used).toBe(6);
    expect(etl.sim.requests.map((r) => r.status)).toEqual([429, 200, 200]);
    for (const symbol of symbols) expect(await countBars(symbol)).toBe(5000);
  });

  it('paces batches to the plan: 8 credits a minute, so 12 symbols take two minutes', async () => {
    const symbols = ['AAPL', 'MSFT', 'GOOGL', 'AMZN', 'META', 'NVDA', 'TSLA', 'BTC/USD', 'ETH/USD', 'SOL/USD', 'ADA/USD', 'DOGE/USD'];
    await setup({ symbols });
    const summary = await runEtl(etl.deps, 'test');
    expect(summary.status).toBe('succeeded');
    expect(summary.credits_used).toBe(12);
    expect(etl.sim.requests.every((r) => r.status === 200)).toBe(true);
    const minutes = new Set(etl.sim.requests.map((r) => Math.floor(r.at / 60_000)));
    expect(minutes.size).toBe(2);
  });

  it('stops when the day runs out, records a partial run, and the next day resumes', async () => {
    const symbols = ['AAPL', 'MSFT', 'BTC/USD', 'ETH/USD'];
    await setup({ symbols, creditsPerMinute: 2, simulator: { creditsPerMinute: 2, creditsPerDay: 6 } });
    expect((await runEtl(etl.deps, 'test')).credits_used).toBe(4);
    etl.advance(HOUR);
    const partial = await runEtl(etl.deps, 'test');
    expect(partial.status).toBe('partial');
    const run = await lastRun();
    expect(run.credits_used).toBe(2);
    expect(run.error).toMatch(/daily API credits ran out/);
    expect(run.details.failures!.every((f) => f.kind === 'day-credits')).toBe(true);

    etl.advance(DAY);
    const next = await runEtl(etl.deps, 'test');
    expect(next.status).toBe('succeeded');
    // Every bar the simulator ever served is stored exactly once.
    for (const [key, served] of etl.sim.barsServed()) {
      const [symbol] = key.split('|');
      const stored = await db.sql<{ ts: Date }[]>`select ts from market.ssot where symbol = ${symbol!}`;
      const storedSet = new Set(stored.map((row) => row.ts.getTime()));
      expect(stored.length).toBe(storedSet.size);
      for (const ts of served) expect(storedSet.has(ts), `${symbol} ${new Date(ts).toISOString()}`).toBe(true);
    }
  });

  it('an hourly run for N symbols uses exactly N credits, after a first run of N', async () => {
    const symbols = ['AAPL', 'MSFT', 'GOOGL', 'BTC/USD', 'ETH/USD'];
    await setup({ symbols });
    expect((await runEtl(etl.deps, 'test')).credits_used).toBe(5);
    for (let hour = 0; hour < 3; hour++) {
      etl.advance(HOUR);
      const summary = await runEtl(etl.deps, 'test');
      expect(summary.status).toBe('succeeded');
      expect(summary.credits_used).toBe(5);
    }
  });
});

describe('incremental extraction', () => {
  it('fills a gap longer than one page, page by page, leaving no hole', async () => {
    await setup({ symbols: ['BTC/USD'] });
    await runEtl(etl.deps, 'test');
    const [first] = await db.sql<{ last: Date }[]>`select max(ts) as last from market.ssot`;
    etl.advance(300 * DAY);
    const summary = await runEtl(etl.deps, 'test');
    expect(summary.status).toBe('succeeded');
    expect(summary.credits_used).toBe(2);
    const { n, first_ts, last_ts } = one(
      await db.sql<{ n: number; first_ts: Date; last_ts: Date }[]>`
      select count(*) as n, min(ts) as first_ts, max(ts) as last_ts from market.ssot where symbol = 'BTC/USD'`,
    );
    // Crypto trades every hour: no hole between the first and the last bar.
    expect(n).toBe((last_ts.getTime() - first_ts.getTime()) / HOUR + 1);
    expect(last_ts.getTime()).toBeGreaterThan(first!.last.getTime() + 299 * DAY);
  });

  it('counts the duplicates of every page of a gap, as they came over the wire', async () => {
    // The oracle counts repeated datetimes in each response body the client received, independently of normalise.
    let onWire = 0;
    const countingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const body = (await response.clone().json()) as { values?: { datetime: string }[] };
      const values = body.values ?? [];
      onWire += values.length - new Set(values.map((v) => v.datetime)).size;
      return response;
    };
    await setup({ symbols: ['BTC/USD'], http: { fetch: countingFetch } });
    await runEtl(etl.deps, 'test');
    etl.advance(300 * DAY);
    etl.sim.setFaults({ duplicateBars: true });
    onWire = 0;
    const summary = await runEtl(etl.deps, 'test');
    expect(summary.status).toBe('succeeded');
    // Two pages, each with its own duplicates: the run must report their sum, not the older page's.
    expect(etl.sim.requests.filter((r) => r.status === 200).length).toBe(3);
    expect(onWire).toBeGreaterThan(1_250);
    const run = await lastRun();
    expect(run.details.symbols!['BTC/USD']!.duplicates_dropped).toBe(onWire);
  });

  it('picks up a revised last bar through the overlap', async () => {
    await setup({ symbols: ['ETH/USD'] });
    await runEtl(etl.deps, 'test');
    const [newest] = await db.sql<{ ts: Date; close: number }[]>`select ts, close from market.ssot order by ts desc limit 1`;
    await db.sql`update market.bar set close = close * 2, high = high * 2 where ts = ${newest!.ts}`;
    await db.sql`update market.ssot set close = close * 2, high = high * 2 where ts = ${newest!.ts}`;
    etl.advance(HOUR);
    await runEtl(etl.deps, 'test');
    const [fixed] = await db.sql<{ close: number }[]>`select close from market.ssot where ts = ${newest!.ts}`;
    expect(fixed!.close).toBe(newest!.close);
  });
});

describe('normalisation on the wire', () => {
  it('stores duplicated and shuffled bars once each, in order', async () => {
    await setup({ symbols: ['AAPL', 'BTC/USD'], simulator: { faults: { duplicateBars: true, outOfOrder: true } } });
    expect((await runEtl(etl.deps, 'test')).status).toBe('succeeded');
    const { dupes } = one(
      await db.sql<{ dupes: number }[]>`
      select count(*) - count(distinct (symbol, ts)) as dupes from market.ssot`,
    );
    expect(dupes).toBe(0);
    const run = await lastRun();
    expect(Number(run.details.symbols!.AAPL!.duplicates_dropped)).toBeGreaterThan(0);
    expect(await countBars('AAPL')).toBeGreaterThan(4900);
  });

  it('drops the unfinished last bar', async () => {
    await setup({ symbols: ['BTC/USD'], simulator: { faults: { unfinishedLastBar: true } } });
    await runEtl(etl.deps, 'test');
    const [newest] = await db.sql<{ ts: Date }[]>`select max(ts) as ts from market.ssot`;
    expect(newest!.ts.getTime() + HOUR).toBeLessThanOrEqual(T0);
    expect((await lastRun()).details.symbols!['BTC/USD']!.unfinished_dropped).toBe(1);
  });

  for (const hostileValues of ['nan', 'negative', 'wrongTypes', 'inverted'] as const) {
    it(`rejects ${hostileValues} bars with their reasons and stores the rest`, async () => {
      await setup({ symbols: ['AAPL', 'ETH/USD'], simulator: { faults: { hostileValues } } });
      const summary = await runEtl(etl.deps, 'test');
      expect(summary.bars_rejected).toBeGreaterThan(0);
      const run = await lastRun();
      const rejected = Object.values(run.details.symbols!).flatMap((s) => s.rejected as { reason: string }[]);
      expect(rejected.length).toBeGreaterThan(0);
      for (const r of rejected) expect(r.reason).toMatch(/decimal|numeric|greater than 0|above|below|volume|datetime|not an object/);
      const { bad } = one(
        await db.sql<{ bad: number }[]>`
        select count(*) as bad from market.ssot
         where not (open > 0 and high > 0 and low > 0 and close > 0 and low <= least(open, close)
                    and high >= greatest(open, close) and (volume is null or volume >= 0))
            or open = 'NaN' or close = 'NaN' or high = 'NaN' or low = 'NaN'`,
      );
      expect(bad).toBe(0);
      // One bar in five is corrupted; the other four thousand load.
      expect(await countBars('ETH/USD')).toBe(4000);
    });
  }
});

describe('bar times across daylight-saving changes', () => {
  it('stores New York 09:30 as 14:30 UTC in winter and 13:30 UTC in summer (hourly)', async () => {
    await setup({ symbols: ['AAPL'], startAt: Date.parse('2026-03-12T20:00:00Z') });
    await runEtl(etl.deps, 'test');
    const opens = await db.sql<{ ts: Date }[]>`
      select ts from market.ssot where symbol = 'AAPL' and ts::date in ('2026-03-06', '2026-03-09') order by ts`;
    const firstOf = (day: string) => opens.find((row) => row.ts.toISOString().startsWith(day))!.ts.toISOString();
    expect(firstOf('2026-03-06')).toBe('2026-03-06T14:30:00.000Z');
    expect(firstOf('2026-03-09')).toBe('2026-03-09T13:30:00.000Z');
  });

  it('does the same across the autumn change', async () => {
    await setup({ symbols: ['AAPL'], startAt: Date.parse('2026-11-05T20:00:00Z') });
    await runEtl(etl.deps, 'test');
    const opens = await db.sql<{ ts: Date }[]>`
      select min(ts) as ts from market.ssot where symbol = 'AAPL' and ts::date in ('2026-10-30', '2026-11-02') group by ts::date order by 1`;
    expect(opens.map((row) => row.ts.toISOString())).toEqual(['2026-10-30T13:30:00.000Z', '2026-11-02T14:30:00.000Z']);
  });

  it('labels daily stock bars with the exchange-local midnight on both sides of the change', async () => {
    await setup({ symbols: ['AAPL', 'BTC/USD'], interval: '1day', startAt: Date.parse('2026-11-05T20:00:00Z') });
    await runEtl(etl.deps, 'test');
    const rows = await db.sql<{ symbol: string; ts: Date }[]>`
      select symbol, ts from market.ssot where ts between '2026-10-29' and '2026-11-04' order by symbol, ts`;
    const aapl = rows.filter((r) => r.symbol === 'AAPL').map((r) => r.ts.toISOString());
    expect(aapl).toContain('2026-10-30T04:00:00.000Z');
    expect(aapl).toContain('2026-11-02T05:00:00.000Z');
    const btc = rows.filter((r) => r.symbol === 'BTC/USD').map((r) => r.ts.toISOString());
    expect(btc).toContain('2026-11-01T00:00:00.000Z');
  });
});
