import type { ApiInterval } from './calendar.ts';
import { isApiInterval } from './calendar.ts';
import type { ApiError } from './errors.ts';
import { invalidInterval, invalidParameter, missingParameter, parameterTooLong } from './errors.ts';
import { canonicalZone, parseWall } from './zone-oracle.ts';

/**
 * `/time_series` query parameters, validated once per request. Names and values are
 * case-insensitive as the docs promise, except IANA zone names, which the docs call case-sensitive.
 * Empty values count as absent; unknown parameters (`source`, `exchange`, `format`...) are ignored.
 */
export interface TimeSeriesParams {
  /** As requested, trimmed, stray commas and repeats dropped. */
  symbols: string[];
  interval: ApiInterval;
  /** null: the API's default, 30 without date parameters and 5000 with them. */
  outputsize: number | null;
  /** null: the instrument's exchange zone. */
  timezone: string | null;
  /** Local wall times (see zone-oracle.ts), read in the request's zone per instrument. */
  startWall: number | null;
  endWall: number | null;
  date: { wall: number } | 'today' | 'yesterday' | null;
  order: 'asc' | 'desc';
  /** null: the instrument's own precision. */
  dp: number | null;
}

/** "Up to 120 symbols" per call, as an old SDK README says; current documentation gives no limit. */
export const MAX_SYMBOLS = 120;
export const MAX_OUTPUTSIZE = 5000;

const DATE_FORMS = '2006-01-02, 2006-01-02 15:04:05 or 2006-01-02T15:04:05';

/** Query parameters keyed by lower-cased name; the first occurrence wins. */
export function queryParams(url: URL): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of url.searchParams) {
    const key = name.toLowerCase();
    if (!params.has(key)) params.set(key, value);
  }
  return params;
}

export function parseTimeSeriesParams(query: Map<string, string>): TimeSeriesParams | ApiError {
  const get = (name: string): string | null => {
    const value = query.get(name)?.trim();
    return value ? value : null;
  };

  const symbolParam = get('symbol');
  const symbols = [
    ...new Set(
      (symbolParam ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (symbols.length === 0) return missingParameter('symbol');
  if (symbols.length > MAX_SYMBOLS) return parameterTooLong('symbol', MAX_SYMBOLS);

  const intervalParam = get('interval');
  if (intervalParam === null) return missingParameter('interval');
  const interval = intervalParam.toLowerCase();
  if (!isApiInterval(interval)) return invalidInterval(intervalParam);

  const outputsizeParam = get('outputsize');
  let outputsize: number | null = null;
  if (outputsizeParam !== null) {
    outputsize = /^\d+$/.test(outputsizeParam) ? Number(outputsizeParam) : Number.NaN;
    if (!(outputsize >= 1 && outputsize <= MAX_OUTPUTSIZE))
      return invalidParameter('outputsize', outputsizeParam, `1 to ${MAX_OUTPUTSIZE}`);
  }

  const timezoneParam = get('timezone');
  let timezone: string | null = null;
  if (timezoneParam !== null && timezoneParam.toLowerCase() !== 'exchange') {
    timezone = timezoneParam.toLowerCase() === 'utc' ? 'UTC' : canonicalZone(timezoneParam);
    if (timezone === null)
      return invalidParameter('timezone', timezoneParam, 'Exchange, UTC or an IANA time zone name such as America/New_York');
  }

  const walls = { start_date: null as number | null, end_date: null as number | null };
  for (const name of ['start_date', 'end_date'] as const) {
    const text = get(name);
    if (text === null) continue;
    walls[name] = parseWall(text);
    if (walls[name] === null) return invalidParameter(name, text, DATE_FORMS);
  }

  const dateParam = get('date');
  let date: TimeSeriesParams['date'] = null;
  if (dateParam !== null) {
    const lower = dateParam.toLowerCase();
    const wall = parseWall(dateParam);
    if (lower === 'today' || lower === 'yesterday') date = lower;
    else if (wall !== null) date = { wall };
    else return invalidParameter('date', dateParam, `today, yesterday or ${DATE_FORMS}`);
  }

  const orderParam = get('order');
  const order = (orderParam ?? 'desc').toLowerCase();
  if (order !== 'asc' && order !== 'desc') return invalidParameter('order', orderParam ?? '', 'asc, desc');

  const dpParam = get('dp');
  let dp: number | null = null;
  if (dpParam !== null) {
    const value = /^-?\d+$/.test(dpParam) ? Number(dpParam) : Number.NaN;
    if (!(value >= -1 && value <= 11)) return invalidParameter('dp', dpParam, '-1 to 11');
    dp = value === -1 ? null : value;
  }

  return { symbols, interval, outputsize, timezone, startWall: walls.start_date, endWall: walls.end_date, date, order, dp };
}
