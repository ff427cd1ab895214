import { type Interval, intervalMs, isIntraday } from '../intervals.ts';
import { parseNaiveDatetime, utcFromWallClock } from '../time.ts';
import type { AssetMeta, Bar } from '../types.ts';
import { TwelveDataError } from './errors.ts';
import type { TimeSeriesMeta, TimeSeriesOk } from './schemas.ts';

/**
 * Turns one symbol's /time_series body into closed, valid, UTC bars. A bad bar is rejected
 * with its reason and never stops the rest; unfinished and duplicate bars are counted.
 */

export interface RejectedBar {
  datetime: string;
  reason: string;
}

export interface NormalisedSeries {
  meta: AssetMeta;
  bars: Bar[];
  rejected: RejectedBar[];
  unfinished: number;
  duplicates: number;
}

function assetMetaFrom(requestedSymbol: string, meta: TimeSeriesMeta): AssetMeta {
  const type = meta.type ?? '';
  if (type === 'Physical Currency') {
    throw new TwelveDataError('symbol', `${requestedSymbol} is a forex pair; Market Pulse stores stocks and crypto`);
  }
  const crypto = type === 'Digital Currency' || (!meta.exchange_timezone && requestedSymbol.includes('/'));
  return {
    symbol: requestedSymbol,
    assetType: crypto ? 'crypto' : 'stock',
    exchange: meta.exchange || null,
    currency: meta.currency ?? (requestedSymbol.includes('/') ? requestedSymbol.split('/')[1]! : null),
    exchangeTimezone: meta.exchange_timezone ?? 'UTC',
  };
}

/**
 * Intraday bars are requested with timezone=UTC; daily and longer bars always come as
 * exchange-local dates, so they open at local midnight.
 */
function barOpenTime(datetime: string, interval: Interval, meta: AssetMeta): number | null {
  const clock = parseNaiveDatetime(datetime);
  if (!clock) return null;
  return utcFromWallClock(clock, isIntraday(interval) ? 'UTC' : meta.exchangeTimezone);
}

function price(value: unknown): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

type BarFields = Record<string, unknown>;

/** The bar, or why it cannot be stored. */
function validateBar(raw: BarFields, ts: number): Bar | string {
  const open = price(raw.open);
  const high = price(raw.high);
  const low = price(raw.low);
  const close = price(raw.close);
  if (open === null || high === null || low === null || close === null) {
    return 'open, high, low and close must be numeric strings';
  }
  if (open <= 0 || high <= 0 || low <= 0 || close <= 0) return 'prices must be greater than 0';
  if (low > Math.min(open, close)) return 'low is above open or close';
  if (high < Math.max(open, close)) return 'high is below open or close';
  let volume: number | null = null;
  if (raw.volume !== undefined && raw.volume !== null) {
    volume = price(raw.volume);
    if (volume === null || volume < 0) return 'volume must be a numeric string >= 0';
  }
  return { ts, open, high, low, close, volume };
}

export function normaliseSeries(
  requestedSymbol: string,
  interval: Interval,
  body: TimeSeriesOk,
  nowMs: number,
): NormalisedSeries {
  const meta = assetMetaFrom(requestedSymbol, body.meta);
  const length = intervalMs(interval);
  const byTs = new Map<number, Bar>();
  const rejected: RejectedBar[] = [];
  let unfinished = 0;
  let duplicates = 0;

  for (const value of body.values) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      rejected.push({ datetime: '', reason: `bar is not an object (${JSON.stringify(value)?.slice(0, 40)})` });
      continue;
    }
    const raw = value as BarFields;
    const datetime = typeof raw.datetime === 'string' ? raw.datetime : String(raw.datetime);
    const ts = typeof raw.datetime === 'string' ? barOpenTime(raw.datetime, interval, meta) : null;
    if (ts === null) {
      rejected.push({ datetime: datetime.slice(0, 40), reason: 'datetime is not YYYY-MM-DD[ HH:MM:SS]' });
      continue;
    }
    if (ts + length > nowMs) {
      unfinished += 1;
      continue;
    }
    const bar = validateBar(raw, ts);
    if (typeof bar === 'string') {
      rejected.push({ datetime, reason: bar });
      continue;
    }
    // A repeated bar replaces the earlier one: the API lists bars oldest first (order=asc),
    // so the later copy is the more recent revision.
    if (byTs.has(ts)) duplicates += 1;
    byTs.set(ts, bar);
  }

  const bars = [...byTs.values()].sort((a, b) => a.ts - b.ts);
  return { meta, bars, rejected, unfinished, duplicates };
}
