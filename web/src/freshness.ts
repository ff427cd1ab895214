import { dateOfDay, dayNumber, localDate, NYSE, sessionBounds } from '../../functions/_shared/calendar.ts';
import { INTERVAL_SECONDS, isInterval } from '../../functions/_shared/contract.ts';
import type { AssetType } from './types.ts';

/**
 * Is a symbol's newest bar older than it should be? Crypto trades around the clock; US stocks only
 * in the NYSE's regular sessions (09:30-16:00 New York time, 13:00 on early-close days, none on
 * weekends and holidays: functions/_shared/calendar.ts), so a weekend, a holiday or a night adds no age. Data is stale once more trading time has passed since the
 * newest bar closed than one interval plus one ETL schedule period (hourly, or the interval when
 * longer): the run that should have brought the next bar has been missed.
 */

/** Past this, counting session time day by day is pointless: the data is stale anyway. */
const MAX_DAYS = 14;

const SCHEDULE_MS = 3_600_000;

export function intervalSecondsOf(interval: string): number {
  return isInterval(interval) ? INTERVAL_SECONDS[interval] : 3600;
}

/** Milliseconds of regular US stock session between two instants, on the NYSE's calendar (holidays, early closes). */
export function sessionMsBetween(fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return 0;
  const firstDay = dayNumber(localDate(NYSE, fromMs));
  const lastDay = dayNumber(localDate(NYSE, toMs));
  let total = 0;
  for (let day = firstDay; day <= lastDay && day - firstDay <= MAX_DAYS; day++) {
    const session = NYSE.sessionOn(dateOfDay(day));
    if (!session) continue;
    const { open, close } = sessionBounds(NYSE, session);
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
