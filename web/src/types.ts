/** Wire shapes of the server's read API and live stream (`GET /api/...`). */

export type AssetType = 'stock' | 'crypto';
export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'skipped';

export interface Config {
  symbols: string[];
  interval: string;
  simulated: boolean;
}

export interface LatestRow {
  symbol: string;
  asset_type: AssetType;
  exchange: string | null;
  currency: string | null;
  /** ISO time of the newest bar's open. */
  ts: string;
  close: number;
  change: number | null;
  change_pct: number | null;
}

export interface EtlRun {
  etl_run_id: number;
  started_at: string;
  finished_at: string | null;
  status: RunStatus;
  trigger: string;
  bars_upserted: number;
  credits_used: number;
  error: string | null;
}

/** Announced by the stream when bars are committed: the symbols that got bars, and the newest of those bars. */
export interface BarsEvent {
  interval: string;
  /** null when the announcement was too big for NOTIFY and left them out: any symbol may have changed. */
  symbols: string[] | null;
  max_ts: string;
}

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
export type PriceColumn = (typeof PRICE_COLUMNS)[number];
export type NullableColumn = (typeof NULLABLE_COLUMNS)[number];

/** One symbol's bars in columns: `ts` is epoch seconds, ascending (uPlot's x); every column has its length. */
export type Series = { symbol: string; ts: number[] } & Record<PriceColumn, number[]> &
  Record<NullableColumn, (number | null)[]>;
