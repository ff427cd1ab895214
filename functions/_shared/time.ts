/**
 * Wall-clock times in IANA zones, with only Intl (no tz database of our own), so the same
 * code runs on Node, Deno and in the browser: the ETL reads Twelve Data's naive local
 * datetimes with it, and the dashboard places the New York session. The simulator keeps an
 * independent implementation (simulator/zone-oracle.ts) on purpose, so a mistake here cannot
 * hide behind the same mistake in the data the tests are checked against.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall clock in `timeZone` at the UTC instant `utcMs`. */
export function wallClockAt(utcMs: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(utcMs)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

function wallClockAsUtc(clock: WallClock): number {
  return Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second);
}

/** How far `timeZone` is ahead of UTC at the instant `utcMs`, in ms. */
export function zoneOffsetMs(utcMs: number, timeZone: string): number {
  return wallClockAsUtc(wallClockAt(utcMs, timeZone)) - Math.floor(utcMs / 1000) * 1000;
}

const DAY = 86_400_000;

/**
 * The UTC instant at which the wall clock in `timeZone` reads `clock`. In the autumn hour
 * that occurs twice the earlier instant is returned; a time in the spring gap (which no
 * bar carries) resolves to the later offset's reading.
 */
export function utcFromWallClock(clock: WallClock, timeZone: string): number {
  return utcFromWallMs(wallClockAsUtc(clock), timeZone);
}

/**
 * The same for a wall clock written as if it were UTC (`Date.UTC(y, m, d, h, mi, s)`), the form
 * in which civil-date arithmetic (whole days, minutes after midnight) is plain addition.
 */
export function utcFromWallMs(naive: number, timeZone: string): number {
  if (timeZone === 'UTC') return naive;
  // Zones are at most 14 h from UTC and change offset at most once a day, so the offsets in
  // force a day either side include every reading of this wall clock.
  const candidates = [-DAY, 0, DAY].map((shift) => naive - zoneOffsetMs(naive + shift, timeZone));
  const exact = candidates.filter((utc) => wallClockAsUtc(wallClockAt(utc, timeZone)) === naive);
  return exact.length > 0 ? Math.min(...exact) : Math.max(...candidates);
}

const NAIVE_DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** Parses Twelve Data's `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`; null when malformed. */
export function parseNaiveDatetime(text: string): WallClock | null {
  const match = NAIVE_DATETIME.exec(text);
  if (!match) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = match;
  const clock = { year: +y!, month: +mo!, day: +d!, hour: +h, minute: +mi, second: +s };
  const check = new Date(wallClockAsUtc(clock));
  const valid =
    check.getUTCFullYear() === clock.year &&
    check.getUTCMonth() + 1 === clock.month &&
    check.getUTCDate() === clock.day &&
    clock.hour < 24 &&
    clock.minute < 60 &&
    clock.second < 60;
  return valid ? clock : null;
}

/** `YYYY-MM-DD HH:MM:SS` of a UTC instant, the form Twelve Data takes for start_date/end_date. */
export function formatUtcDatetime(utcMs: number): string {
  return new Date(utcMs).toISOString().slice(0, 19).replace('T', ' ');
}
