import type { Series } from './types.ts';

/** A watch-list card's figures over the rows shown (the selected range). */
export interface Kpi {
  last: number;
  /** Change from the first close shown to the last, in percent; null with a single bar. */
  changePct: number | null;
  high: number;
  low: number;
  /**
   * Standard deviation of the last 20 bars' log returns in percent (the SSOT's volatility_20):
   * how much one bar typically moves right now. Null until 21 bars exist.
   */
  volatilityPct: number | null;
}

export function kpi(s: Series | undefined): Kpi | null {
  const n = s?.ts.length ?? 0;
  if (!s || n === 0) return null;
  const first = s.close[0]!;
  const last = s.close[n - 1]!;
  let high = -Infinity;
  let low = Infinity;
  for (let i = 0; i < n; i++) {
    if (s.high[i]! > high) high = s.high[i]!;
    if (s.low[i]! < low) low = s.low[i]!;
  }
  let volatility: number | null = null;
  for (let i = n - 1; i >= 0 && volatility === null; i--) volatility = s.volatility_20[i] ?? null;
  return {
    last,
    changePct: n > 1 && first !== 0 ? (100 * (last - first)) / first : null,
    high,
    low,
    volatilityPct: volatility === null ? null : 100 * volatility,
  };
}
