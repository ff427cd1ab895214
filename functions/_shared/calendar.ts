/**
 * Exchange calendars: which local dates an exchange trades, and its session's open and close on
 * each. The NYSE rules (NASDAQ observes the same holidays and early closes) are computed for any
 * year, so nothing here goes stale. Dates are civil dates (`YYYY-MM-DD`) in the exchange's zone;
 * instants go through the zone helpers in time.ts. Used by the simulator (which must not trade on
 * Thanksgiving) and by the dashboard's session logic (open now? previous close? next open?).
 */
import { utcFromWallClock, wallClockAt } from './time.ts';

export interface Session {
  /** Local date of the session, `YYYY-MM-DD`. */
  date: string;
  /** Minutes after local midnight. */
  openMinute: number;
  closeMinute: number;
  /** True on a day the exchange closes early (13:00 on the NYSE). */
  earlyClose: boolean;
}

export interface ExchangeCalendar {
  /** Short name shown to people: NYSE, 24/7. */
  name: string;
  zone: string;
  /** The session on a local date, or null when the exchange does not trade that day. */
  sessionOn(date: string): Session | null;
  /** Why a weekday has no session (`Thanksgiving Day`), or null. */
  holidayOn(date: string): string | null;
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a civil date. */
export function dayNumber(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function iso(year: number, month: number, day: number): string {
  return dateOfDay(Math.floor(Date.UTC(year, month - 1, day) / DAY_MS));
}

/** The n-th (1-based) given weekday of a month; n = -1 for the last. */
function nthWeekday(year: number, month: number, weekday: number, n: number): string {
  if (n > 0) {
    const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
    return iso(year, month, 1 + ((weekday - first + 7) % 7) + (n - 1) * 7);
  }
  const lastDate = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const last = new Date(Date.UTC(year, month - 1, lastDate)).getUTCDay();
  return iso(year, month, lastDate - ((last - weekday + 7) % 7));
}

/** Western Easter Sunday (the anonymous Gregorian computus: Meeus/Jones/Butcher). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return iso(year, month, day);
}

function shift(date: string, days: number): string {
  return dateOfDay(dayNumber(date) + days);
}

/**
 * NYSE weekend rule for fixed-date holidays: Saturday is observed on the Friday before, Sunday on
 * the Monday after. New Year's Day on a Saturday is not observed at all (the exchange keeps the
 * last trading day of the year open).
 */
function observed(date: string, allowFridayBefore = true): string | null {
  const wd = weekdayOf(date);
  if (wd === 6) return allowFridayBefore ? shift(date, -1) : null;
  if (wd === 0) return shift(date, 1);
  return date;
}

const nyseYears = new Map<number, { holidays: Map<string, string>; earlyCloses: Set<string> }>();

/** NYSE full-day holidays and 13:00 early closes of a year. */
export function nyseYear(year: number): { holidays: Map<string, string>; earlyCloses: Set<string> } {
  const cached = nyseYears.get(year);
  if (cached) return cached;
  const holidays = new Map<string, string>();
  const add = (date: string | null, name: string) => {
    if (date !== null) holidays.set(date, name);
  };
  add(observed(iso(year, 1, 1), false), "New Year's Day");
  add(nthWeekday(year, 1, 1, 3), 'Martin Luther King Jr. Day');
  add(nthWeekday(year, 2, 1, 3), "Washington's Birthday");
  add(shift(easterSunday(year), -2), 'Good Friday');
  add(nthWeekday(year, 5, 1, -1), 'Memorial Day');
  if (year >= 2022) add(observed(iso(year, 6, 19)), 'Juneteenth National Independence Day');
  add(observed(iso(year, 7, 4)), 'Independence Day');
  add(nthWeekday(year, 9, 1, 1), 'Labor Day');
  const thanksgiving = nthWeekday(year, 11, 4, 4);
  add(thanksgiving, 'Thanksgiving Day');
  add(observed(iso(year, 12, 25)), 'Christmas Day');

  const earlyCloses = new Set<string>();
  const early = (date: string) => {
    const wd = weekdayOf(date);
    if (wd >= 1 && wd <= 5 && !holidays.has(date)) earlyCloses.add(date);
  };
  // The day before Independence Day, when that is a weekday session (not when 4 July is a Monday
  // or is observed on Friday 3 July).
  if (weekdayOf(iso(year, 7, 4)) >= 2 && weekdayOf(iso(year, 7, 4)) <= 5) early(iso(year, 7, 3));
  early(shift(thanksgiving, 1));
  early(iso(year, 12, 24));
  const result = { holidays, earlyCloses };
  nyseYears.set(year, result);
  return result;
}

/** The NYSE/NASDAQ regular session: 09:30 to 16:00 New York time, 13:00 on early-close days. */
export const NYSE: ExchangeCalendar = {
  name: 'NYSE',
  zone: 'America/New_York',
  holidayOn(date) {
    return nyseYear(Number(date.slice(0, 4))).holidays.get(date) ?? null;
  },
  sessionOn(date) {
    const wd = weekdayOf(date);
    if (wd === 0 || wd === 6) return null;
    const year = nyseYear(Number(date.slice(0, 4)));
    if (year.holidays.has(date)) return null;
    const earlyClose = year.earlyCloses.has(date);
    return { date, openMinute: 9 * 60 + 30, closeMinute: earlyClose ? 13 * 60 : 16 * 60, earlyClose };
  },
};

/** Crypto: every UTC day, around the clock. */
export const ALWAYS_OPEN: ExchangeCalendar = {
  name: '24/7',
  zone: 'UTC',
  holidayOn: () => null,
  sessionOn: (date) => ({ date, openMinute: 0, closeMinute: 24 * 60, earlyClose: false }),
};

/** Any other exchange: weekdays, no holidays known; its stored sessions are the better guide. */
export function weekdaysIn(zone: string): ExchangeCalendar {
  return {
    name: zone,
    zone,
    holidayOn: () => null,
    sessionOn(date) {
      const wd = weekdayOf(date);
      return wd === 0 || wd === 6 ? null : { date, openMinute: 9 * 60 + 30, closeMinute: 16 * 60, earlyClose: false };
    },
  };
}

const US_EXCHANGES = new Set(['NASDAQ', 'NYSE', 'NYSE ARCA', 'NYSE AMERICAN', 'AMEX', 'BATS', 'CBOE', 'OTC']);

/** The calendar of an instrument as market.asset describes it. */
export function calendarFor(asset: { asset_type: string; exchange?: string | null; exchange_timezone?: string | null }): ExchangeCalendar {
  if (asset.asset_type === 'crypto') return ALWAYS_OPEN;
  const exchange = (asset.exchange ?? '').toUpperCase();
  if (US_EXCHANGES.has(exchange) || (!exchange && (asset.exchange_timezone ?? 'America/New_York') === 'America/New_York')) return NYSE;
  return weekdaysIn(asset.exchange_timezone ?? 'UTC');
}

/** Local date in the calendar's zone of an instant. */
export function localDate(calendar: ExchangeCalendar, utcMs: number): string {
  const c = wallClockAt(utcMs, calendar.zone);
  return iso(c.year, c.month, c.day);
}

/** The UTC instants a session opens and closes. */
export function sessionBounds(calendar: ExchangeCalendar, session: Session): { open: number; close: number } {
  const [y, m, d] = session.date.split('-').map(Number) as [number, number, number];
  const at = (minute: number) => {
    // 24:00 is the next day's midnight.
    const day = new Date(Date.UTC(y, m - 1, d) + Math.floor(minute / 1440) * DAY_MS);
    return utcFromWallClock(
      {
        year: day.getUTCFullYear(),
        month: day.getUTCMonth() + 1,
        day: day.getUTCDate(),
        hour: Math.floor((minute % 1440) / 60),
        minute: minute % 60,
        second: 0,
      },
      calendar.zone,
    );
  };
  return { open: at(session.openMinute), close: at(session.closeMinute) };
}

export interface MarketStatus {
  open: boolean;
  /** While open: when this session closes. */
  closesAt: number | null;
  /** While closed: when the next session opens (within the next 30 days). */
  opensAt: number | null;
}

/** Whether the exchange is trading at `nowMs`, and when that changes next. */
export function marketStatus(calendar: ExchangeCalendar, nowMs: number): MarketStatus {
  const today = dayNumber(localDate(calendar, nowMs));
  for (let day = today - 1; day <= today + 30; day += 1) {
    const session = calendar.sessionOn(dateOfDay(day));
    if (!session) continue;
    const { open, close } = sessionBounds(calendar, session);
    if (nowMs >= open && nowMs < close) return { open: true, closesAt: close, opensAt: null };
    if (open > nowMs) return { open: false, closesAt: null, opensAt: open };
  }
  return { open: false, closesAt: null, opensAt: null };
}

/** The last session that closed at or before `nowMs` (its date and close instant), within 30 days. */
export function previousClose(calendar: ExchangeCalendar, nowMs: number): { date: string; close: number } | null {
  const today = dayNumber(localDate(calendar, nowMs));
  for (let day = today; day >= today - 30; day -= 1) {
    const session = calendar.sessionOn(dateOfDay(day));
    if (!session) continue;
    const { close } = sessionBounds(calendar, session);
    if (close <= nowMs) return { date: session.date, close };
  }
  return null;
}
