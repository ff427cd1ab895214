import type { Series } from './types.ts';

/**
 * The comparison: every symbol's close as a percent change from its return's base close
 * (market.returns), so stocks and crypto of any price level share one percent axis. Each line runs
 * from its base (0 %) to its return's newest bar, whose value is the return on its card. Stock bars
 * exist only in sessions (opening at :30) and crypto bars around the clock (at :00), so the chart
 * joins the lines on the union of their times, and the legend looks each line up on its own times.
 */

/** Where a symbol's line starts and ends: the base bar and the newest bar of its return (market.returns). */
export interface RebaseAnchor {
  /** Epoch seconds of the base bar: the line's 0 %. */
  baseTs: number;
  baseClose: number;
  /** Epoch seconds of the return's newest bar, the line's last point. */
  asOfTs: number;
  /** Its close: the line ends at exactly the return. */
  close: number;
}

/** One symbol's line on its own bar times, ascending. */
export interface RebasedLine {
  symbol: string;
  ts: number[];
  /** Percent change from the base close at each time; the first is 0 (the base). */
  pct: number[];
}

export interface Rebased {
  /** Symbols drawn, in the order asked for, each with its line and its column in `values`. */
  symbols: string[];
  lines: RebasedLine[];
  /** Epoch seconds, ascending: the union of every line's times. */
  ts: number[];
  /** One column per symbol on `ts`, null where that symbol has no bar. */
  values: Array<Array<number | null>>;
  /** The common calendar span, epoch seconds: from the earliest base to the newest bar of any line; null when nothing is drawn. */
  span: readonly [number, number] | null;
  /** Symbols without a base (history shorter than the range, or no return yet). */
  missing: string[];
}

/** The percent change from `base` to `close`, computed as market.returns computes change_pct, so the two agree exactly. */
export function pctChange(close: number, base: number): number {
  return 100 * (close / base - 1);
}

/**
 * Each symbol rebased to its anchor: a 0 % point at the base bar, then the symbol's bars after the
 * base and before the return's newest bar, then that bar from the return itself. Bars newer than
 * the return (a live update the returns have not caught up with) wait for it, so the line's end
 * and the card never disagree. A symbol without an anchor, or with a non-positive base, is missing.
 */
export function rebase(series: readonly Series[], anchors: ReadonlyMap<string, RebaseAnchor>): Rebased {
  const lines: RebasedLine[] = [];
  const missing: string[] = [];
  for (const s of series) {
    const a = anchors.get(s.symbol);
    if (!a || !(a.baseClose > 0) || a.asOfTs < a.baseTs) {
      missing.push(s.symbol);
      continue;
    }
    const ts = [a.baseTs];
    const pct = [0];
    for (let i = 0; i < s.ts.length; i++) {
      const t = s.ts[i]!;
      if (t <= a.baseTs || t >= a.asOfTs) continue;
      ts.push(t);
      pct.push(pctChange(s.close[i]!, a.baseClose));
    }
    if (a.asOfTs > a.baseTs) {
      ts.push(a.asOfTs);
      pct.push(pctChange(a.close, a.baseClose));
    }
    lines.push({ symbol: s.symbol, ts, pct });
  }

  const ts = [...new Set(lines.flatMap((l) => l.ts))].sort((a, b) => a - b);
  const at = new Map(ts.map((t, i) => [t, i]));
  const values = lines.map((l) => {
    const column: Array<number | null> = new Array(ts.length).fill(null);
    for (let i = 0; i < l.ts.length; i++) column[at.get(l.ts[i]!)!] = l.pct[i]!;
    return column;
  });
  const span = ts.length > 0 ? ([ts[0]!, ts[ts.length - 1]!] as const) : null;
  return { symbols: lines.map((l) => l.symbol), lines, ts, values, span, missing };
}

/**
 * The index of the last time at or before `t` in ascending `ts`, or -1 when all are later. The
 * legend's lookup: a stock at night or on a weekend shows its last session's value, not a blank.
 */
export function indexAtOrBefore(ts: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = ts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid]! <= t) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi;
}

/** A line's value at `t`: its nearest bar at or before `t`; null before its base. */
export function valueAt(line: RebasedLine, t: number): number | null {
  const i = indexAtOrBefore(line.ts, t);
  return i < 0 ? null : line.pct[i]!;
}
