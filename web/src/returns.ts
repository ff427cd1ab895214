/**
 * Returns as the database defines them (market.returns, migration 20261130004000_returns): the cards, the comparison and its
 * ranking all show these numbers and never compute their own from the (thinned) chart points.
 */
import { formatCivilDate } from './format.ts';
import { ShapeError } from './parse.ts';
import type { Range } from './view.ts';

export const PERIODS = ['1D', '1W', '1M', '3M', '1Y', 'YTD', 'All'] as const;
export type Period = (typeof PERIODS)[number];

export interface ReturnRow {
  symbol: string;
  period: Period;
  /** The zone whose calendar days the return is counted in: the exchange's for stocks, UTC for crypto. */
  time_zone: string;
  /** ISO open time of the newest bar, whose close is the last price. */
  as_of: string;
  close: number;
  /** Trading day of the base close (`YYYY-MM-DD`), null when the history is too short. */
  base_date: string | null;
  base_ts: string | null;
  base_close: number | null;
  change: number | null;
  change_pct: number | null;
  /** First stored trading day. */
  first_date: string;
  short_history: boolean;
}

/** Symbol -> period -> its return. */
export type Returns = ReadonlyMap<string, ReadonlyMap<Period, ReturnRow>>;

/** The dashboard's ranges are the database's periods, one for one. */
export function periodOf(range: Range): Period {
  return range;
}

type Obj = Record<string, unknown>;

function field<T>(row: Obj, key: string, path: string, check: (v: unknown) => v is T, expected: string): T {
  const v = row[key];
  if (!check(v)) throw new ShapeError(`${path}.${key}`, expected);
  return v;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const orNull =
  <T>(check: (v: unknown) => v is T) =>
  (v: unknown): v is T | null =>
    v === null || check(v);
const isPeriod = (v: unknown): v is Period => (PERIODS as readonly unknown[]).includes(v);
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';

/** Numbers may arrive as strings from PostgREST's numeric; the server sends doubles. */
function toNumber(v: unknown): unknown {
  return typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
}

function isoOrNull(v: unknown): string | null {
  if (v === null) return null;
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw new ShapeError('returns.base_ts', 'an ISO time');
  return new Date(Date.parse(v)).toISOString();
}

export function parseReturns(body: unknown): ReturnRow[] {
  const rows = (body as Obj | null)?.rows;
  if (!Array.isArray(rows)) throw new ShapeError('rows', 'an array');
  return rows.map((raw, i) => {
    if (typeof raw !== 'object' || raw === null) throw new ShapeError(`rows[${i}]`, 'an object');
    const path = `rows[${i}]`;
    const row = { ...(raw as Obj) };
    for (const k of ['close', 'base_close', 'change', 'change_pct']) row[k] = toNumber(row[k]);
    return {
      symbol: field(row, 'symbol', path, isString, 'a string'),
      period: field(row, 'period', path, isPeriod, `one of ${PERIODS.join(', ')}`),
      time_zone: field(row, 'time_zone', path, isString, 'a string'),
      as_of: isoOrNull(field(row, 'as_of', path, isString, 'an ISO time'))!,
      close: field(row, 'close', path, isNumber, 'a number'),
      base_date: field(row, 'base_date', path, orNull(isString), 'a date or null'),
      base_ts: isoOrNull(row.base_ts ?? null),
      base_close: field(row, 'base_close', path, orNull(isNumber), 'a number or null'),
      change: field(row, 'change', path, orNull(isNumber), 'a number or null'),
      change_pct: field(row, 'change_pct', path, orNull(isNumber), 'a number or null'),
      first_date: field(row, 'first_date', path, isString, 'a date'),
      short_history: field(row, 'short_history', path, isBoolean, 'a boolean'),
    };
  });
}

export function indexReturns(rows: readonly ReturnRow[]): Returns {
  const out = new Map<string, Map<Period, ReturnRow>>();
  for (const r of rows) {
    let bySymbol = out.get(r.symbol);
    if (!bySymbol) {
      bySymbol = new Map();
      out.set(r.symbol, bySymbol);
    }
    bySymbol.set(r.period, r);
  }
  return out;
}

/** "Fri, Nov 27" (en-US), "Fr., 27. Nov." (de-DE): the base session's date, read as the civil date it is (no zone shift). */
export function formatBaseDate(date: string): string {
  return formatCivilDate(date);
}

/** What a card or the ranking says about where a return is measured from. */
export function baseLabel(row: ReturnRow | undefined, range: string): string {
  if (!row) return '';
  if (row.short_history || row.base_date === null) return `history shorter than ${range} (since ${formatBaseDate(row.first_date)})`;
  return `since ${formatBaseDate(row.base_date)} close`;
}
