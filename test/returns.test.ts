import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wallClockAt } from '../functions/_shared/time.ts';
import { createDatabase, type TestDatabase } from './helpers/database.ts';
import { loadFromSimulator } from './helpers/simulated-etl.ts';

/**
 * market.returns(), the one definition of every return, on bars the real ETL loaded from the
 * simulator with its clock at four awkward moments. Each return is checked twice: against a table
 * of base dates worked out by hand from the NYSE calendar, and against the definition recomputed
 * here from the stored bars with Intl's time zones instead of SQL's.
 */

const SYMBOLS = ['AAPL', 'MSFT', 'BTC/USD'];
const PERIODS = ['1D', '1W', '1M', '3M', '1Y', 'YTD', 'All'] as const;

interface Bar {
  symbol: string;
  ts: Date;
  close: number;
}

interface ReturnRow {
  symbol: string;
  period: string;
  time_zone: string;
  as_of: Date;
  close: number;
  session_date: string;
  start_date: string;
  base_date: string | null;
  base_ts: Date | null;
  base_close: number | null;
  change: number | null;
  change_pct: number | null;
  first_date: string;
  short_history: boolean;
}

function localDate(ms: number, zone: string): string {
  const c = wallClockAt(ms, zone);
  return `${c.year}-${String(c.month).padStart(2, '0')}-${String(c.day).padStart(2, '0')}`;
}

/** A civil date moved back by days or months; month ends clamp (31 March - 1 month = 28 February). */
function back(date: string, by: { days?: number; months?: number }): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const monthIndex = y * 12 + (m - 1) - (by.months ?? 0);
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex % 12;
  const day = Math.min(d, new Date(Date.UTC(year, month + 1, 0)).getUTCDate());
  return new Date(Date.UTC(year, month, day) - (by.days ?? 0) * 86_400_000).toISOString().slice(0, 10);
}

/** The definition, recomputed from the bars: the close of day D is the last bar on a local date <= D. */
function expectedReturns(bars: Bar[], symbol: string, zone: string, anchorMs: number) {
  const own = bars.filter((b) => b.symbol === symbol);
  const newest = own.at(-1)!;
  const session = localDate(newest.ts.getTime(), zone);
  const anchor = localDate(anchorMs, zone);
  const closeOf = (date: string) => own.filter((b) => localDate(b.ts.getTime(), zone) <= date).at(-1) ?? null;
  const starts: Record<string, string | null> = {
    '1D': back(session, { days: 1 }),
    '1W': back(anchor, { days: 7 }),
    '1M': back(anchor, { months: 1 }),
    '3M': back(anchor, { months: 3 }),
    '1Y': back(anchor, { months: 12 }),
    YTD: `${Number(anchor.slice(0, 4)) - 1}-12-31`,
    All: null,
  };
  return PERIODS.map((period) => {
    const start = starts[period]!;
    const base = period === 'All' ? own[0]! : closeOf(start);
    return {
      period,
      base_date: base === null ? null : localDate(base.ts.getTime(), zone),
      base_ts: base?.ts ?? null,
      change_pct: base === null ? null : 100 * (newest.close / base.close - 1),
      short_history: base === null,
    };
  });
}

interface Scenario {
  name: string;
  /** The simulator's clock when the ETL ran. */
  now: string;
  /** Base dates by hand (NYSE holidays and all), period by period: 1D, 1W, 1M, 3M, 1Y, YTD. */
  aapl: (string | null)[];
  btc: (string | null)[];
  /** Extra checks on the base bar's open time. */
  baseTs?: Partial<Record<string, string>>;
}

const SCENARIOS: Scenario[] = [
  {
    // Monday 30 November 2026, 10:45 New York: one stock bar today. 1D is since Friday's close, an
    // early close (13:00), the day after Thanksgiving; the 1W start is last Monday.
    name: 'a Monday at 10:45 New York',
    now: '2026-11-30T15:45:00Z',
    aapl: ['2026-11-27', '2026-11-23', '2026-10-30', '2026-08-28', '2025-11-28', '2025-12-31'],
    btc: ['2026-11-29', '2026-11-23', '2026-10-30', '2026-08-30', null, null],
    // Friday's last bar opened at 12:30 New York (17:30 UTC): the session closed at 13:00.
    baseTs: { AAPL_1D: '2026-11-27T17:30:00.000Z', 'BTC/USD_1D': '2026-11-29T23:00:00.000Z' },
  },
  {
    // Sunday 29 November 2026: stocks' 1D is Friday against Wednesday (Thursday was Thanksgiving);
    // the other ranges reach back from Sunday for stocks and crypto alike.
    name: 'a Sunday',
    now: '2026-11-29T20:00:00Z',
    aapl: ['2026-11-25', '2026-11-20', '2026-10-29', '2026-08-28', '2025-11-28', '2025-12-31'],
    btc: ['2026-11-28', '2026-11-22', '2026-10-29', '2026-08-29', null, null],
  },
  {
    // Monday 9 March 2026, 10:45 New York, the day after clocks went forward: last week's bars were
    // EST, today's EDT. A week back is last Monday's close, 15:30 EST = 20:30 UTC, not an hour off.
    name: 'the day after a clock change',
    now: '2026-03-09T14:45:00Z',
    aapl: ['2026-03-06', '2026-03-02', '2026-02-09', '2025-12-09', '2025-03-07', '2025-12-31'],
    btc: ['2026-03-08', '2026-03-02', '2026-02-09', '2025-12-09', null, '2025-12-31'],
    baseTs: { AAPL_1D: '2026-03-06T20:30:00.000Z', AAPL_1W: '2026-03-02T20:30:00.000Z' },
  },
  {
    // Thanksgiving, Thursday 26 November 2026, noon New York: no session today, so a stock's last
    // price is Wednesday's close and its 1D is Wednesday against Tuesday.
    name: 'a holiday',
    now: '2026-11-26T17:00:00Z',
    aapl: ['2026-11-24', '2026-11-19', '2026-10-26', '2026-08-26', '2025-11-26', '2025-12-31'],
    btc: ['2026-11-25', '2026-11-19', '2026-10-26', '2026-08-26', null, null],
    baseTs: { AAPL_1D: '2026-11-24T20:30:00.000Z' },
  },
];

describe.each(SCENARIOS)('market.returns with the clock at $name', (scenario) => {
  let db: TestDatabase;
  let bars: Bar[];
  let rows: ReturnRow[];
  const nowMs = Date.parse(scenario.now);

  beforeAll(async () => {
    db = await createDatabase();
    const summary = await loadFromSimulator(db, SYMBOLS, nowMs);
    expect(summary.status).toBe('succeeded');
    bars = await db.sql<Bar[]>`select symbol, ts, close from market.ssot where interval = '1h' order by symbol, ts`;
    rows = await db.sql<ReturnRow[]>`
      select symbol, period, time_zone, as_of, close, session_date::text, start_date::text, base_date::text, base_ts,
             base_close, change, change_pct, first_date::text, short_history
        from market.returns(null, '1h')`;
  });
  afterAll(async () => db?.drop());

  it('measures from the base dates worked out by hand', () => {
    for (const [symbol, dates] of [
      ['AAPL', scenario.aapl],
      ['BTC/USD', scenario.btc],
    ] as const) {
      const got = rows.filter((r) => r.symbol === symbol && r.period !== 'All');
      expect(got.map((r) => r.period)).toEqual(['1D', '1W', '1M', '3M', '1Y', 'YTD']);
      expect(got.map((r) => r.base_date)).toEqual(dates);
      for (const r of got) {
        expect(r.short_history).toBe(r.base_date === null);
        if (r.base_date === null) expect(r.change_pct).toBeNull();
      }
    }
    for (const [key, ts] of Object.entries(scenario.baseTs ?? {})) {
      const [symbol, period] = key.split('_') as [string, string];
      expect(rows.find((r) => r.symbol === symbol && r.period === period)!.base_ts!.toISOString()).toBe(ts);
    }
  });

  it('agrees with the definition recomputed from the stored bars, for every symbol and range', () => {
    const anchorMs = Math.max(
      ...SYMBOLS.map((s) =>
        bars
          .filter((b) => b.symbol === s)
          .at(-1)!
          .ts.getTime(),
      ),
    );
    expect(anchorMs).toBeLessThan(nowMs);
    for (const symbol of SYMBOLS) {
      const zone = symbol.includes('/') ? 'UTC' : 'America/New_York';
      const got = rows.filter((r) => r.symbol === symbol);
      const newest = bars.filter((b) => b.symbol === symbol).at(-1)!;
      expect(got.every((r) => r.time_zone === zone && r.as_of.getTime() === newest.ts.getTime() && r.close === newest.close)).toBe(true);
      const want = expectedReturns(bars, symbol, zone, anchorMs);
      expect(got.map((r) => ({ period: r.period, base_date: r.base_date, base_ts: r.base_ts, short_history: r.short_history }))).toEqual(
        want.map((w) => ({ period: w.period, base_date: w.base_date, base_ts: w.base_ts, short_history: w.short_history })),
      );
      got.forEach((r, i) => {
        const pct = want[i]!.change_pct;
        if (pct === null) expect(r.change_pct).toBeNull();
        else {
          expect(r.change_pct!).toBeCloseTo(pct, 9);
          expect(r.change!).toBeCloseTo(r.close - r.base_close!, 9);
        }
      });
    }
  });

  it('aggregates daily and weekly bars from every stored bar, by New York session for stocks and UTC day for crypto', async () => {
    const full = await db.sql<
      { symbol: string; ts: Date; open: number; high: number; low: number; close: number; volume: number | null }[]
    >`
      select symbol, ts, open, high, low, close, volume from market.ssot where interval = '1h' order by symbol, ts`;
    for (const symbol of SYMBOLS) {
      const zone = symbol.includes('/') ? 'UTC' : 'America/New_York';
      const own = full.filter((b) => b.symbol === symbol);
      for (const resolution of ['1day', '1week'] as const) {
        const key = (b: { ts: Date }) => {
          const date = localDate(b.ts.getTime(), zone);
          if (resolution === '1day') return date;
          const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
          return back(date, { days: weekday });
        };
        const groups = new Map<string, typeof own>();
        for (const b of own) groups.set(key(b), [...(groups.get(key(b)) ?? []), b]);
        const want = [...groups.values()].map((g) => ({
          ts: g[0]!.ts,
          open: g[0]!.open,
          high: Math.max(...g.map((b) => b.high)),
          low: Math.min(...g.map((b) => b.low)),
          close: g.at(-1)!.close,
          bar_count: g.length,
        }));
        const got = await db.sql<{ ts: Date; open: number; high: number; low: number; close: number; bar_count: number }[]>`
          select ts, open, high, low, close, bar_count from market.bars(${[symbol]}::text[], ${resolution})`;
        expect(got).toEqual(want);
      }
      const hourly = await db.sql<{ ts: Date }[]>`select ts from market.bars(${[symbol]}::text[], '1h')`;
      expect(hourly.map((b) => b.ts)).toEqual(own.map((b) => b.ts));
    }
    // Thanksgiving has no stock bar; the day after, an early close, has four.
    if (scenario.now >= '2026-11-28') {
      const days = await db.sql<{ day: string; bar_count: number }[]>`
        select (ts at time zone 'America/New_York')::date::text as day, bar_count from market.bars(array['AAPL'], '1day', '2026-11-25', '2026-11-28')`;
      expect(days).toEqual([
        { day: '2026-11-25', bar_count: 7 },
        { day: '2026-11-27', bar_count: 4 },
      ]);
    }
  });

  it('gives a subset of symbols the same numbers as the whole list, and market.comparison the same again', async () => {
    const alone = await db.sql<ReturnRow[]>`select symbol, period, base_ts, change_pct from market.returns(array['AAPL'], '1h')`;
    expect(alone).toEqual(
      rows
        .filter((r) => r.symbol === 'AAPL')
        .map((r) => ({ symbol: r.symbol, period: r.period, base_ts: r.base_ts, change_pct: r.change_pct })),
    );
    const view = await db.sql<Record<string, number | null>[]>`
      select symbol, return_1d, return_1w, return_1m, return_ytd from market.comparison where interval = '1h' order by symbol`;
    for (const v of view) {
      const of = (period: string) => rows.find((r) => r.symbol === (v.symbol as unknown as string) && r.period === period)!.change_pct;
      expect([v.return_1d, v.return_1w, v.return_1m, v.return_ytd]).toEqual(['1D', '1W', '1M', 'YTD'].map(of));
    }
    expect(view.map((v) => v.symbol)).toEqual([...SYMBOLS].sort());
  });
});
