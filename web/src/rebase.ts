import type { Series } from './types.ts';

/**
 * The comparison: every symbol's close rebased to 100 at its first bar in the window, so stocks and
 * crypto of any price level share one axis. Stock bars exist only in sessions and crypto bars around
 * the clock, so the symbols are joined on the union of their times, with null where one has no bar.
 */
export interface Rebased {
  /** Symbols drawn, in the order asked for, each with its column in `values`. */
  symbols: string[];
  /** Epoch seconds, ascending: the union of every drawn symbol's bar times. */
  ts: number[];
  values: Array<Array<number | null>>;
  /** Change over the window in percent, best first. */
  performance: Array<{ symbol: string; changePct: number }>;
  /** Symbols with no usable bar in the window. */
  missing: string[];
}

/** Where a symbol's line is 100: the close of its return's base bar (market.returns), from that bar on. */
export interface RebaseBase {
  /** Epoch seconds of the base bar. */
  ts: number;
  close: number;
}

/**
 * `bases` given: each symbol is rebased to its return's base close, so the line ends at exactly
 * 100 + the return shown in the ranking; a symbol without a base is missing. Otherwise each is
 * rebased to its first bar at or after `from`.
 */
export function rebase(series: readonly Series[], from?: number, bases?: ReadonlyMap<string, RebaseBase>): Rebased {
  const drawn: Array<{ symbol: string; ts: number[]; values: number[] }> = [];
  const missing: string[] = [];
  for (const s of series) {
    let start = 0;
    const given = bases?.get(s.symbol);
    const after = bases ? given?.ts : from;
    if (after !== undefined) while (start < s.ts.length && s.ts[start]! < after) start++;
    const base = bases ? given?.close : s.close[start];
    if (base === undefined || !(base > 0)) {
      missing.push(s.symbol);
      continue;
    }
    drawn.push({
      symbol: s.symbol,
      ts: s.ts.slice(start),
      values: s.close.slice(start).map((c) => (100 * c) / base),
    });
  }

  const ts = [...new Set(drawn.flatMap((d) => d.ts))].sort((a, b) => a - b);
  const at = new Map(ts.map((t, i) => [t, i]));
  const values = drawn.map((d) => {
    const column: Array<number | null> = new Array(ts.length).fill(null);
    for (let i = 0; i < d.ts.length; i++) column[at.get(d.ts[i]!)!] = d.values[i]!;
    return column;
  });
  const performance = drawn
    .map((d) => ({ symbol: d.symbol, changePct: d.values[d.values.length - 1]! - 100 }))
    .sort((a, b) => b.changePct - a.changePct);
  return { symbols: drawn.map((d) => d.symbol), ts, values, performance, missing };
}
