import type { Rebased } from './rebase.ts';
import { isoFromEpochSeconds } from './series.ts';
import { NULLABLE_COLUMNS, PRICE_COLUMNS, SERIES_COLUMNS, type Series, type SeriesColumn } from './types.ts';

/** RFC 4180: CRLF line ends; a field with a comma, quote or line break is quoted, quotes doubled. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  const field = (v: string | number | null) => {
    if (v === null) return '';
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[header, ...rows].map((row) => row.map(field).join(',')).join('\r\n')}\r\n`;
}

/**
 * The comment line that states the files' clock: times stay ISO 8601 in UTC (what a spreadsheet or a
 * script reads without guessing), and the zone the dashboard showed them in is named beside it.
 */
export function timeComment(shownAs: string | undefined): string {
  return `# time: the bar's open, ISO 8601 in UTC${shownAs && shownAs !== 'UTC' ? ` (the dashboard showed ${shownAs})` : ''}`;
}

/** Lines starting with `#` say what a file holds; readers told to skip comments (pandas `comment='#'`) ignore them. */
function withComments(comments: readonly string[], csv: string): string {
  return comments.length === 0 ? csv : `${comments.join('\r\n')}\r\n${csv}`;
}

export const SERIES_CSV_COLUMNS = ['time', 'symbol', ...PRICE_COLUMNS, ...NULLABLE_COLUMNS] as const;

/**
 * Every row the chart shows, with every SSOT column it was drawn from (`columns`: those the
 * dashboard fetched, in the contract's order; all by default); times in UTC ISO, the zone the
 * dashboard showed (`shownAs`, e.g. "New York time (EST)") named in a comment line.
 */
export function seriesCsv(s: Series, columns: readonly SeriesColumn[] = SERIES_COLUMNS, shownAs?: string): string {
  const shown = SERIES_COLUMNS.filter((c) => columns.includes(c));
  const rows = s.ts.map((t, i) => [isoFromEpochSeconds(t), s.symbol, ...shown.map((c) => s[c][i] ?? null)]);
  return withComments(
    [`# Market Pulse: ${s.symbol}, ${rows.length} rows`, timeComment(shownAs)],
    toCsv(['time', 'symbol', ...shown], rows),
  );
}

/** A file name that says what is inside and is safe on every OS (`BTC/USD` -> `BTC-USD`). */
export function csvFileName(what: string, range: string, newest: number | undefined): string {
  const stamp = newest === undefined ? 'empty' : isoFromEpochSeconds(newest).slice(0, 16).replace(/:/g, '');
  return `market-pulse_${what.replace(/[^A-Za-z0-9._-]+/g, '-')}_${range}_${stamp}.csv`;
}

/** The comparison as drawn: one column per symbol in percent change from its base close, empty where it has no bar then. */
export function rebasedCsv(r: Rebased, range: string, shownAs?: string): string {
  return withComments(
    [
      `# Market Pulse comparison, range ${range}: percent change from each symbol's ${range} base close (market.returns)`,
      '# each line starts at 0 at its base bar and ends at its return',
      timeComment(shownAs),
    ],
    toCsv(
      ['time_utc', ...r.symbols],
      r.ts.map((t, i) => [isoFromEpochSeconds(t), ...r.values.map((column) => column[i] ?? null)]),
    ),
  );
}
