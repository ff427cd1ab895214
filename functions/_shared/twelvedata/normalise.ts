import { type Interval, intervalMs, isIntraday } from '../intervals.ts';
import { parseNaiveDatetime, utcFromWallClock, wallClockAt } from '../time.ts';
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

/** Bars before this are not market data we believe (Twelve Data's history starts later). */
export const EARLIEST_BAR_MS = Date.UTC(1990, 0, 1);
/** Prices outside these bounds are feed errors, and would overflow the indicators' squares and ratios. */
export const MIN_PRICE = 1e-12;
export const MAX_PRICE = 1e9;
export const MAX_VOLUME = 1e15;
/** Longest number text read: enough for any real price; a longer one is refused before it is parsed. */
const MAX_NUMBER_TEXT = 40;
/** Plain decimals only: no hex (`0x64`), exponents (`1e308`), `Infinity`, signs other than minus, or blanks. */
const DECIMAL = /^-?\d+(\.\d+)?$/;

let ianaZones: Set<string> | null = null;
/** The IANA zones this runtime knows, plus `UTC`, which Intl accepts but does not list. */
export function isKnownTimeZone(zone: string): boolean {
  ianaZones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC']);
  return ianaZones.has(zone);
}

function assetMetaFrom(requestedSymbol: string, meta: TimeSeriesMeta): AssetMeta {
  const type = meta.type ?? '';
  if (type === 'Physical Currency') {
    throw new TwelveDataError('symbol', `${requestedSymbol} is a forex pair; Market Pulse stores stocks and crypto`);
  }
  // An unknown zone would make every daily date and every view over this symbol fail: refuse the symbol here.
  if (meta.exchange_timezone !== undefined && !isKnownTimeZone(meta.exchange_timezone)) {
    throw new TwelveDataError('bad-response', `exchange_timezone ${JSON.stringify(meta.exchange_timezone)} is not an IANA time zone`);
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

/**
 * Session opens (minutes after local midnight) that intraday bars count from, by exchange zone:
 * US stocks' hourly bars open at 09:30, 10:30, ... New York time. Elsewhere bars sit on the
 * interval's grid from local midnight (crypto: :00 UTC).
 */
const SESSION_OPEN_MINUTES: Record<string, number> = { 'America/New_York': 9 * 60 + 30 };

/** Why `ts` is not where a bar of this interval can open for this instrument, or null when it is. */
function offGrid(ts: number, datetime: string, interval: Interval, meta: AssetMeta): string | null {
  if (!isIntraday(interval)) {
    // Read from the label itself: local midnight may not exist on a day the clocks change.
    const local = parseNaiveDatetime(datetime);
    if (local?.hour !== 0 || local.minute !== 0 || local.second !== 0) {
      return `a ${interval} bar is labelled with a date, not a time of day`;
    }
    // Weekly bars are labelled with the week's Monday.
    if (interval === '1week' && new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay() !== 1) {
      return 'a 1week bar is labelled with a Monday';
    }
    return null;
  }
  const local = wallClockAt(ts, meta.exchangeTimezone);
  const minutes = local.hour * 60 + local.minute;
  const length = intervalMs(interval) / 60_000;
  const anchor = meta.assetType === 'stock' ? (SESSION_OPEN_MINUTES[meta.exchangeTimezone] ?? 0) : 0;
  if (local.second !== 0 || (((minutes - anchor) % length) + length) % length !== 0) {
    const hhmm = `${String(Math.floor(anchor / 60)).padStart(2, '0')}:${String(anchor % 60).padStart(2, '0')}`;
    return `off the ${interval} grid (bars open every ${length} min from ${hhmm} ${meta.exchangeTimezone})`;
  }
  return null;
}

/** A decimal number as text, or why not; bounds are checked by the caller. */
function decimal(value: unknown, field: string): number | string {
  if (typeof value !== 'string') return `${field} must be a decimal string, got ${describe(value)}`;
  if (value.length > MAX_NUMBER_TEXT) return `${field} is longer than ${MAX_NUMBER_TEXT} characters`;
  if (!DECIMAL.test(value)) return `${field} is not a decimal number (${JSON.stringify(value)})`;
  const number = Number(value);
  return Number.isFinite(number) ? number : `${field} is not finite`;
}

/** A short, safe description of any JSON value: never stringifies it (a deeply nested array would overflow the stack). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 20));
  if (typeof value === 'object') return 'an object';
  return typeof value === 'number' ? `the number ${String(value).slice(0, 24)}` : typeof value;
}

type BarFields = Record<string, unknown>;

/** The bar, or why it cannot be stored. */
function validateBar(raw: BarFields, ts: number): Bar | string {
  const prices: number[] = [];
  for (const field of ['open', 'high', 'low', 'close'] as const) {
    const value = decimal(raw[field], field);
    if (typeof value === 'string') return value;
    if (value <= 0) return 'prices must be greater than 0';
    if (value < MIN_PRICE || value > MAX_PRICE) return `${field} ${value} is outside the sane range ${MIN_PRICE} to ${MAX_PRICE}`;
    prices.push(value);
  }
  const [open, high, low, close] = prices as [number, number, number, number];
  if (low > Math.min(open, close)) return 'low is above open or close';
  if (high < Math.max(open, close)) return 'high is below open or close';
  let volume: number | null = null;
  if (raw.volume !== undefined && raw.volume !== null) {
    const value = decimal(raw.volume, 'volume');
    if (typeof value === 'string') return value;
    if (value < 0) return 'volume must be >= 0';
    if (value > MAX_VOLUME) return `volume ${value} is above the sane bound ${MAX_VOLUME}`;
    volume = value;
  }
  return { ts, open, high, low, close, volume };
}

export function normaliseSeries(requestedSymbol: string, interval: Interval, body: TimeSeriesOk, nowMs: number): NormalisedSeries {
  const meta = assetMetaFrom(requestedSymbol, body.meta);
  const length = intervalMs(interval);
  const byTs = new Map<number, Bar>();
  const rejected: RejectedBar[] = [];
  let unfinished = 0;
  let duplicates = 0;

  for (const value of body.values) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      rejected.push({ datetime: '', reason: `bar is not an object (${describe(value)})` });
      continue;
    }
    const raw = value as BarFields;
    const datetime = typeof raw.datetime === 'string' ? raw.datetime.slice(0, 40) : describe(raw.datetime);
    const ts = typeof raw.datetime === 'string' ? barOpenTime(raw.datetime, interval, meta) : null;
    if (ts === null) {
      rejected.push({ datetime, reason: 'datetime is not YYYY-MM-DD[ HH:MM:SS]' });
      continue;
    }
    if (ts < EARLIEST_BAR_MS) {
      rejected.push({ datetime, reason: 'bar is dated before 1990' });
      continue;
    }
    if (ts > nowMs) {
      rejected.push({ datetime, reason: 'bar opens in the future' });
      continue;
    }
    const grid = offGrid(ts, raw.datetime as string, interval, meta);
    if (grid !== null) {
      rejected.push({ datetime, reason: grid });
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
