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

const SESSION_SECONDS = 6.5 * 3600;
const TRADING_DAYS = 252;

/**
 * How many bars of `intervalSeconds` a year holds: crypto trades every second of 365 days; a stock
 * 252 sessions of 6.5 hours (an hourly session is 7 bars, the last one half an hour), a daily bar a
 * session, a weekly bar 52 a year.
 */
export function barsPerYear(assetType: string | undefined, intervalSeconds: number): number {
  if (assetType === 'crypto') return (365 * 86_400) / intervalSeconds;
  if (intervalSeconds >= 7 * 86_400) return 52;
  if (intervalSeconds >= 86_400) return TRADING_DAYS;
  return TRADING_DAYS * Math.ceil(SESSION_SECONDS / intervalSeconds);
}

/** The per-bar volatility scaled to a year (× √bars a year), so stocks, crypto and intervals compare. */
export function annualised(volatilityPct: number | null, assetType: string | undefined, intervalSeconds: number): number | null {
  return volatilityPct === null ? null : volatilityPct * Math.sqrt(barsPerYear(assetType, intervalSeconds));
}
