import type { BarSlot } from './calendar.ts';
import { hash, hashString, mixIn, unit } from './hash.ts';
import type { Instrument, PriceFormat } from './instruments.ts';
import { DAY_MS, MINUTE_MS } from './zone-oracle.ts';

/**
 * Price model: log-price = level + drift + slow sines + multi-scale value noise.
 * The noise octaves have amplitudes growing with the square root of their grid, like a random
 * walk, so a 1-minute chart and a 5-year chart both look like markets, yet P(t) stays a pure
 * function of (symbol, t) that costs a few dozen flops to evaluate at any instant.
 */

interface Octave {
  gridMs: number;
  amp: number;
  seed: number;
  /** The lattice cell last evaluated: a bar's samples mostly share cells, so this saves most hashing. */
  cell: number;
  left: number;
  right: number;
}

interface Wave {
  amp: number;
  omega: number;
  phase: number;
}

interface Model {
  seed: number;
  logBase: number;
  driftPerMs: number;
  /** Typical daily log-return size; scales everything else. */
  dailyVol: number;
  octaves: Octave[];
  waves: Wave[];
  /** Average volume of one full session, for instruments that report volume. */
  sessionVolume: number | null;
}

// Deliberately non-harmonic grids so no period lines up with the bar grid.
const OCTAVE_GRIDS_MS = [1, 7, 43, 251, 1440, 7001, 33_107, 139_999].map((m) => m * MINUTE_MS);
const WAVE_PERIODS_DAYS = [3.1, 31, 173, 730];
const WAVE_WEIGHTS = [0.5, 3, 5, 7];
const YEAR_MS = 365.25 * DAY_MS;
// Drift is anchored here so prices stay near their level across the 2020-2030 window.
const DRIFT_ANCHOR_MS = Date.UTC(2025, 0, 1);
/** Intermediate points per bar that high/low look at, besides open and close. */
const BAR_SAMPLES = 4;

const MODEL_CACHE_LIMIT = 10_000;
const models = new Map<string, Model>();

function modelFor(instrument: Instrument): Model {
  const cached = models.get(instrument.symbol);
  if (cached) return cached;
  const seed = hashString(instrument.symbol);
  const stock = instrument.assetClass === 'stock';
  const dailyVol = (stock ? 0.0075 : 0.024) * (0.7 + 0.7 * unit(seed, 10));
  const model: Model = {
    seed,
    logBase: Math.log(instrument.basePrice),
    driftPerMs: (-0.05 + 0.25 * unit(seed, 11)) / YEAR_MS,
    dailyVol,
    octaves: OCTAVE_GRIDS_MS.map((gridMs, i) => ({
      gridMs,
      amp: dailyVol * Math.sqrt(gridMs / DAY_MS),
      seed: hash(seed, 100 + i),
      cell: Number.NaN,
      left: 0,
      right: 0,
    })),
    waves: WAVE_PERIODS_DAYS.map((days, i) => ({
      amp: dailyVol * (WAVE_WEIGHTS[i] ?? 1) * (0.5 + unit(seed, 20 + i)),
      omega: (2 * Math.PI) / (days * DAY_MS),
      phase: 2 * Math.PI * unit(seed, 30 + i),
    })),
    sessionVolume: stock ? Math.round(10 ** (5.8 + 1.6 * unit(seed, 12))) : null,
  };
  if (models.size >= MODEL_CACHE_LIMIT) models.clear();
  models.set(instrument.symbol, model);
  return model;
}

function lattice(octave: Octave, index: number): number {
  return (2 * mixIn(octave.seed, index)) / 2 ** 32 - 1;
}

function logPrice(model: Model, t: number): number {
  let value = model.logBase + model.driftPerMs * (t - DRIFT_ANCHOR_MS);
  for (const w of model.waves) value += w.amp * Math.sin(w.omega * t + w.phase);
  for (const o of model.octaves) {
    const x = t / o.gridMs;
    const i = Math.floor(x);
    if (i !== o.cell) {
      o.cell = i;
      o.left = lattice(o, i);
      o.right = lattice(o, i + 1);
    }
    const f = x - i;
    const s = f * f * (3 - 2 * f);
    value += o.amp * (o.left + (o.right - o.left) * s);
  }
  return value;
}

export interface RawBar {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
}

/**
 * Unrounded OHLCV over `[slot.from, slot.to]`. Open and close are the price at the bar's ends, so
 * consecutive intraday bars chain; high and low come from points inside the bar plus a small
 * hash-sized wick, which keeps high >= max(open, close) and 0 < low <= min(open, close).
 */
export function rawBar(instrument: Instrument, slot: BarSlot): RawBar {
  const model = modelFor(instrument);
  const span = slot.to - slot.from;
  const open = Math.exp(logPrice(model, slot.from));
  const close = Math.exp(logPrice(model, slot.to));
  let top = Math.max(open, close);
  let bottom = Math.min(open, close);
  for (let j = 1; j <= BAR_SAMPLES; j += 1) {
    const p = Math.exp(logPrice(model, slot.from + (span * j) / (BAR_SAMPLES + 1)));
    top = Math.max(top, p);
    bottom = Math.min(bottom, p);
  }
  const wickScale = 0.3 * model.dailyVol * Math.sqrt(span / DAY_MS);
  const high = top * Math.exp(wickScale * unit(model.seed, 40, slot.ts));
  const low = bottom * Math.exp(-wickScale * unit(model.seed, 41, slot.ts));
  const volume =
    model.sessionVolume === null
      ? null
      : Math.max(1, Math.round(model.sessionVolume * slot.sessions * (0.4 + 1.2 * unit(model.seed, 42, slot.ts))));
  return { open, high, low, close, volume };
}

/** A price as the API writes it: a decimal string with `decimals` places, or the instrument's default style. */
export function formatPrice(value: number, format: PriceFormat, dp: number | null): string {
  if (dp !== null) return value.toFixed(dp);
  const text = value.toFixed(format.decimals);
  return format.trimZeros && text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
