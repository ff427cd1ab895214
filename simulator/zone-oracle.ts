/**
 * The simulator's own time-zone arithmetic, kept apart from functions/_shared/time.ts on purpose:
 * the simulator is the oracle the ETL's time handling is tested against, so it must not share that
 * code (a wrong offset in both would make wrong bars look right). It also works differently: offsets
 * come from Intl's `longOffset` names, cached per UTC day with transitions found by bisection,
 * because the simulator prices years of bars per request.
 *
 * Everything here is on "wall" milliseconds: a local date-time written as if it were UTC
 * (`Date.UTC(y, m, d, h, mi, s)`), so civil-date maths is plain integer maths and only the
 * offset lookup needs the zone database.
 */

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/**
 * The zone's canonical name, or null when Intl does not know it. The API documents IANA names as
 * case-sensitive, so a name that only matches after case-folding is refused; aliases
 * (`US/Eastern`) are fine.
 */
export function canonicalZone(name: string): string | null {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) return null;
  return resolved;
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Straight from the zone database; ~2 µs a call, so callers go through the per-day caches below. */
function lookupOffset(zone: string, utcMs: number): number {
  let f = offsetFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    offsetFormatters.set(zone, f);
  }
  // "11/25/2026, GMT-05:00"; plain "GMT" when the offset is zero.
  const m = /GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(f.format(new Date(utcMs)));
  if (!m?.[1]) return 0;
  const magnitude = (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0)) * 1000;
  return m[1] === '-' ? -magnitude : magnitude;
}

interface ZoneCache {
  /** UTC day number -> offset at 00:00 UTC that day. */
  dayStart: Map<number, number>;
  /** UTC day number -> first minute on the new offset, for days with a change. */
  transitions: Map<number, number>;
}

const CACHE_LIMIT = 100_000;
const zoneCaches = new Map<string, ZoneCache>();

function cacheFor(zone: string): ZoneCache {
  let cache = zoneCaches.get(zone);
  if (!cache || cache.dayStart.size >= CACHE_LIMIT) {
    cache = { dayStart: new Map(), transitions: new Map() };
    zoneCaches.set(zone, cache);
  }
  return cache;
}

function offsetAtDayStart(zone: string, cache: ZoneCache, day: number): number {
  let offset = cache.dayStart.get(day);
  if (offset === undefined) {
    offset = lookupOffset(zone, day * DAY_MS);
    cache.dayStart.set(day, offset);
  }
  return offset;
}

/** Real zones change offset at most once a UTC day, on a whole minute: find it by bisection. */
function transitionIn(zone: string, cache: ZoneCache, day: number, before: number): number {
  const cached = cache.transitions.get(day);
  if (cached !== undefined) return cached;
  let lo = day * DAY_MS;
  let hi = lo + DAY_MS;
  while (hi - lo > MINUTE_MS) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
    if (lookupOffset(zone, mid) === before) lo = mid;
    else hi = mid;
  }
  cache.transitions.set(day, hi);
  return hi;
}

/** Offset of `zone` from UTC at the instant `utcMs`, in ms (New York in winter: -5 h). */
function offsetAt(zone: string, utcMs: number): number {
  if (zone === 'UTC') return 0;
  const cache = cacheFor(zone);
  const day = Math.floor(utcMs / DAY_MS);
  const start = offsetAtDayStart(zone, cache, day);
  const end = offsetAtDayStart(zone, cache, day + 1);
  if (start === end) return start;
  return utcMs < transitionIn(zone, cache, day, start) ? start : end;
}

export function utcToWall(zone: string, utcMs: number): number {
  return utcMs + offsetAt(zone, utcMs);
}

/**
 * The instant a local wall time denotes. Ambiguous times (the repeated hour in autumn) take the
 * earlier instant; skipped times (the lost hour in spring) are read with the pre-transition offset,
 * landing just after the jump: the same rule as Temporal's `disambiguation: 'compatible'`.
 */
export function wallToUtc(zone: string, wallMs: number): number {
  if (zone === 'UTC') return wallMs;
  const before = offsetAt(zone, wallMs - DAY_MS);
  const after = offsetAt(zone, wallMs + DAY_MS);
  const candidates = [before, after]
    .map((offset) => wallMs - offset)
    .filter((utc) => utcToWall(zone, utc) === wallMs)
    .sort((a, b) => a - b);
  return candidates[0] ?? wallMs - before;
}

/** Days since 1970-01-01 of a wall time. */
export function wallDay(wallMs: number): number {
  return Math.floor(wallMs / DAY_MS);
}

/** 0 = Sunday ... 6 = Saturday; 1970-01-01 was a Thursday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

export function formatWallDate(wallMs: number): string {
  const d = new Date(wallMs);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function formatWallDateTime(wallMs: number): string {
  const d = new Date(wallMs);
  return `${formatWallDate(wallMs)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * Parses the API's date parameter forms (`2006-01-02`, `2006-01-02 15:04:05`,
 * `2006-01-02T15:04:05`) into wall ms; null when malformed or not a real calendar date.
 */
export function parseWall(text: string): number | null {
  const m = DATE_RE.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 2026-02-30 over into March; a real calendar date survives the round trip.
  return new Date(wall).getUTCDate() === d ? wall : null;
}
