import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readApi } from '../functions/_shared/http/read-api.ts';
import { seededRandom } from '../scripts/bench/stats.ts';
import { createDatabase, type TestDatabase } from './helpers/database.ts';

/**
 * market.series and market.latest on a real PostgreSQL, against an independent model of the
 * downsampling rule written out below (`expectedSeries`).
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Bar {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

interface SeriesRow {
  symbol: string;
  interval: string;
  ts: Date;
  high: number;
  low: number;
}

/** A random walk of bars at the given open times; `tick` rounds prices so that ties happen. */
function walk(times: readonly number[], seed: number, tick = 0): Bar[] {
  const next = seededRandom(seed);
  const round = (x: number) => (tick > 0 ? Math.max(tick, Math.round(x / tick) * tick) : x);
  let close = 100;
  return times.map((ts) => {
    const open = close;
    close = round(Math.max(1, open * (1 + (next() - 0.5) * 0.02)));
    const high = round(Math.max(open, close) * (1 + next() * 0.01));
    const low = round(Math.min(open, close) * (1 - next() * 0.01));
    return { ts, open, high, low, close };
  });
}

/** Open times of a NASDAQ-like session (14:30 to 20:30 UTC) on weekdays: gaps every night and weekend. */
function sessionHours(startMs: number, days: number): number[] {
  const times: number[] = [];
  for (let d = 0; d < days; d++) {
    const midnight = startMs + d * DAY;
    const weekday = new Date(midnight).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (let h = 0; h < 7; h++) times.push(midnight + 14.5 * HOUR + h * HOUR);
  }
  return times;
}

function hourly(startMs: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => startMs + i * HOUR);
}

/**
 * The rule market.series promises, computed from scratch: all bars when they fit; otherwise the
 * first and last bar, and for each of (m - 2) / 2 equal-time buckets between them (width: the
 * span in microseconds divided by the bucket count, plus one) its highest-high and lowest-low
 * bar, ties to the earlier bar.
 */
function expectedSeries(bars: readonly Bar[], maxPoints: number): number[] {
  if (bars.length <= maxPoints) return bars.map((b) => b.ts);
  const first = bars[0]!;
  const last = bars[bars.length - 1]!;
  const kept = new Set([first.ts, last.ts]);
  const buckets = Math.floor((maxPoints - 2) / 2);
  if (buckets > 0) {
    const spanUs = BigInt(last.ts - first.ts) * 1000n;
    const strideUs = spanUs / BigInt(buckets) + 1n;
    const best = new Map<bigint, { high: Bar; low: Bar }>();
    for (const bar of bars.slice(1, -1)) {
      const bucket = (BigInt(bar.ts - first.ts) * 1000n) / strideUs;
      const current = best.get(bucket);
      if (!current) {
        best.set(bucket, { high: bar, low: bar });
        continue;
      }
      if (bar.high > current.high.high) current.high = bar;
      if (bar.low < current.low.low) current.low = bar;
    }
    for (const { high, low } of best.values()) {
      kept.add(high.ts);
      kept.add(low.ts);
    }
  }
  return [...kept].sort((a, b) => a - b);
}

function inRange(bars: readonly Bar[], from: number | null, to: number | null): Bar[] {
  return bars.filter((b) => (from === null || b.ts >= from) && (to === null || b.ts <= to));
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('read functions', () => {
  let db: TestDatabase;
  const START = Date.parse('2025-01-06T00:00:00Z');
  // A stock with session gaps, a crypto pair around the clock, and one priced on a coarse tick
  // so that equal highs and lows within a bucket are common.
  const stock = walk(sessionHours(START, 420), 1);
  const crypto = walk(hourly(START, 3_000), 2);
  const ties = walk(hourly(START + 30 * DAY, 700), 3, 0.5);
  const stockDaily = walk(
    Array.from({ length: 60 }, (_, i) => START + i * DAY),
    4,
  );

  async function insertBars(symbol: string, interval: string, bars: readonly Bar[]): Promise<void> {
    await db.sql`
      insert into market.ssot (symbol, asset_type, interval, ts, open, high, low, close)
      select ${symbol}, a.asset_type, ${interval}, u.ts, u.open, u.high, u.low, u.close
        from market.asset as a,
             unnest(${bars.map((b) => iso(b.ts))}::timestamptz[], ${bars.map((b) => b.open)}::float8[],
                    ${bars.map((b) => b.high)}::float8[], ${bars.map((b) => b.low)}::float8[],
                    ${bars.map((b) => b.close)}::float8[]) as u(ts, open, high, low, close)
       where a.symbol = ${symbol}`;
  }

  async function series(symbols: string[], from: number | null, to: number | null, maxPoints: number, interval = '1h') {
    return await db.sql<SeriesRow[]>`
      select * from market.series(${symbols}::text[], ${interval}, ${iso(from)}::timestamptz, ${iso(to)}::timestamptz, ${maxPoints})`;
  }

  const times = (rows: readonly SeriesRow[]) => rows.map((r) => r.ts.getTime());

  beforeAll(async () => {
    db = await createDatabase();
    await db.sql`
      insert into market.asset (symbol, asset_type, exchange, currency, exchange_timezone) values
        ('STK', 'stock', 'NASDAQ', 'USD', 'America/New_York'),
        ('CRY/USD', 'crypto', 'Binance', 'USD', 'UTC'),
        ('TIE/USD', 'crypto', 'Binance', 'USD', 'UTC'),
        ('EMPTY', 'stock', 'NASDAQ', 'USD', 'America/New_York')`;
    await insertBars('STK', '1h', stock);
    await insertBars('CRY/USD', '1h', crypto);
    await insertBars('TIE/USD', '1h', ties);
    await insertBars('STK', '1day', stockDaily);
  });
  afterAll(async () => db?.drop());

  describe('market.series', () => {
    it('returns every bar, unchanged, when the range fits in p_max_points', async () => {
      const from = stock[100]!.ts;
      const to = stock[899]!.ts;
      const stored = await db.sql`
        select * from market.ssot where symbol = 'STK' and interval = '1h' and ts between ${iso(from)} and ${iso(to)} order by ts`;
      expect(stored).toHaveLength(800);
      for (const maxPoints of [800, 801, 10_000]) {
        expect(await series(['STK'], from, to, maxPoints)).toEqual(stored);
      }
    });

    it('never returns more than p_max_points bars per symbol, and always the first and the last', async () => {
      for (const maxPoints of [2, 3, 4, 5, 6, 10, 99, 100, 500, 1000, 2999]) {
        const rows = await series(['CRY/USD'], null, null, maxPoints);
        expect(rows.length, `p_max_points ${maxPoints}`).toBeLessThanOrEqual(maxPoints);
        expect(rows[0]!.ts.getTime()).toBe(crypto[0]!.ts);
        expect(rows.at(-1)!.ts.getTime()).toBe(crypto.at(-1)!.ts);
        const ts = times(rows);
        expect(ts).toEqual([...new Set(ts)].sort((a, b) => a - b));
      }
      // Around the clock every bucket holds bars, so at least one bar per bucket comes back
      // (two where the highest high and the lowest low are different bars).
      expect((await series(['CRY/USD'], null, null, 1000)).length).toBeGreaterThanOrEqual(2 + 499);
      expect((await series(['CRY/USD'], null, null, 101)).length).toBeGreaterThanOrEqual(2 + 49);
      expect(await series(['CRY/USD'], null, null, 3)).toHaveLength(2);
    });

    it('keeps the highest high and the lowest low of the range', async () => {
      const spikeAt = crypto[1234]!.ts;
      const dipAt = crypto[2345]!.ts;
      await db.sql`update market.ssot set high = 1e6 where symbol = 'CRY/USD' and ts = ${iso(spikeAt)}`;
      await db.sql`update market.ssot set low = 1e-6 where symbol = 'CRY/USD' and ts = ${iso(dipAt)}`;
      try {
        for (const maxPoints of [4, 10, 100]) {
          const rows = await series(['CRY/USD'], null, null, maxPoints);
          expect(rows.find((r) => r.ts.getTime() === spikeAt)?.high).toBe(1e6);
          expect(rows.find((r) => r.ts.getTime() === dipAt)?.low).toBe(1e-6);
        }
      } finally {
        await db.sql`update market.ssot set high = ${crypto[1234]!.high} where symbol = 'CRY/USD' and ts = ${iso(spikeAt)}`;
        await db.sql`update market.ssot set low = ${crypto[2345]!.low} where symbol = 'CRY/USD' and ts = ${iso(dipAt)}`;
      }
    });

    it("keeps exactly each bucket's highest-high and lowest-low bar, on session gaps too", async () => {
      for (const [symbol, bars] of [
        ['STK', stock],
        ['CRY/USD', crypto],
      ] as const) {
        for (const maxPoints of [4, 7, 50, 333, 1000]) {
          const rows = await series([symbol], null, null, maxPoints);
          expect(times(rows), `${symbol} p_max_points ${maxPoints}`).toEqual(expectedSeries(bars, maxPoints));
        }
      }
    });

    it('breaks ties toward the earlier bar, so the answer never changes', async () => {
      // Prices on a 0.5 tick: many buckets hold several bars with the same high or low.
      const first = await series(['TIE/USD'], null, null, 60);
      expect(times(first)).toEqual(expectedSeries(ties, 60));
      expect(await series(['TIE/USD'], null, null, 60)).toEqual(first);
    });

    it('matches the rule for any range and budget', async () => {
      const span = ties.length;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: span - 1 }),
          fc.integer({ min: 0, max: span - 1 }),
          fc.integer({ min: 2, max: 120 }),
          fc.boolean(),
          fc.boolean(),
          async (a, b, maxPoints, openFrom, openTo) => {
            const from = openFrom ? null : ties[Math.min(a, b)]!.ts;
            // Bounds that fall between bars (half past) must behave like the bars inside them.
            const to = openTo ? null : ties[Math.max(a, b)]!.ts + HOUR / 2;
            const rows = await series(['TIE/USD'], from, to, maxPoints);
            expect(times(rows)).toEqual(expectedSeries(inRange(ties, from, to), maxPoints));
          },
        ),
        { numRuns: 60, seed: 4242 },
      );
    });

    it('downsamples each symbol on its own and returns no other symbol or interval', async () => {
      const both = await series(['STK', 'CRY/USD'], null, null, 100);
      const stk = await series(['STK'], null, null, 100);
      const cry = await series(['CRY/USD'], null, null, 100);
      expect(both).toEqual([...cry, ...stk]);
      expect(new Set(both.map((r) => `${r.symbol} ${r.interval}`))).toEqual(new Set(['STK 1h', 'CRY/USD 1h']));
      // A symbol named twice counts once; unknown and empty symbols add nothing.
      expect(await series(['STK', 'STK', 'NOPE', 'EMPTY'], null, null, 100)).toEqual(stk);

      const daily = await series(['STK'], null, null, 10, '1day');
      expect(daily.every((r) => r.interval === '1day')).toBe(true);
      expect(times(daily)).toEqual(expectedSeries(stockDaily, 10));
    });

    it('includes bars exactly at p_from and p_to, and keeps them as the first and last', async () => {
      const from = crypto[500]!.ts;
      const to = crypto[1500]!.ts;
      const rows = await series(['CRY/USD'], from, to, 50);
      expect(rows[0]!.ts.getTime()).toBe(from);
      expect(rows.at(-1)!.ts.getTime()).toBe(to);
      expect(times(rows)).toEqual(expectedSeries(inRange(crypto, from, to), 50));

      const fromOnly = await series(['CRY/USD'], from, null, 50);
      expect([fromOnly[0]!.ts.getTime(), fromOnly.at(-1)!.ts.getTime()]).toEqual([from, crypto.at(-1)!.ts]);
      const toOnly = await series(['CRY/USD'], null, to, 50);
      expect([toOnly[0]!.ts.getTime(), toOnly.at(-1)!.ts.getTime()]).toEqual([crypto[0]!.ts, to]);
    });

    it('returns nothing for an empty range', async () => {
      const inside = crypto[1000]!.ts;
      expect(await series(['CRY/USD'], inside + HOUR, inside, 100)).toEqual([]);
      expect(await series(['CRY/USD'], inside + 60_000, inside + 120_000, 100)).toEqual([]);
      expect(await series(['CRY/USD'], Date.parse('2030-01-01T00:00:00Z'), null, 100)).toEqual([]);
      expect(await series([], null, null, 100)).toEqual([]);
      expect(await series(['EMPTY'], null, null, 100)).toEqual([]);
      // A single bar is both the first and the last.
      const one = await series(['CRY/USD'], inside, inside, 2);
      expect(times(one)).toEqual([inside]);
    });

    it('refuses a budget that cannot hold the first and the last bar', async () => {
      for (const maxPoints of [1, 0, -5, null]) {
        await expect(db.sql`select * from market.series(array['STK'], '1h', null, null, ${maxPoints}::integer)`).rejects.toMatchObject({
          code: '22023',
        });
      }
    });

    it("stays the HTTP API's columnar series", async () => {
      const app = readApi({ sql: db.sql, symbols: ['STK'], interval: '1h', simulated: true });
      const response = await app.request('/series?symbols=STK,CRY/USD&max_points=40');
      expect(response.status).toBe(200);
      const body = (await response.json()) as { series: { symbol: string; ts: number[]; high: number[]; close: number[] }[] };
      expect(body.series.map((s) => s.symbol)).toEqual(['STK', 'CRY/USD']);
      const [stk] = body.series;
      expect(stk!.ts).toEqual(expectedSeries(stock, 40).map((ms) => ms / 1000));
      expect(stk!.high).toHaveLength(stk!.ts.length);
    });
  });

  describe('market.latest', () => {
    it('gives the newest bar of every symbol that has one in the interval', async () => {
      const rows = await db.sql<{ symbol: string; ts: Date }[]>`select symbol, ts from market.latest('1h')`;
      expect(rows.map((r) => [r.symbol, r.ts.getTime()])).toEqual([
        ['CRY/USD', crypto.at(-1)!.ts],
        ['STK', stock.at(-1)!.ts],
        ['TIE/USD', ties.at(-1)!.ts],
      ]);
      const daily = await db.sql<{ symbol: string; ts: Date }[]>`select symbol, ts from market.latest('1day')`;
      expect(daily.map((r) => [r.symbol, r.ts.getTime()])).toEqual([['STK', stockDaily.at(-1)!.ts]]);
    });
  });
});
