import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NYSE } from '../functions/_shared/calendar.ts';
import { DEFAULT_SYMBOLS } from '../functions/_shared/config.ts';
import { utcFromWallClock, wallClockAt } from '../functions/_shared/time.ts';
import { createDatabase, type TestDatabase } from './helpers/database.ts';
import { loadFromSimulator } from './helpers/simulated-etl.ts';

/**
 * The analyst views, market.rebased() and every query in sql/examples.sql, on the default
 * watch list loaded by the real ETL from the simulator, checked against the SSOT rows themselves.
 */

const HOUR = 3_600_000;
// A Wednesday afternoon in New York, as in the ETL tests: 5,000 hourly bars per symbol reach back
// to April for crypto (around the clock) and into 2024 for stocks (seven bars a weekday).
const NOW = Date.parse('2026-11-18T19:05:00Z');
const EXAMPLES = path.resolve(import.meta.dirname, '..', 'sql', 'examples.sql');

interface Bar {
  symbol: string;
  ts: Date;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
}

/** The trading day of a bar the way the views define it, computed with Intl instead of SQL. */
function tradingDay(tsMs: number, zone: string): string {
  const clock = wallClockAt(tsMs, zone);
  return `${clock.year}-${String(clock.month).padStart(2, '0')}-${String(clock.day).padStart(2, '0')}`;
}

/** `tsMs` moved by whole days or months on the wall clock of `zone`; month ends clamp like PostgreSQL's. */
function shiftWallClock(tsMs: number, zone: string, by: { days?: number; months?: number }): number {
  const clock = wallClockAt(tsMs, zone);
  const monthIndex = clock.year * 12 + (clock.month - 1) - (by.months ?? 0);
  const year = Math.floor(monthIndex / 12);
  const month = (monthIndex % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const shifted =
    Date.UTC(year, month - 1, Math.min(clock.day, lastDay), clock.hour, clock.minute, clock.second) - (by.days ?? 0) * 86_400_000;
  const date = new Date(shifted);
  return utcFromWallClock(
    {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: clock.hour,
      minute: clock.minute,
      second: clock.second,
    },
    zone,
  );
}

/** The statements of a SQL script with the comment lines above each, split outside strings and comments. */
function splitStatements(script: string): { title: string; sql: string }[] {
  const statements: { title: string; sql: string }[] = [];
  let current = '';
  let inString = false;
  for (let i = 0; i < script.length; i++) {
    const char = script[i]!;
    if (!inString && char === '-' && script[i + 1] === '-') {
      const end = script.indexOf('\n', i);
      current += script.slice(i, end === -1 ? script.length : end + 1);
      i = end === -1 ? script.length : end;
      continue;
    }
    if (char === "'") inString = !inString;
    if (char === ';' && !inString) {
      statements.push(titled(current));
      current = '';
      continue;
    }
    current += char;
  }
  if (current.replace(/--.*$/gm, '').trim()) statements.push(titled(current));
  return statements;
}

/** An example's title: the last comment line above it that reads `-- Title: ...`. */
function titled(text: string): { title: string; sql: string } {
  const titles = text
    .split('\n')
    .map((line) => /^--\s*([A-Z][^:]*):/.exec(line.trim())?.[1])
    .filter((t) => t !== undefined);
  return { title: titles.at(-1) ?? '', sql: text.trim() };
}

type Row = Record<string, unknown>;

interface DayRow {
  trading_day: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
  previous_close: number | null;
  change_pct: number | null;
  bars: number;
}
const num = (value: unknown) => (value === null ? null : Number(value));

/** What each example must show, beyond running and returning rows. */
const EXAMPLE_CHECKS: Record<string, (rows: Row[]) => void> = {
  'Latest prices': (rows) => {
    expect(rows.map((r) => r.symbol)).toEqual([...DEFAULT_SYMBOLS].sort());
  },
  'Daily summary': (rows) => {
    expect(rows).toHaveLength(20);
    for (const r of rows) {
      expect(num(r.high)!).toBeGreaterThanOrEqual(Math.max(num(r.open)!, num(r.close)!));
      expect(num(r.low)!).toBeLessThanOrEqual(Math.min(num(r.open)!, num(r.close)!));
      expect(r.volume === null).toBe(r.symbol === 'BTC/USD');
    }
  },
  Comparison: (rows) => {
    expect(rows.map((r) => r.symbol).sort()).toEqual([...DEFAULT_SYMBOLS].sort());
    const months = rows.map((r) => num(r.return_1m)!);
    expect(months).toEqual([...months].sort((a, b) => b - a));
    for (const r of rows) {
      for (const key of ['return_1d', 'return_1w', 'return_1m']) expect(Math.abs(num(r[key])!)).toBeLessThan(100);
    }
  },
  Rebased: (rows) => {
    expect(new Set(rows.map((r) => r.symbol))).toEqual(new Set(['AAPL', 'MSFT', 'BTC/USD']));
    for (const r of rows) expect(num(r.rebased)!).toBeGreaterThan(50);
    expect(rows.filter((r) => r.symbol === 'BTC/USD').length).toBeGreaterThanOrEqual(30);
  },
  Overbought: (rows) => {
    // Rounded to one decimal, so 70.04 reads 70.0.
    for (const r of rows) expect(num(r.rsi_14)!).toBeGreaterThanOrEqual(70);
  },
  'Golden cross': (rows) => {
    expect(rows.length).toBeLessThanOrEqual(20);
    for (const r of rows) expect(num(r.sma_20)!).toBeGreaterThan(num(r.sma_50)!);
  },
  'Volatility ranking': (rows) => {
    expect(rows.map((r) => Number(r.rank))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const volatility = rows.map((r) => num(r.volatility_30d)!);
    expect(volatility).toEqual([...volatility].sort((a, b) => b - a));
  },
  "A chart's worth of points": (rows) => {
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.length).toBeLessThanOrEqual(200);
  },
  Freshness: (rows) => {
    expect(rows[0]).toMatchObject({ status: 'succeeded', trigger: 'test' });
  },
};

describe('analyst views', () => {
  let db: TestDatabase;
  let bars: Bar[];
  const barsOf = (symbol: string) => bars.filter((b) => b.symbol === symbol);

  beforeAll(async () => {
    db = await createDatabase();
    const summary = await loadFromSimulator(db, DEFAULT_SYMBOLS, NOW);
    expect(summary.status).toBe('succeeded');
    bars = await db.sql<
      Bar[]
    >`select symbol, ts, open, high, low, close, volume from market.ssot where interval = '1h' order by symbol, ts`;
  });
  afterAll(async () => db?.drop());

  it('documents every view, its columns and the rebasing function', async () => {
    const columns = await db.sql<{ view: string; column: string; view_comment: string | null; column_comment: string | null }[]>`
      select c.relname as view, a.attname as column,
             obj_description(c.oid, 'pg_class') as view_comment, col_description(c.oid, a.attnum) as column_comment
        from pg_catalog.pg_class as c
        join pg_catalog.pg_attribute as a on a.attrelid = c.oid and a.attnum > 0
       where c.relnamespace = 'market'::regnamespace and c.relname in ('daily_summary', 'comparison')`;
    expect(new Set(columns.map((c) => c.view))).toEqual(new Set(['daily_summary', 'comparison']));
    expect(columns.filter((c) => !c.view_comment)).toEqual([]);
    // Columns named as in market.ssot mean what they mean there; every other one says what it is.
    const selfExplanatory = new Set(['symbol', 'asset_type', 'exchange', 'currency', 'close']);
    expect(columns.filter((c) => !c.column_comment && !selfExplanatory.has(c.column)).map((c) => `${c.view}.${c.column}`)).toEqual([]);
    const [rebased] = await db.sql<{ comment: string | null }[]>`
      select obj_description('market.rebased(text[], timestamptz, text, timestamptz)'::regprocedure, 'pg_proc') as comment`;
    expect(rebased!.comment).toMatch(/rebased to 100/);
  });

  describe('market.daily_summary', () => {
    const summarise = (symbol: string, zone: string) => {
      const days = new Map<string, Bar[]>();
      for (const bar of barsOf(symbol)) {
        const day = tradingDay(bar.ts.getTime(), zone);
        days.set(day, [...(days.get(day) ?? []), bar]);
      }
      let previous: number | null = null;
      return [...days].map(([day, dayBars]) => {
        const close = dayBars.at(-1)!.close;
        const row = {
          trading_day: day,
          open: dayBars[0]!.open,
          high: Math.max(...dayBars.map((b) => b.high)),
          low: Math.min(...dayBars.map((b) => b.low)),
          close,
          volume: dayBars[0]!.volume === null ? null : dayBars.reduce((sum, b) => sum + b.volume!, 0),
          previous_close: previous,
          change_pct: previous === null ? null : (100 * (close - previous)) / previous,
          bars: dayBars.length,
        };
        previous = close;
        return row;
      });
    };

    const fromView = async (symbol: string) =>
      await db.sql<DayRow[]>`
      select trading_day::text, open, high, low, close, volume, previous_close, change_pct, bars::int
        from market.daily_summary where symbol = ${symbol} and interval = '1h' order by trading_day`;

    it('aggregates a stock by its New York trading day', async () => {
      const expected = summarise('AAPL', 'America/New_York');
      const rows = await fromView('AAPL');
      expect(rows).toHaveLength(expected.length);
      rows.forEach((row, i) => {
        const want = expected[i]!;
        expect({ ...row, volume: null, change_pct: null }).toEqual({ ...want, volume: null, change_pct: null });
        expect(row.volume!).toBeCloseTo(want.volume!, 6);
        if (want.change_pct === null) expect(row.change_pct).toBeNull();
        else expect(row.change_pct!).toBeCloseTo(want.change_pct, 9);
      });
      // A full NASDAQ session: 09:30 to 16:00 in seven hourly bars, the last one half an hour; an
      // early close (13:00) has four. Only the first day loaded and today (Wednesday 14:05) are partial.
      for (const r of rows.slice(1, -1)) expect(r.bars).toBe(NYSE.sessionOn(r.trading_day)!.earlyClose ? 4 : 7);
      expect(rows.filter((r) => r.bars === 4).length).toBeGreaterThan(0);
    });

    it('aggregates crypto by its UTC day, without volume', async () => {
      const expected = summarise('BTC/USD', 'UTC');
      const rows = await fromView('BTC/USD');
      expect(rows.map((r) => r.trading_day)).toEqual(expected.map((e) => e.trading_day));
      rows.forEach((row, i) => {
        expect(row.volume).toBeNull();
        expect([row.open, row.high, row.low, row.close, row.previous_close, row.bars]).toEqual([
          expected[i]!.open,
          expected[i]!.high,
          expected[i]!.low,
          expected[i]!.close,
          expected[i]!.previous_close,
          expected[i]!.bars,
        ]);
      });
      expect(rows.slice(1, -1).every((r) => r.bars === 24)).toBe(true);
    });

    it("puts a session that spans two UTC dates on its exchange's date, and crypto on UTC dates", async () => {
      // Sydney trades 10:00 to 16:00 local, which in November (UTC+11) is 23:00 to 05:00 UTC.
      await db.sql`
        insert into market.asset (symbol, asset_type, exchange, currency, exchange_timezone) values
          ('BHP', 'stock', 'ASX', 'AUD', 'Australia/Sydney'), ('ZONE/USD', 'crypto', 'Binance', 'USD', 'UTC')`;
      const times = Array.from({ length: 6 }, (_, i) => new Date(Date.parse('2026-11-16T23:00:00Z') + i * HOUR).toISOString());
      try {
        for (const symbol of ['BHP', 'ZONE/USD']) {
          await db.sql`
            insert into market.ssot (symbol, asset_type, interval, ts, open, high, low, close, volume)
            select ${symbol}, a.asset_type, '1h', t.ts, 10, 11, 9, 10 + t.n, case when a.asset_type = 'stock' then 100 end
              from market.asset as a, unnest(${times}::timestamptz[]) with ordinality as t(ts, n)
             where a.symbol = ${symbol}`;
        }
        const days = await db.sql<{ symbol: string; trading_day: string; bars: number; close: number; volume: number | null }[]>`
          select symbol, trading_day::text, bars::int, close, volume from market.daily_summary
           where symbol in ('BHP', 'ZONE/USD') order by symbol, trading_day`;
        expect(days).toEqual([
          { symbol: 'BHP', trading_day: '2026-11-17', bars: 6, close: 16, volume: 600 },
          { symbol: 'ZONE/USD', trading_day: '2026-11-16', bars: 1, close: 11, volume: null },
          { symbol: 'ZONE/USD', trading_day: '2026-11-17', bars: 5, close: 16, volume: null },
        ]);
      } finally {
        // The other tests see the default watch list only.
        await db.sql`delete from market.ssot where symbol in ('BHP', 'ZONE/USD')`;
        await db.sql`delete from market.asset where symbol in ('BHP', 'ZONE/USD')`;
      }
    });
  });

  describe('market.comparison', () => {
    /** The definition (migration 20261130004000_returns): the close of day D is the last bar on a local date <= D; see test/returns.test.ts. */
    const expectedReturns = (symbol: string, zone: string) => {
      const history = barsOf(symbol);
      const newest = history.at(-1)!;
      const anchorMs = Math.max(...DEFAULT_SYMBOLS.map((s) => barsOf(s).at(-1)!.ts.getTime()));
      const closeOf = (date: string) => history.filter((b) => tradingDay(b.ts.getTime(), zone) <= date).at(-1) ?? null;
      const pct = (base: Bar | null) => (base === null ? null : 100 * (newest.close / base.close - 1));
      const session = tradingDay(newest.ts.getTime(), zone);
      const anchor = tradingDay(anchorMs, zone);
      const dayBefore = (date: string, days: number) =>
        new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
      const monthBefore = tradingDay(shiftWallClock(Date.parse(`${anchor}T12:00:00Z`), 'UTC', { months: 1 }), 'UTC');
      const ytdBase = closeOf(`${Number(anchor.slice(0, 4)) - 1}-12-31`);
      return {
        as_of: newest.ts,
        close: newest.close,
        return_1d: pct(closeOf(dayBefore(session, 1))),
        return_1w: pct(closeOf(dayBefore(anchor, 7))),
        return_1m: pct(closeOf(monthBefore)),
        return_ytd: pct(ytdBase),
        ytd_base_ts: ytdBase?.ts ?? null,
      };
    };

    const fromView = async (symbol: string) => {
      const rows = await db.sql<Row[]>`
        select as_of, close, return_1d, return_1w, return_1m, return_ytd, ytd_base_ts
          from market.comparison where symbol = ${symbol} and interval = '1h'`;
      expect(rows).toHaveLength(1);
      return rows[0]!;
    };

    it("measures a stock's returns on New York's calendar, year to date from the last 2025 close", async () => {
      const row = await fromView('AAPL');
      const want = expectedReturns('AAPL', 'America/New_York');
      expect(row).toEqual(want);
      // The last bar of 2025: 15:30 in New York on Wednesday 31 December.
      expect((row.ytd_base_ts as Date).toISOString()).toBe('2025-12-31T20:30:00.000Z');
    });

    it('measures crypto on UTC days, and has no year-to-date return when history starts this year', async () => {
      for (const symbol of ['BTC/USD', 'ETH/USD', 'SOL/USD']) {
        const row = await fromView(symbol);
        expect(row).toEqual(expectedReturns(symbol, 'UTC'));
        expect(row.return_1d).not.toBeNull();
        expect(row.return_ytd).toBeNull();
        expect(row.ytd_base_ts).toBeNull();
      }
    });

    it('lists a row per symbol and stored interval only', async () => {
      const rows = await db.sql<{ symbol: string; interval: string }[]>`
        select symbol, interval from market.comparison where symbol = any (${DEFAULT_SYMBOLS as string[]}::text[]) order by symbol`;
      expect(rows).toEqual([...DEFAULT_SYMBOLS].sort().map((symbol) => ({ symbol, interval: '1h' })));
    });
  });

  describe('market.rebased', () => {
    it("is 100 at each symbol's first bar at or after the start and scales every close by it", async () => {
      // Half past the hour: crypto's first bar after it is on the hour, AAPL's is the next session bar.
      const start = Date.parse('2026-11-02T15:30:00Z') + 10 * 60_000;
      const end = Date.parse('2026-11-10T00:00:00Z');
      const rows = await db.sql<{ symbol: string; interval: string; ts: Date; close: number; rebased: number }[]>`
        select * from market.rebased(array['AAPL', 'BTC/USD'], ${new Date(start)}, '1h', ${new Date(end)})`;
      for (const symbol of ['AAPL', 'BTC/USD']) {
        const expected = barsOf(symbol).filter((b) => b.ts.getTime() >= start && b.ts.getTime() <= end);
        const got = rows.filter((r) => r.symbol === symbol);
        expect(got.map((r) => r.ts)).toEqual(expected.map((b) => b.ts));
        expect(got[0]!.rebased).toBe(100);
        for (const [i, r] of got.entries()) expect(r.rebased).toBeCloseTo((100 * expected[i]!.close) / expected[0]!.close, 10);
      }
      expect(rows.map((r) => r.symbol)).toEqual([...rows.map((r) => r.symbol)].sort());
      expect(new Set(rows.map((r) => r.interval))).toEqual(new Set(['1h']));
    });

    it('runs to the newest bar without an end, and is empty past it', async () => {
      const rows = await db.sql`select * from market.rebased(array['ETH/USD'], ${new Date(NOW - 10 * HOUR)})`;
      expect(rows.map((r) => (r.ts as Date).getTime())).toEqual(
        barsOf('ETH/USD')
          .slice(-9)
          .map((b) => b.ts.getTime()),
      );
      expect(await db.sql`select * from market.rebased(array['ETH/USD'], ${new Date(NOW)})`).toEqual([]);
    });
  });

  describe('sql/examples.sql', () => {
    it('runs every statement as written, and each returns sensible rows', async () => {
      const statements = splitStatements(await readFile(EXAMPLES, 'utf8'));
      expect(statements.map((s) => s.title)).toEqual(Object.keys(EXAMPLE_CHECKS));
      for (const { title, sql } of statements) {
        const rows = await db.sql.unsafe<Row[]>(sql).catch((error: Error) => {
          throw new Error(`example "${title}" failed: ${error.message}`);
        });
        expect(rows.length, title).toBeGreaterThan(0);
        for (const row of rows) {
          for (const value of Object.values(row)) {
            if (typeof value === 'number') expect(Number.isFinite(value), `${title}: ${JSON.stringify(row)}`).toBe(true);
          }
        }
        EXAMPLE_CHECKS[title]!(rows);
      }
    });

    it('stays outside the migrations', async () => {
      const { readMigrations } = await import('../server/migrate.ts');
      expect((await readMigrations()).map((f) => f.fileName)).not.toContain('examples.sql');
    });
  });
});
