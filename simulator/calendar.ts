import type { Interval } from '../functions/_shared/intervals.ts';
import { INTERVALS, intervalMs, isIntraday } from '../functions/_shared/intervals.ts';
import { DAY_MS, formatWallDate, MINUTE_MS, utcToWall, wallDay, wallToUtc, weekday } from './zone-oracle.ts';

/**
 * Every interval the real API accepts. `1month` is not one the product stores, but refusing it
 * would contradict the API's own "Supported intervals" list, so the simulator serves it too.
 */
export const API_INTERVALS = [...INTERVALS, '1month'] as const;
export type ApiInterval = (typeof API_INTERVALS)[number];

export function isApiInterval(value: string): value is ApiInterval {
  return (API_INTERVALS as readonly string[]).includes(value);
}

export function isIntradayInterval(interval: ApiInterval): boolean {
  return interval !== '1month' && isIntraday(interval);
}

/** Bars are served from this instant on; older requests get "No data". */
export const HISTORY_START_MS = Date.UTC(2020, 0, 1);

/** Where and when an instrument trades: its zone and its exchange's calendar (holidays, early closes). */
export interface Venue {
  zone: string;
  /** Session open and close in minutes after local midnight on a local day (days since 1970), or null: no trading. */
  sessionOn(day: number): readonly [number, number] | null;
}

/**
 * One bar's place in time. `ts` is its identity and label: the open time for intraday bars, local
 * midnight of the labelled date for daily and longer bars (what a client gets by reading the bare
 * date in the exchange zone). `from`/`to` bound the trading it covers; the bar is final once `to` has
 * passed, which for stocks is the 16:00 close even when the interval would run past it.
 */
export interface BarSlot {
  ts: number;
  from: number;
  to: number;
  /** Local date of the bar, the label of daily and longer bars. */
  date: string;
  /** How many sessions' worth of trading the bar covers (fractional intraday); scales volume. */
  sessions: number;
}

interface Period {
  firstDay: number;
  /** Exclusive. */
  endDay: number;
}

/** Day, week (Monday start) and month periods that end after `notBeforeDay`, newest first. */
function* periodsDescending(interval: ApiInterval, fromDay: number, notBeforeDay: number): Generator<Period> {
  if (interval === '1week') {
    let monday = fromDay - ((weekday(fromDay) + 6) % 7);
    for (; monday + 7 > notBeforeDay; monday -= 7) yield { firstDay: monday, endDay: monday + 7 };
    return;
  }
  if (interval === '1month') {
    const d = new Date(fromDay * DAY_MS);
    let year = d.getUTCFullYear();
    let month = d.getUTCMonth();
    for (;;) {
      const firstDay = wallDay(Date.UTC(year, month, 1));
      const endDay = wallDay(Date.UTC(year, month + 1, 1));
      if (endDay <= notBeforeDay) return;
      yield { firstDay, endDay };
      month -= 1;
      if (month < 0) {
        month = 11;
        year -= 1;
      }
    }
  }
  for (let day = fromDay; day + 1 > notBeforeDay; day -= 1) yield { firstDay: day, endDay: day + 1 };
}

function sessionBounds(venue: Venue, day: number): [number, number] {
  const [open, close] = venue.sessionOn(day) ?? [0, 0];
  return [wallToUtc(venue.zone, day * DAY_MS + open * MINUTE_MS), wallToUtc(venue.zone, day * DAY_MS + close * MINUTE_MS)];
}

/**
 * Bars with `notBeforeMs <= ts < beforeMs`, newest first, lazily: callers stop after the
 * `outputsize` they need, so a 30-bar request never walks back to 2020.
 */
export function* slotsDescending(venue: Venue, interval: ApiInterval, beforeMs: number, notBeforeMs: number): Generator<BarSlot> {
  const lower = Math.max(notBeforeMs, HISTORY_START_MS);
  if (beforeMs <= lower) return;
  const fromDay = wallDay(utcToWall(venue.zone, beforeMs - 1));
  // One day of slack: the zone offset decides which local day `lower` falls on.
  const notBeforeDay = wallDay(lower) - 1;
  const intraday = isIntradayInterval(interval);
  const lengthMs = interval === '1month' ? 0 : intervalMs(interval);

  for (const period of periodsDescending(intraday ? '1day' : interval, fromDay, notBeforeDay)) {
    const tradingDays: number[] = [];
    for (let day = period.firstDay; day < period.endDay; day += 1) {
      if (venue.sessionOn(day)) tradingDays.push(day);
    }
    const first = tradingDays[0];
    const last = tradingDays[tradingDays.length - 1];
    if (first === undefined || last === undefined) continue;

    if (intraday) {
      const [open, close] = sessionBounds(venue, first);
      const date = formatWallDate(first * DAY_MS);
      const count = Math.ceil((close - open) / lengthMs);
      for (let k = count - 1; k >= 0; k -= 1) {
        const ts = open + k * lengthMs;
        if (ts < lower) return;
        const to = Math.min(ts + lengthMs, close);
        if (ts < beforeMs) yield { ts, from: ts, to, date, sessions: (to - ts) / (close - open) };
      }
      continue;
    }

    const ts = wallToUtc(venue.zone, period.firstDay * DAY_MS);
    if (ts < lower) return;
    if (ts >= beforeMs) continue;
    const [from] = sessionBounds(venue, first);
    const [, to] = sessionBounds(venue, last);
    yield {
      ts,
      from,
      to,
      date: formatWallDate(period.firstDay * DAY_MS),
      sessions: tradingDays.length,
    };
  }
}

/** The bar whose identity is exactly `ts`, or null when no bar opens then. */
export function slotAt(venue: Venue, interval: Interval, ts: number): BarSlot | null {
  const next = slotsDescending(venue, interval, ts + 1, ts).next();
  return next.done || next.value.ts !== ts ? null : next.value;
}
