export type AssetType = 'stock' | 'crypto';

/** What Twelve Data's `meta` tells us about an instrument, normalised across asset classes. */
export interface AssetMeta {
  symbol: string;
  assetType: AssetType;
  exchange: string | null;
  currency: string | null;
  /** IANA zone the exchange labels its bars in; UTC for crypto. */
  exchangeTimezone: string;
}

/** One validated, closed OHLCV bar. `ts` is the bar's open time in UTC (epoch ms). */
export interface Bar {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** null where the source has no volume (crypto, forex). */
  volume: number | null;
}
