/**
 * Bars at the resolution a range needs (market.bars): hourly bars for short ranges, daily and
 * weekly bars aggregated in the database for long ones, with the indicators computed on the bars
 * drawn (an SMA 20 of a daily chart is twenty days). Also the CSV export of exactly those rows.
 */
import { computeIndicators } from '../../functions/_shared/indicators.ts';
import { wallClockAt } from '../../functions/_shared/time.ts';
import { toCsv } from './csv.ts';
import { ShapeError } from './parse.ts';
import { emptySeries, isoFromEpochSeconds } from './series.ts';
import { NULLABLE_COLUMNS, type Series } from './types.ts';
import type { Range, ViewState } from './view.ts';

export const RESOLUTIONS = ['1h', '1day', '1week'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
export const RESOLUTION_LABELS: Record<Resolution, string> = { '1h': '1h', '1day': '1D', '1week': '1W' };

/** Hourly up to three months (at most ~2,200 bars), daily for a year, weekly for everything. */
export function autoResolution(range: Range): Resolution {
  if (range === '1Y' || range === 'YTD') return '1day';
  if (range === 'All') return '1week';
  return '1h';
}

/** The big chart's bar size for a view: the URL's choice, or by range. */
export function resolutionOf(view: Pick<ViewState, 'bars' | 'range'>): Resolution {
  return view.bars === 'auto' ? autoResolution(view.range) : view.bars;
}

export interface BarSeries {
  symbol: string;
  resolution: Resolution;
  /** The zone whose days the bars are cut by: the exchange's for stocks, UTC for crypto. */
  time_zone: string | null;
  ts: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: (number | null)[];
}

/** Whether two answers hold the same bars (every bar time and value), so nothing needs drawing again. */
export function sameBars(a: BarSeries, b: BarSeries): boolean {
  if (a.symbol !== b.symbol || a.resolution !== b.resolution || a.ts.length !== b.ts.length) return false;
  const columns = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;
  return columns.every((c) => a[c].every((v, i) => v === b[c][i]));
}

type Obj = Record<string, unknown>;

function numbers(v: unknown, path: string, length: number, nullable: boolean): (number | null)[] {
  if (!Array.isArray(v) || v.length !== length) throw new ShapeError(path, `an array of ${length}`);
  return v.map((x, i) => {
    if (x === null && nullable) return null;
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new ShapeError(`${path}[${i}]`, 'a number');
    return x;
  });
}

export function parseBars(body: unknown): BarSeries[] {
  const list = (body as Obj | null)?.series;
  if (!Array.isArray(list)) throw new ShapeError('series', 'an array');
  return list.map((raw, i) => {
    const s = raw as Obj;
    const path = `series[${i}]`;
    if (typeof s?.symbol !== 'string') throw new ShapeError(`${path}.symbol`, 'a string');
    if (!(RESOLUTIONS as readonly unknown[]).includes(s.resolution)) throw new ShapeError(`${path}.resolution`, RESOLUTIONS.join(' | '));
    if (!Array.isArray(s.ts)) throw new ShapeError(`${path}.ts`, 'an array');
    const n = s.ts.length;
    return {
      symbol: s.symbol,
      resolution: s.resolution as Resolution,
      time_zone: typeof s.time_zone === 'string' ? s.time_zone : null,
      ts: numbers(s.ts, `${path}.ts`, n, false) as number[],
      open: numbers(s.open, `${path}.open`, n, false) as number[],
      high: numbers(s.high, `${path}.high`, n, false) as number[],
      low: numbers(s.low, `${path}.low`, n, false) as number[],
      close: numbers(s.close, `${path}.close`, n, false) as number[],
      volume: numbers(s.volume, `${path}.volume`, n, true),
    };
  });
}

/**
 * A chart series from aggregated bars: the indicators over the whole history given (so the window's
 * first SMA 50 is already warm), then only the bars at or after `from`.
 */
export function seriesFromBars(bars: BarSeries, from?: number): Series {
  const indicators = computeIndicators(bars.close);
  const out = emptySeries(bars.symbol);
  for (let i = 0; i < bars.ts.length; i++) {
    if (from !== undefined && bars.ts[i]! < from) continue;
    out.ts.push(bars.ts[i]!);
    out.open.push(bars.open[i]!);
    out.high.push(bars.high[i]!);
    out.low.push(bars.low[i]!);
    out.close.push(bars.close[i]!);
    out.volume.push(bars.volume[i] ?? null);
    const row = indicators[i]!;
    for (const c of NULLABLE_COLUMNS) if (c !== 'volume') out[c].push(row[c]);
  }
  return out;
}

/**
 * Prices to about the precision the venue quotes them at; a sub-cent token keeps its digits. A file
 * for machines, so never localised: always a dot, no grouping.
 */
function roundPrice(v: number): string {
  const abs = Math.abs(v);
  const digits = abs >= 1 ? 4 : abs >= 0.01 ? 6 : 10;
  return Number(v.toFixed(digits)).toString();
}

/** `YYYY-MM-DD HH:MM` on the wall clock of `zone` (the shared, cached clock of functions/_shared/time.ts). */
function wallTime(sec: number, zone: string): string {
  const c = wallClockAt(sec * 1000, zone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${c.year}-${two(c.month)}-${two(c.day)} ${two(c.hour)}:${two(c.minute)}`;
}

/**
 * Every bar of what is shown, at the resolution shown, one row each: the time of the bar's open in
 * UTC and on the exchange's clock, OHLCV rounded. Comment lines first say what the file holds,
 * and which clock the dashboard showed (`shownAs`) when that was neither.
 */
export function barsCsv(bars: BarSeries, range: string, shownAs?: string): string {
  const zone = bars.time_zone ?? 'UTC';
  const header = [
    `# Market Pulse: ${bars.symbol}, ${RESOLUTION_LABELS[bars.resolution]} bars, range ${range}, ${bars.ts.length} rows`,
    `# time_utc: bar open, ISO 8601 UTC; time_exchange: bar open on the ${zone} clock (the zone its days are cut by)`,
    ...(shownAs ? [`# the dashboard showed these times in ${shownAs}`] : []),
    '# prices rounded to 4 decimals (6 under 1, 10 under 0.01); volume summed over the bar, empty where the source has none',
  ].join('\r\n');
  const rows = bars.ts.map((t, i) => [
    isoFromEpochSeconds(t),
    wallTime(t, zone),
    roundPrice(bars.open[i]!),
    roundPrice(bars.high[i]!),
    roundPrice(bars.low[i]!),
    roundPrice(bars.close[i]!),
    bars.volume[i] === null ? null : Math.round(bars.volume[i]!),
  ]);
  return `${header}\r\n${toCsv(['time_utc', 'time_exchange', 'open', 'high', 'low', 'close', 'volume'], rows)}`;
}
