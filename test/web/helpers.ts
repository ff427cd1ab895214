import { emptySeries } from '../../web/src/series.ts';
import { NULLABLE_COLUMNS, PRICE_COLUMNS, type Series } from '../../web/src/types.ts';

/** A series whose every column is derived from `close`, so a row can be traced through a merge. */
export function makeSeries(symbol: string, rows: ReadonlyArray<readonly [ts: number, close: number]>): Series {
  const s = emptySeries(symbol);
  for (const [ts, close] of rows) {
    s.ts.push(ts);
    for (const c of PRICE_COLUMNS) s[c].push(close);
    for (const c of NULLABLE_COLUMNS) s[c].push(c === 'volume' ? null : close + 0.5);
  }
  return s;
}

export function rowsOf(s: Series): Array<[number, number]> {
  return s.ts.map((t, i) => [t, s.close[i]!]);
}

/** Epoch seconds of an ISO time, the unit the series API uses. */
export const sec = (iso: string): number => Date.parse(iso) / 1000;
