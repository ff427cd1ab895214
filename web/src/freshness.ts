import { INTERVAL_SECONDS, isInterval } from '../../functions/_shared/contract.ts';
import { utcFromWallMs, zoneOffsetMs } from '../../functions/_shared/time.ts';
import type { AssetType } from './types.ts';

/**
 * Is a symbol's newest bar older than it should be? Crypto trades around the clock; US stocks only
 * in the regular session (09:30-16:00 New York time, Monday to Friday; holidays are not modelled),
 * so a weekend or a night adds no age. Data is stale once more trading time has passed since the
 * newest bar closed than one interval plus one ETL schedule period (hourly, or the interval when
 * longer): the run that should have brought the next bar has been missed.
 */

const STOCK_ZONE = 'America/New_York';
const SESSION_OPEN_MIN = 9 * 60 + 30;
const SESSION_CLOSE_MIN = 16 * 60;
const DAY_MS = 86_400_000;
/** Past this, counting session time day by day is pointless: the data is stale anyway. */
const MAX_DAYS = 14;

const SCHEDULE_MS = 3_600_000;

export function intervalSecondsOf(interval: string): number {
  return isInterval(interval) ? INTERVAL_SECONDS[interval] : 3600;
}

/** Milliseconds of regular US stock session between two instants. */
export function sessionMsBetween(fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return 0;
  const firstDay = Math.floor((fromMs + zoneOffsetMs(fromMs, STOCK_ZONE)) / DAY_MS);
  const lastDay = Math.floor((toMs + zoneOffsetMs(toMs, STOCK_ZONE)) / DAY_MS);
  let total = 0;
  for (let day = firstDay; day <= lastDay && day - firstDay <= MAX_DAYS; day++) {
    const weekday = new Date(day * DAY_MS).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const open = utcFromWallMs(day * DAY_MS + SESSION_OPEN_MIN * 60_000, STOCK_ZONE);
    const close = utcFromWallMs(day * DAY_MS + SESSION_CLOSE_MIN * 60_000, STOCK_ZONE);
    total += Math.max(0, Math.min(close, toMs) - Math.max(open, fromMs));
  }
  return total;
}

/** Trading time since the bar opening at `barTs` (epoch seconds) closed, in ms. */
export function marketAgeMs(assetType: AssetType, barTs: number, interval: string, nowMs: number): number {
  const closedAt = (barTs + intervalSecondsOf(interval)) * 1000;
  return assetType === 'crypto' ? Math.max(0, nowMs - closedAt) : sessionMsBetween(closedAt, nowMs);
}

export function staleAfterMs(interval: string): number {
  const length = intervalSecondsOf(interval) * 1000;
  return length + Math.max(length, SCHEDULE_MS);
}

export function isStale(assetType: AssetType, barTs: number, interval: string, nowMs: number): boolean {
  return marketAgeMs(assetType, barTs, interval, nowMs) > staleAfterMs(interval);
}
