/**
 * The SSOT's indicator columns, computed as one streaming pass over a symbol's closes.
 *
 * Rebuild and the hourly incremental run both go through `step`, so they give bit-for-bit
 * the same numbers: an incremental run restores the state from the last stored rows
 * (`restoreState`) instead of re-reading the whole history. Definitions are the contract
 * in docs/indicators.md (SMA-seeded EMAs, Wilder RSI, population-sd Bollinger bands, sample-sd volatility).
 */

export interface Indicators {
  change: number | null;
  change_pct: number | null;
  log_return: number | null;
  sma_20: number | null;
  sma_50: number | null;
  ema_12: number | null;
  ema_26: number | null;
  rsi_14: number | null;
  macd: number | null;
  macd_signal: number | null;
  macd_hist: number | null;
  bb_upper: number | null;
  bb_middle: number | null;
  bb_lower: number | null;
  volatility_20: number | null;
}

/** Wilder's running averages are not derivable from rsi_14, so they are stored beside it. */
export interface IndicatorRow extends Indicators {
  rsi_avg_gain: number | null;
  rsi_avg_loss: number | null;
}

export const INDICATOR_COLUMNS = [
  'change',
  'change_pct',
  'log_return',
  'sma_20',
  'sma_50',
  'ema_12',
  'ema_26',
  'rsi_14',
  'macd',
  'macd_signal',
  'macd_hist',
  'bb_upper',
  'bb_middle',
  'bb_lower',
  'volatility_20',
] as const satisfies readonly (keyof Indicators)[];

const RSI_PERIOD = 14;
const SIGNAL_PERIOD = 9;
const LONGEST_WINDOW = 50;
const VOLATILITY_WINDOW = 20;

/**
 * How many bars of history `restoreState` needs: every seed buffer is complete once
 * 50 closes exist (EMA 26 seeds at bar 26, the MACD signal at bar 34, RSI at bar 15).
 */
export const RESTORE_WINDOW = LONGEST_WINDOW;

export interface IndicatorState {
  /** Bars seen so far. */
  count: number;
  /** The most recent closes, newest last, at most LONGEST_WINDOW. */
  closes: number[];
  /** The most recent log returns, newest last, at most VOLATILITY_WINDOW. */
  logReturns: number[];
  ema12: number | null;
  ema26: number | null;
  /** MACD values collected until the signal line can be seeded. */
  macdSeed: number[];
  macdSignal: number | null;
  /** Close-to-close changes collected until Wilder's averages can be seeded. */
  rsiSeed: number[];
  avgGain: number | null;
  avgLoss: number | null;
}

export function emptyState(): IndicatorState {
  return {
    count: 0,
    closes: [],
    logReturns: [],
    ema12: null,
    ema26: null,
    macdSeed: [],
    macdSignal: null,
    rsiSeed: [],
    avgGain: null,
    avgLoss: null,
  };
}

function mean(values: readonly number[], from: number): number {
  let sum = 0;
  for (let i = from; i < values.length; i++) sum += values[i]!;
  return sum / (values.length - from);
}

/** Mean of the last n values, or null when fewer exist. Summed oldest first, so the result depends only on the window. */
function tailMean(values: readonly number[], n: number): number | null {
  return values.length < n ? null : mean(values, values.length - n);
}

/** Standard deviation of the last n values with the given divisor offset (0: population, 1: sample). */
function tailStdDev(values: readonly number[], n: number, ddof: 0 | 1): number | null {
  if (values.length < n) return null;
  const from = values.length - n;
  const m = mean(values, from);
  let squares = 0;
  for (let i = from; i < values.length; i++) squares += (values[i]! - m) ** 2;
  return Math.sqrt(squares / (n - ddof));
}

/** EMA seeded with the SMA of its first n inputs; `history` holds the inputs seen so far, newest last. */
function nextEma(previous: number | null, value: number, history: readonly number[], n: number, count: number): number | null {
  if (count < n) return null;
  if (previous === null) return tailMean(history, n);
  const alpha = 2 / (n + 1);
  return (value - previous) * alpha + previous;
}

function pushBounded(values: number[], value: number, max: number): void {
  values.push(value);
  if (values.length > max) values.shift();
}

/** Advance the state by one close and return that bar's indicator row. Mutates `state`. */
export function step(state: IndicatorState, close: number): IndicatorRow {
  const previousClose = state.closes.length > 0 ? state.closes[state.closes.length - 1]! : null;
  state.count += 1;
  pushBounded(state.closes, close, LONGEST_WINDOW);

  let change: number | null = null;
  let changePct: number | null = null;
  let logReturn: number | null = null;
  if (previousClose !== null) {
    change = close - previousClose;
    changePct = (100 * change) / previousClose;
    logReturn = Math.log(close / previousClose);
    pushBounded(state.logReturns, logReturn, VOLATILITY_WINDOW);
    updateRsi(state, change);
  }

  state.ema12 = nextEma(state.ema12, close, state.closes, 12, state.count);
  state.ema26 = nextEma(state.ema26, close, state.closes, 26, state.count);

  const macd = state.ema12 !== null && state.ema26 !== null ? state.ema12 - state.ema26 : null;
  if (macd !== null) updateSignal(state, macd);
  const macdHist = macd !== null && state.macdSignal !== null ? macd - state.macdSignal : null;

  const sma20 = tailMean(state.closes, 20);
  const sd20 = tailStdDev(state.closes, 20, 0);
  const bbWidth = sd20 === null ? null : 2 * sd20;

  return {
    change,
    change_pct: changePct,
    log_return: logReturn,
    sma_20: sma20,
    sma_50: tailMean(state.closes, 50),
    ema_12: state.ema12,
    ema_26: state.ema26,
    rsi_14: rsiValue(state),
    macd,
    macd_signal: state.macdSignal,
    macd_hist: macdHist,
    bb_upper: sma20 !== null && bbWidth !== null ? sma20 + bbWidth : null,
    bb_middle: sma20,
    bb_lower: sma20 !== null && bbWidth !== null ? sma20 - bbWidth : null,
    volatility_20: tailStdDev(state.logReturns, VOLATILITY_WINDOW, 1),
    rsi_avg_gain: state.avgGain,
    rsi_avg_loss: state.avgLoss,
  };
}

function updateRsi(state: IndicatorState, change: number): void {
  const gain = Math.max(change, 0);
  const loss = change < 0 ? -change : 0;
  if (state.avgGain !== null && state.avgLoss !== null) {
    state.avgGain = (state.avgGain * (RSI_PERIOD - 1) + gain) / RSI_PERIOD;
    state.avgLoss = (state.avgLoss * (RSI_PERIOD - 1) + loss) / RSI_PERIOD;
    return;
  }
  state.rsiSeed.push(change);
  if (state.rsiSeed.length === RSI_PERIOD) {
    state.avgGain = mean(
      state.rsiSeed.map((c) => Math.max(c, 0)),
      0,
    );
    state.avgLoss = mean(
      state.rsiSeed.map((c) => (c < 0 ? -c : 0)),
      0,
    );
    state.rsiSeed = [];
  }
}

function rsiValue(state: IndicatorState): number | null {
  if (state.avgGain === null || state.avgLoss === null) return null;
  if (state.avgLoss === 0) return 100;
  return 100 - 100 / (1 + state.avgGain / state.avgLoss);
}

function updateSignal(state: IndicatorState, macd: number): void {
  if (state.macdSignal !== null) {
    const alpha = 2 / (SIGNAL_PERIOD + 1);
    state.macdSignal = (macd - state.macdSignal) * alpha + state.macdSignal;
    return;
  }
  state.macdSeed.push(macd);
  if (state.macdSeed.length === SIGNAL_PERIOD) {
    state.macdSignal = mean(state.macdSeed, 0);
    state.macdSeed = [];
  }
}

/** Indicators for a whole history of closes, oldest first (what `--rebuild` computes). */
export function computeIndicators(closes: readonly number[]): IndicatorRow[] {
  const state = emptyState();
  return closes.map((close) => step(state, close));
}

/** A stored SSOT row as far as restoring the state needs it. */
export interface StoredTailRow {
  close: number;
  log_return: number | null;
  ema_12: number | null;
  ema_26: number | null;
  macd_signal: number | null;
  rsi_avg_gain: number | null;
  rsi_avg_loss: number | null;
}

/**
 * The state after the last of `tail` (the newest stored rows, oldest first), given that
 * `count` bars exist up to and including it. Returns null when the history is too short for
 * every seed to be complete; the caller then recomputes from the start, which is cheap then.
 */
export function restoreState(tail: readonly StoredTailRow[], count: number): IndicatorState | null {
  if (count < RESTORE_WINDOW || tail.length < RESTORE_WINDOW) return null;
  const window = tail.slice(-RESTORE_WINDOW);
  const last = window[window.length - 1]!;
  if (last.ema_12 === null || last.ema_26 === null || last.macd_signal === null || last.rsi_avg_gain === null || last.rsi_avg_loss === null)
    return null;
  const logReturns = window.slice(-VOLATILITY_WINDOW).map((row) => row.log_return);
  if (logReturns.some((value) => value === null)) return null;
  return {
    count,
    closes: window.map((row) => row.close),
    logReturns: logReturns as number[],
    ema12: last.ema_12,
    ema26: last.ema_26,
    macdSeed: [],
    macdSignal: last.macd_signal,
    rsiSeed: [],
    avgGain: last.rsi_avg_gain,
    avgLoss: last.rsi_avg_loss,
  };
}
