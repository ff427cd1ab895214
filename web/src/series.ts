import { NULLABLE_COLUMNS, PRICE_COLUMNS, type Series, type SeriesColumn } from './types.ts';

export function emptySeries(symbol: string): Series {
  const s = { symbol, ts: [] as number[] } as Series;
  for (const c of PRICE_COLUMNS) s[c] = [];
  for (const c of NULLABLE_COLUMNS) s[c] = [];
  return s;
}

/**
 * Merges `incoming` rows into `base`, returning a new series sorted by `ts` with one row per `ts`.
 * A row of `incoming` replaces a `base` row with the same `ts` (the newest bar may be revised), and
 * within `incoming` the later row wins. Neither input is mutated, so the result is a new reference
 * that signals and `setData` see as a change.
 */
export function mergeSeries(base: Series | undefined, incoming: Series): Series {
  if (base && base.symbol !== incoming.symbol) {
    throw new Error(`cannot merge ${incoming.symbol} into ${base.symbol}`);
  }
  const rows = new Map<number, [Series, number]>();
  if (base) for (let i = 0; i < base.ts.length; i++) rows.set(base.ts[i]!, [base, i]);
  for (let i = 0; i < incoming.ts.length; i++) rows.set(incoming.ts[i]!, [incoming, i]);
  const order = [...rows.keys()].sort((a, b) => a - b);

  const out = emptySeries(incoming.symbol);
  out.ts = order;
  for (const t of order) {
    const [src, i] = rows.get(t)!;
    for (const c of PRICE_COLUMNS) out[c].push(src[c][i]!);
    for (const c of NULLABLE_COLUMNS) out[c].push(src[c][i] ?? null);
  }
  return out;
}

/** Epoch seconds of the newest bar, or undefined when there is none. */
export function lastTs(s: Series | undefined): number | undefined {
  return s?.ts[s.ts.length - 1];
}

export function isoFromEpochSeconds(sec: number): string {
  return new Date(sec * 1000).toISOString();
}

/** The rows at or after `from` (epoch seconds); the same series when nothing is older. */
export function trimBefore(s: Series, from: number): Series {
  let i = 0;
  while (i < s.ts.length && s.ts[i]! < from) i++;
  if (i === 0) return s;
  const out = { symbol: s.symbol, ts: s.ts.slice(i) } as Series;
  for (const c of PRICE_COLUMNS) out[c] = s[c].slice(i);
  for (const c of NULLABLE_COLUMNS) out[c] = s[c].slice(i);
  return out;
}

/** Where a window of `span` seconds ending at `newest` starts; undefined for the whole history. */
export function windowStart(newest: number | undefined, span: number | null): number | undefined {
  return span === null || newest === undefined ? undefined : newest - span;
}

/**
 * Whether every row of `incoming` is already in `held` (same bar time, same values in `columns`):
 * then merging it would change nothing a chart draws.
 */
export function holdsAlready(held: Series | undefined, incoming: Series, columns: readonly SeriesColumn[]): boolean {
  if (!held) return incoming.ts.length === 0;
  let j = held.ts.length - 1;
  for (let i = incoming.ts.length - 1; i >= 0; i--) {
    const t = incoming.ts[i]!;
    while (j >= 0 && held.ts[j]! > t) j--;
    if (j < 0 || held.ts[j] !== t) return false;
    for (const c of columns) if (held[c][j] !== incoming[c][i]) return false;
  }
  return true;
}
