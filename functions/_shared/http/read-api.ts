import { type Context, Hono } from 'hono';
import { z } from 'zod';
import {
  type Config,
  INTERVALS,
  type Interval,
  isSeriesColumn,
  type LatestRow,
  normaliseSymbol,
  SERIES_COLUMNS,
  type SeriesColumn,
  type SeriesEntry,
  type SeriesResponse,
  SYMBOL_HINT,
  SYMBOL_PATTERN,
} from '../contract.ts';
import type { Sql } from '../db.ts';
import { latestRun } from '../etl/runs.ts';
import { validationError } from './errors.ts';
import { withReadTimeout } from './read-timeout.ts';

/** The read API: thin wrappers over the SQL read functions, so every client sees the same answer. */

/**
 * How a route's answer reaches the client: `render` queries and returns the JSON body, `key` names
 * everything the answer depends on besides the data (two requests with one key get the same bytes).
 * The Node server hands in a cache of rendered, compressed answers (server/answer-cache.ts).
 */
export interface Answers {
  respond(c: Context, key: string, render: () => Promise<unknown>): Promise<Response>;
}

const uncached: Answers = {
  respond: async (c, _key, render) => c.json(await render()),
};

export interface ReadApiDeps {
  sql: Sql;
  symbols: readonly string[];
  interval: Interval;
  simulated: boolean;
  answers?: Answers;
}

const MINUTE_MS = 60_000;

/** An ISO time PostgreSQL can hold after rounding to the minute: no bar is older than 1990 or years away. */
const timestamp = z.iso
  .datetime({ offset: true })
  .refine((iso) => Date.parse(iso) >= Date.UTC(1900, 0, 1) && Date.parse(iso) < Date.UTC(9999, 0, 1), 'times between 1900 and 9999');

/** A whole number written as digits (not 0x10, 1e4 or 12.0). */
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'a whole number in digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** Points one series answer may hold across its symbols: eight symbols at one point per pixel of a wide screen. */
const MAX_TOTAL_POINTS = 40_000;

/**
 * Every bar opens on a whole minute, so rounding `from` up and `to` down to the minute selects the
 * same bars, and requests that differ by a clock tick share one answer.
 */
const instant = (round: (minutes: number) => number) =>
  timestamp.transform((iso) => new Date(round(Date.parse(iso) / MINUTE_MS) * MINUTE_MS).toISOString());

/** A comma-separated symbol list, each normalised (upper case) and checked against the contract's pattern. */
const symbolList = (max: number) =>
  z
    .string()
    .transform((raw) => [...new Set(raw.split(',').map(normaliseSymbol).filter(Boolean))])
    .pipe(z.array(z.string().regex(SYMBOL_PATTERN, SYMBOL_HINT)).min(1).max(max));

const columnList = z
  .string()
  .transform((raw) =>
    raw
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(z.string().refine(isSeriesColumn, `columns are some of ${SERIES_COLUMNS.join(',')}`))
      .min(1)
      .max(SERIES_COLUMNS.length),
  )
  // In the contract's order, once each: the same columns asked in another order are the same answer.
  .transform((wanted) => SERIES_COLUMNS.filter((c) => wanted.includes(c)));

const seriesQuery = z
  .strictObject({
    symbols: symbolList(50),
    interval: z.enum(INTERVALS).optional(),
    from: instant(Math.ceil).optional(),
    to: instant(Math.floor).optional(),
    max_points: wholeNumber(2, 10_000).default(1000),
    /** The columns to return besides `ts` (comma-separated); all of them when absent. */
    columns: columnList.optional(),
  })
  .refine((q) => q.symbols.length * q.max_points <= MAX_TOTAL_POINTS, {
    message: `symbols × max_points is at most ${MAX_TOTAL_POINTS}`,
    path: ['max_points'],
  });

const intervalQuery = z.strictObject({ interval: z.enum(INTERVALS).optional() });
/** Routes that take no parameters refuse any, like the others refuse unknown ones. */
const noQuery = z.strictObject({});

/**
 * The query string, one value per name; a name given twice keeps both values, so the route's
 * schema refuses it (400) instead of answering for the first one alone.
 */
function queryOf(c: Context): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(c.req.queries()).map(([name, values]) => [name, values.length === 1 ? values[0]! : values]));
}

type SeriesRow = { symbol: string; ts: Date } & Partial<Record<SeriesColumn, number | null>>;

/** Hourly bars are every stored row (a CSV export of one symbol): this many symbols per request. */
const HOURLY_BARS_SYMBOLS = 2;

const barsQuery = z
  .strictObject({
    symbols: symbolList(10),
    resolution: z.enum(['1h', '1day', '1week']).default('1day'),
    interval: z.enum(INTERVALS).optional(),
    // Rounded to the minute like the series' (bars open on one), so a clock tick is not a new answer.
    from: instant(Math.ceil).optional(),
    to: instant(Math.floor).optional(),
  })
  .refine((q) => q.resolution !== '1h' || q.symbols.length <= HOURLY_BARS_SYMBOLS, {
    message: `hourly bars are every stored row: at most ${HOURLY_BARS_SYMBOLS} symbols per request`,
    path: ['symbols'],
  });

/** Six years of hourly crypto bars; past it the answer is cut, oldest bars first. */
const BARS_LIMIT = 53_000;

type BarRow = {
  symbol: string;
  ts: Date;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
  time_zone: string;
};

const returnsQuery = z.strictObject({
  symbols: symbolList(50).optional(),
  interval: z.enum(INTERVALS).optional(),
});

/** Rows to one column array per field: what uPlot draws, and far smaller as JSON. */
function toColumnar(symbols: readonly string[], columns: readonly SeriesColumn[], rows: readonly SeriesRow[]): SeriesEntry[] {
  const bySymbol = new Map<string, { ts: number[]; values: (number | null)[][] }>();
  for (const symbol of symbols) bySymbol.set(symbol, { ts: [], values: columns.map(() => []) });
  for (const row of rows) {
    const series = bySymbol.get(row.symbol);
    if (!series) continue;
    series.ts.push(row.ts.getTime() / 1000);
    for (const [i, column] of columns.entries()) series.values[i]!.push(row[column] ?? null);
  }
  return [...bySymbol].map(
    ([symbol, { ts, values }]) =>
      ({
        symbol,
        ts,
        ...Object.fromEntries(columns.map((column, i) => [column, values[i]])),
      }) as SeriesEntry,
  );
}

/** What `GET /api/config` answers (the Node server also writes it into the page). */
export function publicConfig(deps: Pick<ReadApiDeps, 'symbols' | 'interval' | 'simulated'>): Config {
  return { symbols: [...deps.symbols], interval: deps.interval, simulated: deps.simulated };
}

export function readApi(deps: ReadApiDeps): Hono {
  const app = new Hono();
  const answers = deps.answers ?? uncached;

  app.get('/config', (c) => {
    const query = noQuery.safeParse(queryOf(c));
    if (!query.success) throw validationError(query.error);
    const config = publicConfig(deps);
    return answers.respond(c, 'config', async () => config);
  });

  app.get('/latest', (c) => {
    const query = intervalQuery.safeParse(queryOf(c));
    if (!query.success) throw validationError(query.error);
    const interval = query.data.interval ?? deps.interval;
    return answers.respond(c, `latest ${interval}`, async () => {
      const rows = await withReadTimeout(
        deps.sql,
        (tx) => tx<LatestRow[]>`
        select symbol, asset_type, exchange, currency, ts, close, change, change_pct
          from market.latest(${interval})`,
      );
      return { rows };
    });
  });

  app.get('/series', (c) => {
    const query = seriesQuery.safeParse(queryOf(c));
    if (!query.success) throw validationError(query.error);
    const { symbols, from = null, to = null, max_points: maxPoints } = query.data;
    const interval = query.data.interval ?? deps.interval;
    const columns = query.data.columns ?? SERIES_COLUMNS;
    const key = `series ${JSON.stringify([symbols, interval, from, to, maxPoints, columns])}`;
    return answers.respond(c, key, async (): Promise<SeriesResponse> => {
      const rows = await withReadTimeout(
        deps.sql,
        (tx) => tx<SeriesRow[]>`
        select symbol, ts, ${deps.sql(columns as SeriesColumn[])}
          from market.series(${symbols}::text[], ${interval}, ${from}::timestamptz, ${to}::timestamptz, ${maxPoints})`,
      );
      return { series: toColumnar(symbols, columns, rows) };
    });
  });

  // Not cached: the dashboard must see a run in progress the moment it asks (one row, read by key,
  // so it costs next to nothing).
  app.get('/runs/latest', async (c) => {
    const query = noQuery.safeParse(queryOf(c));
    if (!query.success) throw validationError(query.error);
    return c.json({ run: await withReadTimeout(deps.sql, latestRun) });
  });

  // Every return the dashboard shows (cards, comparison, ranking), from the one SQL definition.
  app.get('/returns', async (c) => {
    const query = returnsQuery.safeParse(queryOf(c));
    if (!query.success) throw validationError(query.error);
    const { symbols = null } = query.data;
    const interval = query.data.interval ?? deps.interval;
    return answers.respond(c, `returns ${JSON.stringify([symbols, interval])}`, async () => {
      const rows = await withReadTimeout(
        deps.sql,
        (tx) => tx`
        select symbol, asset_type, period, time_zone, as_of, close, session_date::text, start_date::text,
               base_date::text, base_ts, base_close, change, change_pct, first_date::text, short_history
          from market.returns(${symbols}::text[], ${interval})`,
      );
      return { rows };
    });
  });

  // OHLCV at the resolution a range needs (market.bars), every bar: the chart's candles and the CSV export.
  app.get('/bars', async (c) => {
    const query = barsQuery.safeParse(queryOf(c));
    if (!query.success) throw validationError(query.error);
    const { symbols, resolution, from = null, to = null } = query.data;
    const interval = query.data.interval ?? deps.interval;
    return answers.respond(c, `bars ${JSON.stringify([symbols, resolution, interval, from, to])}`, async () => {
      const rows = await withReadTimeout(
        deps.sql,
        (tx) => tx<BarRow[]>`
      select * from (
        select symbol, ts, open, high, low, close, volume, time_zone
          from market.bars(${symbols}::text[], ${resolution}, ${from}::timestamptz, ${to}::timestamptz, ${interval})
         order by ts desc limit ${BARS_LIMIT}) as newest
       order by symbol, ts`,
      );
      const series = symbols.map((symbol) => {
        const own = rows.filter((r) => r.symbol === symbol);
        return {
          symbol,
          resolution,
          time_zone: own[0]?.time_zone ?? null,
          ts: own.map((r) => r.ts.getTime() / 1000),
          open: own.map((r) => r.open),
          high: own.map((r) => r.high),
          low: own.map((r) => r.low),
          close: own.map((r) => r.close),
          volume: own.map((r) => r.volume),
        };
      });
      return { series };
    });
  });

  return app;
}
