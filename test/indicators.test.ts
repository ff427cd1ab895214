/**
 * Every indicator column against independent oracles. The contract is docs/indicators.md, which
 * also says which oracle follows which convention.
 *
 * Tulip publishes vectors only at period 5 on 15 closes, and the module's periods are fixed
 * (20, 50, 12, 26, 14, 9), so the Tulip vectors (test/fixtures/tulip-untest.txt) pin the naive
 * reference implementations below and technicalindicators' conventions; those two then check the
 * module at its own periods. Oracle comparisons use tolerances (stated where used); the
 * incremental-equals-rebuild properties use exact equality (Object.is).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { AverageGain, AverageLoss, BollingerBands, EMA, MACD, ROC, RSI, SD, SMA } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import {
  computeIndicators,
  emptyState,
  INDICATOR_COLUMNS,
  type IndicatorRow,
  type IndicatorState,
  RESTORE_WINDOW,
  restoreState,
  step,
} from '../functions/_shared/indicators.ts';
import worked from './fixtures/indicators-worked-example.json';

type Value = number | null;
type Series = Value[];

const STORED_COLUMNS = [...INDICATOR_COLUMNS, 'rsi_avg_gain', 'rsi_avg_loss'] as const;
type StoredColumn = (typeof STORED_COLUMNS)[number];

/** 0-based index of each column's first non-null bar (1-based bar = index + 1). */
const FIRST_DEFINED: Record<StoredColumn, number> = {
  change: 1,
  change_pct: 1,
  log_return: 1, // needs a previous close: bar 2
  sma_20: 19,
  bb_upper: 19,
  bb_middle: 19,
  bb_lower: 19, // bar 20
  sma_50: 49, // bar 50
  ema_12: 11, // SMA seed of the first 12 closes: bar 12
  ema_26: 25,
  macd: 25, // bar 26
  macd_signal: 33,
  macd_hist: 33, // SMA seed of the first 9 MACD values (bars 26–34): bar 34
  rsi_14: 14,
  rsi_avg_gain: 14,
  rsi_avg_loss: 14, // 14 changes need 15 closes: bar 15
  volatility_20: 20, // 20 log returns need 21 closes: bar 21
};

const column = (rows: readonly IndicatorRow[], key: StoredColumn): Series => rows.map((row) => row[key]);

// ---------------------------------------------------------------------------------------------
// Naive reference implementations of the docs/indicators.md formulas: O(n·w), recomputed per bar from the
// raw inputs, no shared state with the module. Periods and seeding are parameters so the Tulip
// vectors can pin them at period 5.

const sumOf = (xs: readonly number[]): number => xs.reduce((total, x) => total + x, 0);
const meanOf = (xs: readonly number[]): number => sumOf(xs) / xs.length;

/** The n values ending at index i, or null while fewer than n exist. */
function trailing(xs: readonly number[], i: number, n: number): number[] | null {
  return i + 1 < n ? null : xs.slice(i + 1 - n, i + 1);
}

function refLagged(closes: readonly number[], lag: number, f: (now: number, then: number) => number): Series {
  return closes.map((close, i) => (i < lag ? null : f(close, closes[i - lag]!)));
}
const refChange = (closes: readonly number[], lag = 1): Series => refLagged(closes, lag, (now, then) => now - then);
const refChangePct = (closes: readonly number[], lag = 1): Series => refLagged(closes, lag, (now, then) => ((now - then) / then) * 100);
const refLogReturn = (closes: readonly number[], lag = 1): Series => refLagged(closes, lag, (now, then) => Math.log(now / then));

function refSma(xs: readonly number[], n: number): Series {
  return xs.map((_, i) => {
    const window = trailing(xs, i, n);
    return window === null ? null : meanOf(window);
  });
}

type Divisor = 'population' | 'sample';

function refVariance(xs: readonly number[], n: number, divisor: Divisor): Series {
  return xs.map((_, i) => {
    const window = trailing(xs, i, n);
    if (window === null) return null;
    const mean = meanOf(window);
    return sumOf(window.map((x) => (x - mean) ** 2)) / (divisor === 'population' ? n : n - 1);
  });
}
const refStdDev = (xs: readonly number[], n: number, divisor: Divisor): Series =>
  refVariance(xs, n, divisor).map((v) => (v === null ? null : Math.sqrt(v)));

type Seed = 'sma' | 'first';

/** EMA with α = 2/(n+1), seeded with the SMA of the first n inputs (ours) or with the first input (Tulip). */
function refEma(xs: readonly number[], n: number, seed: Seed): Series {
  const alpha = 2 / (n + 1);
  let ema: number | null = null;
  return xs.map((x, i) => {
    if (ema !== null) ema = alpha * x + (1 - alpha) * ema;
    else if (seed === 'first') ema = x;
    else if (i === n - 1) ema = meanOf(xs.slice(0, n));
    return ema;
  });
}

/** Wilder's smoothing: the SMA of the first n inputs, then (previous·(n−1) + x)/n. */
function refWilder(xs: readonly number[], n: number): Series {
  let average: number | null = null;
  return xs.map((x, i) => {
    if (average !== null) average = (average * (n - 1) + x) / n;
    else if (i === n - 1) average = meanOf(xs.slice(0, n));
    return average;
  });
}

function refRsi(closes: readonly number[], n: number): { rsi: Series; avgGain: Series; avgLoss: Series } {
  const changes = closes.slice(1).map((close, i) => close - closes[i]!);
  const alignToCloses = (perChange: Series): Series => [null, ...perChange].slice(0, closes.length);
  const avgGain = alignToCloses(
    refWilder(
      changes.map((c) => Math.max(c, 0)),
      n,
    ),
  );
  const avgLoss = alignToCloses(
    refWilder(
      changes.map((c) => (c < 0 ? -c : 0)),
      n,
    ),
  );
  const rsi = avgGain.map((gain, i) => {
    const loss = avgLoss[i] ?? null;
    if (gain === null || loss === null) return null;
    return loss === 0 ? 100 : 100 - 100 / (1 + gain / loss);
  });
  return { rsi, avgGain, avgLoss };
}

/** MACD from bar `slow` on (both Tulip and we start there); the signal is an EMA of those MACD values. */
function refMacd(closes: readonly number[], fast: number, slow: number, signal: number, seed: Seed) {
  const fastEma = refEma(closes, fast, seed);
  const slowEma = refEma(closes, slow, seed);
  const macd: Series = closes.map((_, i) => {
    const f = fastEma[i] ?? null;
    const s = slowEma[i] ?? null;
    return i < slow - 1 || f === null || s === null ? null : f - s;
  });
  const defined = macd.filter((value): value is number => value !== null);
  const signalLine: Series = [...nulls(closes.length - defined.length), ...refEma(defined, signal, seed)];
  const hist = macd.map((m, i) => {
    const s = signalLine[i] ?? null;
    return m === null || s === null ? null : m - s;
  });
  return { macd, signal: signalLine, hist };
}

function refBbands(closes: readonly number[], n: number, k: number) {
  const middle = refSma(closes, n);
  const sd = refStdDev(closes, n, 'population');
  const band = (sign: 1 | -1): Series =>
    middle.map((m, i) => {
      const s = sd[i] ?? null;
      return m === null || s === null ? null : m + sign * k * s;
    });
  return { lower: band(-1), middle, upper: band(1) };
}

const nulls = (count: number): null[] => Array.from({ length: count }, () => null);

/** Our log returns without the leading null, i.e. the input of volatility_20. */
const logReturnsOf = (closes: readonly number[]): number[] => closes.slice(1).map((close, i) => Math.log(close / closes[i]!));

function reference(closes: readonly number[]): Record<StoredColumn, Series> {
  const rsi = refRsi(closes, 14);
  const macd = refMacd(closes, 12, 26, 9, 'sma');
  const bands = refBbands(closes, 20, 2);
  return {
    change: refChange(closes),
    change_pct: refChangePct(closes),
    log_return: refLogReturn(closes),
    sma_20: refSma(closes, 20),
    sma_50: refSma(closes, 50),
    ema_12: refEma(closes, 12, 'sma'),
    ema_26: refEma(closes, 26, 'sma'),
    rsi_14: rsi.rsi,
    macd: macd.macd,
    macd_signal: macd.signal,
    macd_hist: macd.hist,
    bb_upper: bands.upper,
    bb_middle: bands.middle,
    bb_lower: bands.lower,
    volatility_20: [null, ...refStdDev(logReturnsOf(closes), 20, 'sample')].slice(0, closes.length),
    rsi_avg_gain: rsi.avgGain,
    rsi_avg_loss: rsi.avgLoss,
  };
}

// ---------------------------------------------------------------------------------------------
// technicalindicators 3.1.0, fed bar by bar through nextValue so its warm-up (undefined) lines up
// with our nulls. Its conventions, read in node_modules/technicalindicators/lib (and the same code
// in dist/index.js, which is what Node loads):
// - SMA: running sum over the window (moving_averages/SMA.js).
// - EMA: α = 2/(n+1), first value = its SMA of the first n inputs at the n-th input
//   (moving_averages/EMA.js) — ours.
// - MACD with SimpleMAOscillator: false and SimpleMASignal: false: both lines are that EMA class,
//   MACD from the slowPeriod-th input, and the signal EMA is seeded with the SMA of the first
//   signalPeriod MACD values — ours. (MACDInput's own defaults are SMA lines, which are not.)
// - AverageGain/AverageLoss: mean of the first n gains/losses, then (prev·(n−1) + x)/n, at full
//   precision (no precision config set) — Wilder, ours. RSI on top of them rounds to 2 decimals
//   (toFixed(2)), is 100 when avgLoss === 0 and 0 when avgGain === 0 — ours, within 0.005.
// - SD: Math.sqrt(Σ(x−mean)²/period), population (Utils/SD.js) — ours for the bands; for
//   volatility_20 (sample σ) it is not, so it is rescaled by the exact factor sqrt(n/(n−1)).
// - BollingerBands: SMA ± stdDev·SD, population — ours.
// - ROC(1): ((close − previous)/previous)·100 — our change_pct.
// Pitfalls (docs/indicators.md): truthiness checks (`if (mean)`, `signal ? … : undefined`, and SD's
// window iterator) misreport exact zeros, so these comparisons use positive prices whose MACD
// signal is never exactly 0, and feed SD inputs that are never 0 (see volatility_20).

interface Streaming<T> {
  nextValue(price: number): T | undefined;
}
const streamed = <T>(indicator: Streaming<T>, xs: readonly number[]): (T | null)[] => xs.map((x) => indicator.nextValue(x) ?? null);
const field = <T, K extends keyof T>(rows: readonly (T | null)[], key: K): Series =>
  rows.map((row) => (row == null ? null : ((row[key] as number | undefined) ?? null)));

/** The library has no lag-1 difference or log return: those two rest on the naive reference and Tulip's mom/rocr. */
const LIBRARY_COLUMNS = STORED_COLUMNS.filter(
  (key): key is Exclude<StoredColumn, 'change' | 'log_return'> => key !== 'change' && key !== 'log_return',
);
type LibraryColumn = (typeof LIBRARY_COLUMNS)[number];

function technicalIndicators(closes: readonly number[]): Record<LibraryColumn, Series> {
  const macd = streamed(
    new MACD({
      values: [],
      fastPeriod: 12,
      slowPeriod: 26,
      signalPeriod: 9,
      SimpleMAOscillator: false,
      SimpleMASignal: false,
    }),
    closes,
  );
  const bands = streamed(new BollingerBands({ period: 20, stdDev: 2, values: [] }), closes);
  // SD's window iterator (`while (this.next())` over FixedSizeLinkedList) stops at the first exact 0,
  // and flat bars give log returns of exactly 0; σ is shift-invariant, so it gets them shifted by +1.
  const populationSd = streamed(
    new SD({ period: 20, values: [] }),
    logReturnsOf(closes).map((r) => r + 1),
  );
  return {
    change_pct: streamed(new ROC({ period: 1, values: [] }), closes),
    sma_20: streamed(new SMA({ period: 20, values: [] }), closes),
    sma_50: streamed(new SMA({ period: 50, values: [] }), closes),
    ema_12: streamed(new EMA({ period: 12, values: [] }), closes),
    ema_26: streamed(new EMA({ period: 26, values: [] }), closes),
    rsi_14: streamed(new RSI({ period: 14, values: [] }), closes),
    macd: field(macd, 'MACD'),
    macd_signal: field(macd, 'signal'),
    macd_hist: field(macd, 'histogram'),
    bb_upper: field(bands, 'upper'),
    bb_middle: field(bands, 'middle'),
    bb_lower: field(bands, 'lower'),
    volatility_20: [null, ...populationSd.map((sd) => (sd === null ? null : sd * Math.sqrt(20 / 19)))].slice(0, closes.length),
    rsi_avg_gain: streamed(new AverageGain({ period: 14, values: [] }), closes),
    rsi_avg_loss: streamed(new AverageLoss({ period: 14, values: [] }), closes),
  };
}

// ---------------------------------------------------------------------------------------------
// Comparison helpers.

/** Relative tolerance for oracle comparisons: |actual − expected| ≤ 1e-9 · max(|expected|, scale). */
const REL = 1e-9;
const relative = (scale: number) => (expected: number) => REL * Math.max(Math.abs(expected), scale);
const absolute = (bound: number) => () => bound;

/** Null exactly where expected is null, and within tolerance elsewhere; returns the bars that are not. */
function mismatches(actual: readonly Value[], expected: readonly Value[], tolerance: (expected: number) => number): string[] {
  if (actual.length !== expected.length) return [`length ${actual.length}, expected ${expected.length}`];
  const bad: string[] = [];
  expected.forEach((e, i) => {
    const a = actual[i] ?? null;
    if (e === null || a === null) {
      if (e !== a) bad.push(`bar ${i}: ${a}, expected ${e}`);
    } else if (!(Math.abs(a - e) <= tolerance(e))) {
      bad.push(`bar ${i}: ${a}, expected ${e} (diff ${Math.abs(a - e)})`);
    }
  });
  return bad;
}

function expectClose(actual: readonly Value[], expected: readonly Value[], tolerance: (e: number) => number, label: string) {
  expect(mismatches(actual, expected, tolerance), label).toEqual([]);
}

const maxAbs = (xs: readonly Value[]): number => Math.max(0, ...xs.map((x) => (x === null ? 0 : Math.abs(x))));

/** The magnitude each column's rounding error scales with: prices, percentages, or log returns. */
function scales(closes: readonly number[]): Record<StoredColumn, number> {
  const price = maxAbs(closes);
  const pct = maxAbs(refChangePct(closes));
  const log = maxAbs(refLogReturn(closes));
  return {
    change: price,
    change_pct: pct,
    log_return: log,
    sma_20: price,
    sma_50: price,
    ema_12: price,
    ema_26: price,
    rsi_14: 100,
    macd: price,
    macd_signal: price,
    macd_hist: price,
    bb_upper: price,
    bb_middle: price,
    bb_lower: price,
    volatility_20: log,
    rsi_avg_gain: price,
    rsi_avg_loss: price,
  };
}

// ---------------------------------------------------------------------------------------------
// Test data.

/** mulberry32: a seeded PRNG so the fixed oracle series are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A geometric random walk (steps up to ±3%) with 10% repeated closes, so zero changes occur. */
function walk(length: number, start: number, seed: number): number[] {
  const random = prng(seed);
  const closes: number[] = [];
  let price = start;
  for (let i = 0; i < length; i++) {
    if (i > 0 && random() >= 0.1) price *= Math.exp((random() - 0.5) * 0.06);
    closes.push(price);
  }
  return closes;
}

const WALKS = [
  { name: 'a sub-cent coin', closes: walk(400, 0.000_42, 1) },
  { name: 'a stock', closes: walk(400, 187.3, 2) },
  { name: 'bitcoin', closes: walk(400, 64_000, 3) },
];

/** Random walks for properties: positive, finite, bounded away from overflow. */
const walkArb = (maxLength: number) =>
  fc
    .record({
      start: fc.double({ min: 1e-4, max: 1e5, noNaN: true }),
      steps: fc.array(fc.oneof(fc.constant(0), fc.double({ min: -0.2, max: 0.2, noNaN: true })), {
        maxLength,
        size: 'max',
      }),
    })
    .map(({ start, steps }) => {
      let price = start;
      return steps.map((s) => (price *= Math.exp(s)));
    });

/** Few distinct prices, so ties, flat windows and exact-zero changes are common. */
const ticksArb = (maxLength: number) => fc.array(fc.constantFrom(0.1, 0.3, 1, 1.5, 2, 100.25, 187.3), { maxLength, size: 'max' });

/** Any positive finite double, subnormals and near-overflow included. */
const anyPositiveArb = (maxLength: number) =>
  fc.array(fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true, noDefaultInfinity: true }), {
    maxLength,
    size: 'max',
  });

// ---------------------------------------------------------------------------------------------
// Tulip vectors.

interface TulipBlock {
  input: number[];
  /** Outputs aligned to the input (Tulip omits the warm-up bars; they are null here). */
  outputs: Series[];
}

function readTulip(): Map<string, TulipBlock> {
  const text = readFileSync(new URL('./fixtures/tulip-untest.txt', import.meta.url), 'utf8');
  const blocks = new Map<string, TulipBlock>();
  for (const chunk of text.split(/\n\s*\n/)) {
    const lines = chunk
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    const [name, inputLine, ...outputLines] = lines;
    if (name === undefined || inputLine === undefined) continue;
    const parse = (line: string): number[] =>
      line
        .slice(1, -1)
        .split(',')
        .filter((s) => s !== '')
        .map(Number);
    const input = parse(inputLine);
    const outputs = outputLines.map((line) => {
      const values = parse(line);
      return [...nulls(input.length - values.length), ...values];
    });
    blocks.set(name, { input, outputs });
  }
  return blocks;
}

const TULIP = readTulip();
function tulip(name: string): TulipBlock {
  const block = TULIP.get(name);
  if (block === undefined) throw new Error(`no Tulip block "${name}" in test/fixtures/tulip-untest.txt`);
  return block;
}
const tulipOutput = (name: string, index = 0): Series => tulip(name).outputs[index] ?? [];
const TULIP_CLOSES = tulip('sma 5').input;

/** Tulip prints 3 decimals, so values agree to half a unit in the last place (docs/indicators.md: 5e-4). */
const TULIP_PRINTED = absolute(5e-4 + 1e-9);
/** technicalindicators' RSI is toFixed(2) of the exact value. */
const TWO_DECIMALS = absolute(0.005 + 1e-9);

describe('oracles pinned to the Tulip vectors (period 5)', () => {
  it('the vendored blocks hold every number docs/indicators.md quotes from them', () => {
    for (const block of TULIP.values()) expect(block.input).toEqual(TULIP_CLOSES);
    expect(TULIP_CLOSES).toHaveLength(15);
    expect([TULIP_CLOSES[0], TULIP_CLOSES[1], TULIP_CLOSES[14]]).toEqual([worked.closesFirst, worked.closesSecond, worked.closesLast]);
    for (const [bar, value] of Object.entries(worked.ema5FirstPriceSeeded)) {
      expect(tulipOutput('ema 5')[Number(bar)]).toBe(value);
    }
    const rsi = tulipOutput('rsi 5').filter((v) => v !== null);
    expect(rsi.slice(0, 3)).toEqual(worked.rsi5Leading);
    expect(rsi.at(-1)).toBe(worked.rsi5Last);
    expect(tulipOutput('stddev 5')[4]).toBe(worked.sd5FirstWindow.population);
    expect(tulipOutput('bbands 5 2', 2)[4]).toBe(worked.bbands5UpperFirst);
    // The SMA-seeded EMA's first value is the SMA itself.
    expect(tulipOutput('sma 5')[4]).toBe(worked.ema5SmaSeeded['4']);
  });

  it('sma 5: the naive SMA and technicalindicators SMA (mean of the last n closes)', () => {
    expectClose(refSma(TULIP_CLOSES, 5), tulipOutput('sma 5'), TULIP_PRINTED, 'naive');
    expectClose(streamed(new SMA({ period: 5, values: [] }), TULIP_CLOSES), tulipOutput('sma 5'), TULIP_PRINTED, 'technicalindicators');
  });

  it('stddev 5 and var 5 are population (÷N): the naive ÷N and technicalindicators SD match, the sample σ does not', () => {
    expectClose(refStdDev(TULIP_CLOSES, 5, 'population'), tulipOutput('stddev 5'), TULIP_PRINTED, 'naive σ');
    expectClose(refVariance(TULIP_CLOSES, 5, 'population'), tulipOutput('var 5'), TULIP_PRINTED, 'naive variance');
    expectClose(streamed(new SD({ period: 5, values: [] }), TULIP_CLOSES), tulipOutput('stddev 5'), TULIP_PRINTED, 'technicalindicators');
    const sample = refStdDev(TULIP_CLOSES, 5, 'sample')[4] ?? Number.NaN;
    expect(Math.abs(sample - worked.sd5FirstWindow.sample)).toBeLessThanOrEqual(5e-4);
    expect(Math.abs(sample - worked.sd5FirstWindow.population)).toBeGreaterThan(0.1);
  });

  it('bbands 5 2: SMA ± 2 population σ, naive and technicalindicators BollingerBands', () => {
    const naive = refBbands(TULIP_CLOSES, 5, 2);
    const library = streamed(new BollingerBands({ period: 5, stdDev: 2, values: [] }), TULIP_CLOSES);
    const [lower, middle, upper] = [0, 1, 2].map((i) => tulipOutput('bbands 5 2', i));
    expectClose(naive.lower, lower!, TULIP_PRINTED, 'naive lower');
    expectClose(naive.middle, middle!, TULIP_PRINTED, 'naive middle');
    expectClose(naive.upper, upper!, TULIP_PRINTED, 'naive upper');
    expectClose(field(library, 'lower'), lower!, TULIP_PRINTED, 'technicalindicators lower');
    expectClose(field(library, 'middle'), middle!, TULIP_PRINTED, 'technicalindicators middle');
    expectClose(field(library, 'upper'), upper!, TULIP_PRINTED, 'technicalindicators upper');
  });

  it('rsi 5 and wilders 5: Wilder averages seeded with the SMA, naive and technicalindicators RSI', () => {
    expectClose(refWilder(TULIP_CLOSES, 5), tulipOutput('wilders 5'), TULIP_PRINTED, 'naive Wilder smoothing');
    expectClose(refRsi(TULIP_CLOSES, 5).rsi, tulipOutput('rsi 5'), TULIP_PRINTED, 'naive RSI');
    expectClose(
      streamed(new RSI({ period: 5, values: [] }), TULIP_CLOSES),
      tulipOutput('rsi 5'),
      absolute(0.005 + 5e-4 + 1e-9),
      'technicalindicators RSI (2 decimals against 3)',
    );
    const naive = refRsi(TULIP_CLOSES, 5);
    expectClose(streamed(new AverageGain({ period: 5, values: [] }), TULIP_CLOSES), naive.avgGain, relative(0), 'AverageGain');
    expectClose(streamed(new AverageLoss({ period: 5, values: [] }), TULIP_CLOSES), naive.avgLoss, relative(0), 'AverageLoss');
  });

  it('ema 5: the naive recursion reproduces Tulip when seeded like Tulip; SMA-seeded it gives the docs/indicators.md values, as technicalindicators EMA does', () => {
    // Tulip seeds with the first close, which is not our convention: this pins only the recursion.
    expectClose(refEma(TULIP_CLOSES, 5, 'first'), tulipOutput('ema 5'), TULIP_PRINTED, 'naive, first-price seed');
    const naive = refEma(TULIP_CLOSES, 5, 'sma');
    const library = streamed(new EMA({ period: 5, values: [] }), TULIP_CLOSES);
    expectClose(library, naive, relative(0), 'technicalindicators against the naive SMA-seeded EMA');
    expect(naive.slice(0, 4)).toEqual([null, null, null, null]);
    for (const [bar, value] of Object.entries(worked.ema5SmaSeeded)) {
      expect(Math.abs((naive[Number(bar)] ?? Number.NaN) - value), `bar ${bar}`).toBeLessThanOrEqual(5e-4);
    }
  });

  it('macd 2 5 9: the naive MACD seeded like Tulip reproduces all three lines; technicalindicators MACD seeds like us', () => {
    const tulipLike = refMacd(TULIP_CLOSES, 2, 5, 9, 'first');
    expectClose(tulipLike.macd, tulipOutput('macd 2 5 9', 0), TULIP_PRINTED, 'macd');
    expectClose(tulipLike.signal, tulipOutput('macd 2 5 9', 1), TULIP_PRINTED, 'signal');
    expectClose(tulipLike.hist, tulipOutput('macd 2 5 9', 2), TULIP_PRINTED, 'histogram');
    // Our seeding: the signal starts at the 9th MACD value (bar 5 + 8) with their mean.
    const ours = refMacd(TULIP_CLOSES, 2, 5, 9, 'sma');
    expect(ours.signal.findIndex((v) => v !== null)).toBe(12);
    expect(ours.signal[12]).toBe(meanOf(ours.macd.slice(4, 13) as number[]));
    const library = streamed(
      new MACD({ values: [], fastPeriod: 2, slowPeriod: 5, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false }),
      TULIP_CLOSES,
    );
    expectClose(field(library, 'MACD'), ours.macd, relative(100), 'technicalindicators macd');
    expectClose(field(library, 'signal'), ours.signal, relative(100), 'technicalindicators signal');
    expectClose(field(library, 'histogram'), ours.hist, relative(100), 'technicalindicators histogram');
  });

  it('mom 5, roc 5 and rocr 5: the lagged change, percent change and log return formulas', () => {
    expectClose(refChange(TULIP_CLOSES, 5), tulipOutput('mom 5'), TULIP_PRINTED, 'change');
    const ratio = (series: Series, f: (v: number) => number): Series => series.map((v) => (v === null ? null : f(v)));
    expectClose(
      ratio(refChangePct(TULIP_CLOSES, 5), (pct) => pct / 100),
      tulipOutput('roc 5'),
      TULIP_PRINTED,
      'change_pct / 100',
    );
    expectClose(ratio(refLogReturn(TULIP_CLOSES, 5), Math.exp), tulipOutput('rocr 5'), TULIP_PRINTED, 'exp(log return)');
  });
});

describe('the module against the oracles', () => {
  it("on Tulip's 15 closes: the change columns and the first rsi_14, every longer window still null", () => {
    const rows = computeIndicators(TULIP_CLOSES);
    const expected = reference(TULIP_CLOSES);
    const scale = scales(TULIP_CLOSES);
    for (const key of STORED_COLUMNS) expectClose(column(rows, key), expected[key], relative(scale[key]), key);
    const library = technicalIndicators(TULIP_CLOSES);
    expect(rows[14]?.rsi_14).not.toBeNull();
    expectClose(column(rows, 'rsi_14'), library.rsi_14, TWO_DECIMALS, 'technicalindicators rsi_14');
    for (const key of ['sma_20', 'sma_50', 'ema_26', 'macd', 'bb_middle', 'volatility_20'] as const) {
      expect(
        column(rows, key).every((v) => v === null),
        key,
      ).toBe(true);
    }
  });

  // Tolerance: 1e-9 relative to max(|expected|, the column's scale) — see `scales`.
  describe.each(WALKS)('on $name (400 bars)', ({ closes }) => {
    const rows = computeIndicators(closes);
    const scale = scales(closes);

    it.each([...STORED_COLUMNS])('%s matches the naive reference of docs/indicators.md', (key) => {
      expectClose(column(rows, key), reference(closes)[key], relative(scale[key]), key);
    });

    it.each([...LIBRARY_COLUMNS])('%s matches technicalindicators (where its convention is ours, see above)', (key) => {
      const tolerance = key === 'rsi_14' ? TWO_DECIMALS : relative(scale[key]);
      expectClose(column(rows, key), technicalIndicators(closes)[key], tolerance, key);
    });
  });

  it('matches the naive reference on random series, every column (fast-check, 1e-9 relative)', () => {
    fc.assert(
      fc.property(fc.oneof(walkArb(120), ticksArb(120)), (closes) => {
        const rows = computeIndicators(closes);
        const expected = reference(closes);
        const scale = scales(closes);
        for (const key of STORED_COLUMNS) {
          expect(mismatches(column(rows, key), expected[key], relative(scale[key])), key).toEqual([]);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('null placement', () => {
  it('each column is null exactly until its first bar, for every length 0–80', () => {
    const closes = walk(80, 187.3, 4);
    for (let length = 0; length <= closes.length; length++) {
      const rows = computeIndicators(closes.slice(0, length));
      expect(rows).toHaveLength(length);
      for (const key of STORED_COLUMNS) {
        const defined = column(rows, key).map((v) => v !== null);
        expect(defined, `${key} over ${length} bars`).toEqual(defined.map((_, i) => i >= FIRST_DEFINED[key]));
      }
    }
  });

  it('first non-null bars, 1-based: change 2, sma_20 20, sma_50 50, ema_12 12, ema_26 26, macd 26, macd_signal 34, rsi_14 15, volatility_20 21', () => {
    const rows = computeIndicators(walk(60, 100, 5));
    const firstBar = (key: StoredColumn): number => column(rows, key).findIndex((v) => v !== null) + 1;
    expect({
      change: firstBar('change'),
      sma_20: firstBar('sma_20'),
      sma_50: firstBar('sma_50'),
      ema_12: firstBar('ema_12'),
      ema_26: firstBar('ema_26'),
      macd: firstBar('macd'),
      macd_signal: firstBar('macd_signal'),
      rsi_14: firstBar('rsi_14'),
      volatility_20: firstBar('volatility_20'),
      bb_upper: firstBar('bb_upper'),
      macd_hist: firstBar('macd_hist'),
    }).toEqual({
      change: 2,
      sma_20: 20,
      sma_50: 50,
      ema_12: 12,
      ema_26: 26,
      macd: 26,
      macd_signal: 34,
      rsi_14: 15,
      volatility_20: 21,
      bb_upper: 20,
      macd_hist: 34,
    });
  });
});

describe('edge cases', () => {
  it('rsi_14 is 100 when every change is a gain (avg_loss = 0), and 0 when every change is a loss', () => {
    const rising = Array.from({ length: 40 }, (_, i) => 100 * 1.01 ** i);
    const up = computeIndicators(rising);
    expect(
      column(up, 'rsi_avg_loss')
        .slice(14)
        .every((v) => v === 0),
    ).toBe(true);
    expect(
      column(up, 'rsi_14')
        .slice(14)
        .every((v) => v === 100),
    ).toBe(true);
    expect(
      streamed(new RSI({ period: 14, values: [] }), rising)
        .slice(14)
        .every((v) => v === 100),
    ).toBe(true);

    const down = computeIndicators([...rising].reverse());
    expect(
      column(down, 'rsi_avg_gain')
        .slice(14)
        .every((v) => v === 0),
    ).toBe(true);
    expect(
      column(down, 'rsi_14')
        .slice(14)
        .every((v) => v === 0),
    ).toBe(true);

    // One loss after the seed ends the 100 streak for good (Wilder's average never returns to 0).
    const withDip = computeIndicators([...rising.slice(0, 20), rising[18]!, ...rising.slice(20)]);
    expect(withDip[19]?.rsi_14).toBe(100);
    expect(
      column(withDip, 'rsi_14')
        .slice(20)
        .every((v) => v !== null && v < 100),
    ).toBe(true);
  });

  it('a constant series of an exactly summable price: σ 0, bands collapse onto the SMA, flat lines everywhere', () => {
    const price = 100;
    const rows = computeIndicators(Array.from({ length: 60 }, () => price));
    const last = rows.at(-1)!;
    expect(last).toEqual({
      change: 0,
      change_pct: 0,
      log_return: 0,
      sma_20: price,
      sma_50: price,
      ema_12: price,
      ema_26: price,
      rsi_14: 100, // avg_loss = 0: docs/indicators.md says 100
      macd: 0,
      macd_signal: 0,
      macd_hist: 0,
      bb_upper: price,
      bb_middle: price,
      bb_lower: price,
      volatility_20: 0,
      rsi_avg_gain: 0,
      rsi_avg_loss: 0,
    });
    for (const row of rows.slice(FIRST_DEFINED.bb_upper)) expect([row.bb_lower, row.bb_upper]).toEqual([price, price]);
  });

  it.each([0.1, 187.3, 64_000.01, 3e-7])(
    'a constant series of %s: exact zeros from the returns; the bands collapse to within float rounding of the mean',
    (price) => {
      const rows = computeIndicators(Array.from({ length: 60 }, () => price));
      for (const row of rows.slice(1)) {
        expect([row.change, row.change_pct, row.log_return]).toEqual([0, 0, 0]);
      }
      for (const row of rows.slice(FIRST_DEFINED.volatility_20)) expect(row.volatility_20).toBe(0);
      for (const row of rows.slice(FIRST_DEFINED.rsi_14)) expect(row.rsi_14).toBe(100);
      // A mean of 20 equal doubles can be off by a few ulps, so σ is tiny, not always exactly 0.
      const ulps = 64 * Number.EPSILON * price;
      for (const row of rows.slice(FIRST_DEFINED.bb_upper)) {
        expect(row.bb_upper! - row.bb_lower!).toBeLessThanOrEqual(ulps);
        expect(Math.abs(row.bb_middle! - price)).toBeLessThanOrEqual(ulps);
      }
      for (const row of rows.slice(FIRST_DEFINED.macd_hist)) {
        expect(Math.abs(row.macd!)).toBeLessThanOrEqual(ulps);
        expect(Math.abs(row.macd_hist!)).toBeLessThanOrEqual(ulps);
      }
    },
  );

  it('a series shorter than every window: no rows for no closes, all-null rows for one close', () => {
    expect(computeIndicators([])).toEqual([]);
    const [only] = computeIndicators([187.3]);
    for (const key of STORED_COLUMNS) expect(only?.[key], key).toBeNull();
  });

  it.each([
    ['change', 1],
    ['ema_12', 11],
    ['rsi_14', 14],
    ['sma_20', 19],
    ['volatility_20', 20],
    ['ema_26', 25],
    ['macd_signal', 33],
    ['sma_50', 49],
  ] as const)('%s stays null over a series one bar shorter than it needs (%i bars)', (key, length) => {
    const rows = computeIndicators(walk(length, 187.3, 6));
    expect(column(rows, key).every((v) => v === null)).toBe(true);
    expect(computeIndicators(walk(length + 1, 187.3, 6)).at(-1)?.[key]).not.toBeNull();
  });

  it('restoreState needs RESTORE_WINDOW bars and rows, and then restores', () => {
    const closes = walk(RESTORE_WINDOW + 5, 187.3, 7);
    const stored = toStored(closes, computeIndicators(closes));
    expect(restoreState(stored.slice(0, RESTORE_WINDOW - 1), RESTORE_WINDOW - 1)).toBeNull();
    expect(restoreState(stored.slice(1, RESTORE_WINDOW), RESTORE_WINDOW)).toBeNull();
    expect(restoreState(stored.slice(0, RESTORE_WINDOW), RESTORE_WINDOW)).not.toBeNull();
    expect(restoreState(stored, stored.length)).not.toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// Incremental runs, as the ETL does them: rows are stored as float8 and read back as text.

type StoredRow = IndicatorRow & { close: number };

/** PostgreSQL prints float8 as the shortest text that reads back exactly; JS does too, but spells -0 "0". */
const float8Text = (n: number): string => (Object.is(n, -0) ? '-0' : String(n));

/** One row through the database and the wire: float8 → decimal text in JSON → Number. */
function throughDatabase(row: StoredRow): StoredRow {
  const wire = JSON.stringify(row, (_key, value: unknown) => (typeof value === 'number' ? float8Text(value) : value));
  return JSON.parse(wire, (_key, value: unknown) => (typeof value === 'string' ? Number(value) : value)) as StoredRow;
}

const toStored = (closes: readonly number[], rows: readonly IndicatorRow[], from = 0): StoredRow[] =>
  rows.map((row, i) => throughDatabase({ close: closes[from + i]!, ...row }));

function replay(closes: readonly number[]): IndicatorState {
  const state = emptyState();
  for (const close of closes) step(state, close);
  return state;
}

/** An incremental run: restore from the stored tail, or recompute from every stored close when that is refused. */
function incremental(stored: readonly StoredRow[], tailLength: number, newCloses: readonly number[]): IndicatorRow[] {
  const state = restoreState(stored.slice(-tailLength), stored.length) ?? replay(stored.map((row) => row.close));
  return newCloses.map((close) => step(state, close));
}

function identicalRows(actual: readonly IndicatorRow[], expected: readonly IndicatorRow[]): string[] {
  if (actual.length !== expected.length) return [`length ${actual.length}, expected ${expected.length}`];
  const bad: string[] = [];
  expected.forEach((row, i) => {
    for (const key of STORED_COLUMNS) {
      const a = actual[i]?.[key];
      if (!Object.is(a, row[key])) bad.push(`bar ${i} ${key}: ${a}, expected ${row[key]}`);
    }
  });
  return bad;
}

const anySeriesArb = fc.oneof(anyPositiveArb(300), walkArb(300), ticksArb(300));
const tailLengthArb = fc.integer({ min: RESTORE_WINDOW - 1, max: RESTORE_WINDOW + 10 });

describe('properties', () => {
  it('(a) compute 0..k−1, store, restore from the stored tail (or recompute), step the rest: identical to a rebuild', () => {
    const caseArb = anySeriesArb.chain((closes) =>
      fc.record({ closes: fc.constant(closes), k: fc.integer({ min: 0, max: closes.length }), tailLength: tailLengthArb }),
    );
    fc.assert(
      fc.property(caseArb, ({ closes, k, tailLength }) => {
        const rebuild = computeIndicators(closes);
        const head = computeIndicators(closes.slice(0, k));
        const rest = incremental(toStored(closes, head), tailLength, closes.slice(k));
        expect(identicalRows([...head, ...rest], rebuild)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('(a) hourly runs: several incremental runs in a row, each restoring from rows the previous ones stored', () => {
    const caseArb = anySeriesArb.chain((closes) =>
      fc.record({
        closes: fc.constant(closes),
        cuts: fc.uniqueArray(fc.integer({ min: 0, max: closes.length }), { maxLength: 8 }),
        tailLength: tailLengthArb,
      }),
    );
    fc.assert(
      fc.property(caseArb, ({ closes, cuts, tailLength }) => {
        const stored: StoredRow[] = [];
        const produced: IndicatorRow[] = [];
        for (const end of [...[...cuts].sort((a, b) => a - b), closes.length]) {
          const from = stored.length;
          const rows = incremental(stored, tailLength, closes.slice(from, end));
          produced.push(...rows);
          stored.push(...toStored(closes, rows, from));
        }
        expect(identicalRows(produced, computeIndicators(closes))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('(b) bb_lower <= bb_middle <= bb_upper, rsi_14 in [0, 100], macd_hist == macd − macd_signal, nulls in place', () => {
    const boundedArb = fc.oneof(
      walkArb(300),
      ticksArb(300),
      fc.array(fc.double({ min: 1e-6, max: 1e9, noNaN: true }), { maxLength: 300, size: 'max' }),
    );
    fc.assert(
      fc.property(boundedArb, (closes) => {
        const broken: string[] = [];
        computeIndicators(closes).forEach((row, i) => {
          for (const key of STORED_COLUMNS) {
            if ((row[key] === null) !== i < FIRST_DEFINED[key]) broken.push(`bar ${i}: ${key} is ${row[key]}`);
          }
          const { bb_lower: lower, bb_middle: middle, bb_upper: upper, rsi_14: rsi, macd, macd_signal: signal } = row;
          if (lower !== null && middle !== null && upper !== null && !(lower <= middle && middle <= upper)) {
            broken.push(`bar ${i}: bands ${lower} ${middle} ${upper}`);
          }
          if (rsi !== null && !(rsi >= 0 && rsi <= 100)) broken.push(`bar ${i}: rsi ${rsi}`);
          if (macd !== null && signal !== null && !Object.is(row.macd_hist, macd - signal)) {
            broken.push(`bar ${i}: hist ${row.macd_hist} for ${macd} − ${signal}`);
          }
        });
        expect(broken).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
