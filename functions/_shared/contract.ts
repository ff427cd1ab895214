import * as z from 'zod/mini';

/**
 * The wire contract, declared once: what the read API answers and the live stream announces, and the
 * vocabulary both ends share (symbols, intervals, run statuses, series columns, plan defaults). The
 * server builds its answers from these names and the dashboard parses them with these schemas, so a
 * drift fails at the boundary instead of as NaN on a chart. `zod/mini` keeps the dashboard bundle
 * small; the module imports nothing runtime-specific, so Node, Deno and the Vite build all load it.
 */

/** Stocks as tickers, crypto as BASE/QUOTE; always upper case on the wire (inputs are upper-cased first). */
export const SYMBOL_PATTERN = /^[A-Z0-9.]{1,12}(\/[A-Z0-9]{1,12})?$/;
export const SYMBOL_HINT = 'symbols look like AAPL or BTC/USD';

/** How a symbol typed by a person or sent by a client becomes its wire form. */
export function normaliseSymbol(raw: string): string {
  return raw.trim().toUpperCase();
}

export const DEFAULT_SYMBOLS = ['AAPL', 'MSFT', 'GOOGL', 'AMZN', 'META', 'BTC/USD', 'ETH/USD', 'SOL/USD'];

/** Twelve Data's free plan: API credits per minute and per day. */
export const PLAN_DEFAULTS = { creditsPerMinute: 8, creditsPerDay: 800 } as const;

/** Twelve Data bar intervals this product stores, with their length in seconds. */
export const INTERVAL_SECONDS = {
  '1min': 60,
  '5min': 300,
  '15min': 900,
  '30min': 1800,
  '45min': 2700,
  '1h': 3600,
  '2h': 7200,
  '4h': 14_400,
  '8h': 28_800,
  '1day': 86_400,
  '1week': 604_800,
} as const;
export type Interval = keyof typeof INTERVAL_SECONDS;
export const INTERVALS = Object.keys(INTERVAL_SECONDS) as [Interval, ...Interval[]];

export function isInterval(value: string): value is Interval {
  return Object.hasOwn(INTERVAL_SECONDS, value);
}

export const ASSET_TYPES = ['stock', 'crypto'] as const;
export type AssetType = (typeof ASSET_TYPES)[number];

/** `market.etl_run.status`: 'running' until the run ends one of the other ways. */
export const RUN_STATUSES = ['running', 'succeeded', 'partial', 'failed', 'skipped'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Series columns never null (every bar has them) and those null where the source has none or too few bars. */
export const PRICE_COLUMNS = ['open', 'high', 'low', 'close'] as const;
export const NULLABLE_COLUMNS = [
  'volume',
  'sma_20',
  'sma_50',
  'ema_12',
  'ema_26',
  'rsi_14',
  'macd',
  'macd_signal',
  'macd_hist',
  'bb_upper',
  'bb_middle',
  'bb_lower',
  'volatility_20',
] as const;
export const SERIES_COLUMNS = [...PRICE_COLUMNS, ...NULLABLE_COLUMNS] as const;
export type PriceColumn = (typeof PRICE_COLUMNS)[number];
export type NullableColumn = (typeof NULLABLE_COLUMNS)[number];
export type SeriesColumn = (typeof SERIES_COLUMNS)[number];

export function isSeriesColumn(value: string): value is SeriesColumn {
  return (SERIES_COLUMNS as readonly string[]).includes(value);
}

// Each schema names what it expected, so a failure reads "latest.rows[0].close should be a finite number".
const str = z.string({ error: 'a string' });
const num = z.number({ error: 'a finite number' });
const nullableNum = z.nullable(num);
const bool = z.boolean({ error: 'a boolean' });
const isoTime = str.check(z.refine((s) => !Number.isNaN(Date.parse(s)), { error: 'an ISO time' }));
/** Rejects epoch milliseconds, the likeliest slip: they would plot tens of millennia ahead. */
const epochSeconds = num.check(z.refine((n) => Math.abs(n) < 1e11, { error: 'epoch seconds' }));
const array = <T extends z.core.SomeType>(item: T) => z.array(item, { error: 'an array' });
const object = <T extends z.core.$ZodLooseShape>(shape: T) => z.object(shape, { error: 'an object' });
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `one of ${values.join('|')}` });

/** `GET /api/config` */
export const configSchema = object({ symbols: array(str), interval: str, simulated: bool });
export type Config = z.infer<typeof configSchema>;

/** One row of `GET /api/latest` (`market.latest`). */
export const latestRowSchema = object({
  symbol: str,
  asset_type: oneOf(ASSET_TYPES),
  exchange: z.nullable(str),
  currency: z.nullable(str),
  /** ISO time of the newest bar's open. */
  ts: isoTime,
  close: num,
  change: nullableNum,
  change_pct: nullableNum,
});
export type LatestRow = z.infer<typeof latestRowSchema>;
export const latestSchema = object({ rows: array(latestRowSchema) });

/** A `market.etl_run` row without its diagnostics (`details`). */
export const etlRunSchema = object({
  etl_run_id: num,
  started_at: isoTime,
  finished_at: z.nullable(isoTime),
  status: oneOf(RUN_STATUSES),
  trigger: str,
  bars_upserted: num,
  credits_used: num,
  error: z.nullable(str),
});
export type EtlRun = z.infer<typeof etlRunSchema>;
/** `GET /api/runs/latest`: null before the first run. */
export const latestRunSchema = object({ run: z.nullable(etlRunSchema) });

/** The stream's `bars` event: who got bars, up to when. No symbols: too many for NOTIFY, any may have changed. */
export const barsEventSchema = object({
  interval: str,
  symbols: z.pipe(
    z.optional(z.nullable(array(str))),
    z.transform((v) => v ?? null),
  ),
  max_ts: isoTime,
});
export type BarsEvent = z.infer<typeof barsEventSchema>;

/**
 * One symbol's bars in columns (`GET /api/series`): `ts` in epoch seconds, ascending, and each column
 * asked for as long as `ts`. Columns not asked for are absent.
 */
export const seriesEntrySchema = object({
  symbol: str,
  ts: array(epochSeconds),
  ...Object.fromEntries(PRICE_COLUMNS.map((c) => [c, z.optional(array(num))])),
  ...Object.fromEntries(NULLABLE_COLUMNS.map((c) => [c, z.optional(array(nullableNum))])),
} as { symbol: typeof str; ts: z.ZodMiniArray<typeof epochSeconds> } & Record<PriceColumn, z.ZodMiniOptional<z.ZodMiniArray<typeof num>>> &
  Record<NullableColumn, z.ZodMiniOptional<z.ZodMiniArray<typeof nullableNum>>>);
export type SeriesEntry = z.infer<typeof seriesEntrySchema>;
export const seriesSchema = object({ series: array(seriesEntrySchema) });
export type SeriesResponse = z.infer<typeof seriesSchema>;
