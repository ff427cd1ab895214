import { Hono } from 'hono';
import { z } from 'zod';
import type { Sql } from '../db.ts';
import { INTERVALS, type Interval } from '../intervals.ts';
import { latestRun } from '../etl/runs.ts';
import { validationError } from './errors.ts';

/** The read API: thin wrappers over the SQL read functions, so every client sees the same answer. */

export interface ReadApiDeps {
  sql: Sql;
  symbols: readonly string[];
  interval: Interval;
  simulated: boolean;
}

const SYMBOL = /^[A-Za-z0-9.]{1,12}(\/[A-Za-z0-9]{1,12})?$/;

const seriesQuery = z.object({
  symbols: z.string().transform((raw) => raw.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(SYMBOL, 'symbols look like AAPL or BTC/USD')).min(1).max(50)),
  interval: z.enum(INTERVALS).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  max_points: z.coerce.number().int().min(2).max(10_000).default(1000),
});

const intervalQuery = z.object({ interval: z.enum(INTERVALS).optional() });

const barsQuery = z.object({
  symbols: z.string().transform((raw) => raw.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(SYMBOL, 'symbols look like AAPL or BTC/USD')).min(1).max(10)),
  resolution: z.enum(['1h', '1day', '1week']).default('1day'),
  interval: z.enum(INTERVALS).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

/** Enough for ten years of hourly crypto bars; past it the answer is cut, oldest bars first. */
const BARS_LIMIT = 100_000;

type BarRow = { symbol: string; ts: Date; open: number; high: number; low: number; close: number; volume: number | null; time_zone: string };

const returnsQuery = z.object({
  symbols: z.string().transform((raw) => raw.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(SYMBOL, 'symbols look like AAPL or BTC/USD')).min(1).max(50)).optional(),
  interval: z.enum(INTERVALS).optional(),
});

const SERIES_COLUMNS = [
  'open', 'high', 'low', 'close', 'volume', 'sma_20', 'sma_50', 'ema_12', 'ema_26', 'rsi_14',
  'macd', 'macd_signal', 'macd_hist', 'bb_upper', 'bb_middle', 'bb_lower', 'volatility_20',
] as const;
type SeriesColumn = (typeof SERIES_COLUMNS)[number];
type SeriesRow = { symbol: string; ts: Date } & Record<SeriesColumn, number | null>;
type ColumnarSeries = { symbol: string; ts: number[] } & Record<SeriesColumn, (number | null)[]>;

/** Rows to one column array per field: what uPlot draws, and far smaller as JSON. */
function toColumnar(symbols: readonly string[], rows: readonly SeriesRow[]): ColumnarSeries[] {
  const bySymbol = new Map<string, ColumnarSeries>();
  for (const symbol of symbols) {
    bySymbol.set(symbol, { symbol, ts: [], ...Object.fromEntries(SERIES_COLUMNS.map((c) => [c, []])) } as unknown as ColumnarSeries);
  }
  for (const row of rows) {
    const series = bySymbol.get(row.symbol);
    if (!series) continue;
    series.ts.push(row.ts.getTime() / 1000);
    for (const column of SERIES_COLUMNS) series[column].push(row[column]);
  }
  return [...bySymbol.values()];
}

export function readApi(deps: ReadApiDeps): Hono {
  const app = new Hono();

  app.get('/config', (c) => c.json({ symbols: deps.symbols, interval: deps.interval, simulated: deps.simulated }));

  app.get('/latest', async (c) => {
    const query = intervalQuery.safeParse(c.req.query());
    if (!query.success) throw validationError(query.error);
    const rows = await deps.sql`
      select symbol, asset_type, exchange, currency, ts, close, change, change_pct
        from market.latest(${query.data.interval ?? deps.interval})`;
    return c.json({ rows });
  });

  app.get('/series', async (c) => {
    const query = seriesQuery.safeParse(c.req.query());
    if (!query.success) throw validationError(query.error);
    const { symbols, interval, from, to, max_points: maxPoints } = query.data;
    const rows = await deps.sql<SeriesRow[]>`
      select symbol, ts, ${deps.sql(SERIES_COLUMNS as unknown as string[])}
        from market.series(${symbols}::text[], ${interval ?? deps.interval}, ${from ?? null}::timestamptz,
                           ${to ?? null}::timestamptz, ${maxPoints})`;
    return c.json({ series: toColumnar(symbols, rows) });
  });

  // Every return the dashboard shows (cards, comparison, ranking), from the one SQL definition.
  app.get('/returns', async (c) => {
    const query = returnsQuery.safeParse(c.req.query());
    if (!query.success) throw validationError(query.error);
    const { symbols, interval } = query.data;
    const rows = await deps.sql`
      select symbol, asset_type, period, time_zone, as_of, close, session_date::text, start_date::text,
             base_date::text, base_ts, base_close, change, change_pct, first_date::text, short_history
        from market.returns(${symbols ?? null}::text[], ${interval ?? deps.interval})`;
    return c.json({ rows });
  });

  // OHLCV at the resolution a range needs (market.bars), every bar: the chart's candles and the CSV export.
  app.get('/bars', async (c) => {
    const query = barsQuery.safeParse(c.req.query());
    if (!query.success) throw validationError(query.error);
    const { symbols, resolution, interval, from, to } = query.data;
    const rows = await deps.sql<BarRow[]>`
      select * from (
        select symbol, ts, open, high, low, close, volume, time_zone
          from market.bars(${symbols}::text[], ${resolution}, ${from ?? null}::timestamptz, ${to ?? null}::timestamptz,
                           ${interval ?? deps.interval})
         order by ts desc limit ${BARS_LIMIT}) as newest
       order by symbol, ts`;
    const series = symbols.map((symbol) => {
      const own = rows.filter((r) => r.symbol === symbol);
      return {
        symbol, resolution, time_zone: own[0]?.time_zone ?? null,
        ts: own.map((r) => r.ts.getTime() / 1000), open: own.map((r) => r.open), high: own.map((r) => r.high),
        low: own.map((r) => r.low), close: own.map((r) => r.close), volume: own.map((r) => r.volume),
      };
    });
    return c.json({ series });
  });

  app.get('/runs/latest', async (c) => c.json({ run: await latestRun(deps.sql) }));

  return app;
}
