import uPlot from 'uplot';
import type { ChartOptions } from './Chart.tsx';
import { formatAxisPct, formatCrosshairTime, formatNumber, formatTimeTicks, formatVolume } from './format.ts';
import type { Rebased } from './rebase.ts';
import type { Palette } from './theme.ts';
import type { AssetType, NullableColumn, PriceColumn, Series } from './types.ts';
import type { ChartKind, Overlay } from './view.ts';
import { tzDate } from './zone.ts';

/**
 * Chart definitions: each builds uPlot options and, from the same column list, the data arrays in
 * the same order, so a view change can never pair options with data of another shape.
 */

/** A series column, or the MACD histogram split by sign so each half gets its colour. */
export type Column = PriceColumn | NullableColumn | 'macd_up' | 'macd_down' | 'volume_up' | 'volume_down';

export interface ChartSpec {
  options: ChartOptions;
  columns: Column[];
}

/** Every pane of the detail chart moves its crosshair together. */
export const DETAIL_SYNC = 'detail';
/** Same y-axis width in every pane, so their plot areas line up. */
const AXIS_SIZE = 80;
/**
 * A fixed right padding in every detail pane: left automatic, uPlot pads the price chart (whose x
 * axis is drawn) to fit its last time label, which made its plot ~25 px narrower than the panes'.
 */
const DETAIL_PADDING: uPlot.Padding = [null, 32, null, null];

/** Tick labels with as many decimals as the tick spacing needs: "136,000", "0.0125". */
const tickValues = (_u: uPlot, ticks: number[], _axis: number, _space: number, incr: number) =>
  ticks.map((v) => formatNumber(v, Math.min(8, Math.max(0, Math.ceil(-Math.log10(incr) - 1e-9)))));

/** The clock a chart's times are read on, and its name ("New York time (EST)") for the legend. */
export interface TimeAxis {
  zone: string;
  name: string;
}
/** For callers that only read a spec's columns (columns.ts). */
const UTC_AXIS: TimeAxis = { zone: 'UTC', name: 'UTC' };

/** Seconds between the first and last time the x scale shows (its min/max are indexes on an ordinal scale). */
function visibleSpan(u: uPlot): number {
  const xs = u.data[0];
  const { min, max, distr } = u.scales.x ?? {};
  if (min == null || max == null || xs.length === 0) return 0;
  if (distr !== 2) return max - min;
  const at = (i: number) => xs[Math.min(xs.length - 1, Math.max(0, Math.round(i)))]!;
  return at(max) - at(min);
}

/**
 * The time axis and the legend's time on the chosen clock, in the page's locale: uPlot's own labels
 * are English and on the browser's clock, and on an ordinal scale with one bar (a Monday morning's
 * 1D) its tick spacing is NaN, so the labels are ours. `tzDate` still moves uPlot's tick placement
 * (midnights, whole hours) onto the same clock.
 */
function timeOptions(time: TimeAxis) {
  return {
    tzDate: tzDate(time.zone),
    xSeries: {
      label: time.name,
      value: (_u: uPlot, v: number | null) => (v == null || !Number.isFinite(v) ? '—' : formatCrosshairTime(v * 1000, time.zone)),
    } satisfies uPlot.Series,
    xValues: (u: uPlot, ticks: (number | null)[]) => {
      const finite = ticks.filter((t): t is number => t != null && Number.isFinite(t));
      const labels = formatTimeTicks(finite, visibleSpan(u), time.zone);
      return ticks.map((t) => (t != null && Number.isFinite(t) ? labels[finite.indexOf(t)]! : ''));
    },
  };
}

export function columnData(s: Series | undefined, columns: readonly Column[]): uPlot.AlignedData {
  if (!s) return [[], ...columns.map(() => [])];
  return [
    s.ts,
    ...columns.map((c) => {
      if (c === 'macd_up') return s.macd_hist.map((v) => (v !== null && v >= 0 ? v : null));
      if (c === 'macd_down') return s.macd_hist.map((v) => (v !== null && v < 0 ? v : null));
      // A bar's volume in the colour of its direction: up when it closed at or above its open.
      if (c === 'volume_up') return s.volume.map((v, i) => (v !== null && s.close[i]! >= s.open[i]! ? v : null));
      if (c === 'volume_down') return s.volume.map((v, i) => (v !== null && s.close[i]! < s.open[i]! ? v : null));
      return s[c];
    }),
  ];
}

/**
 * Line dashes (canvas px), so series are told apart without colour: the close line is solid and
 * each overlay has a pattern of its own; the comparison gives every symbol one.
 */
export const DASHES = {
  close: [],
  sma20: [10, 4],
  sma50: [10, 3, 2, 3],
  ema12: [4, 3],
  ema26: [1.5, 3],
  bb: [6, 2, 1.5, 2, 1.5, 2],
  signal: [4, 3],
} as const satisfies Record<string, readonly number[]>;

/** One pattern per compared symbol, in order (solid first); past ten they repeat with other colours. */
export const SERIES_DASHES: readonly (readonly number[])[] = [
  [],
  [10, 4],
  [3, 3],
  [10, 3, 2, 3],
  [1.5, 3],
  [14, 3, 3, 3, 3, 3],
  [6, 3],
  [14, 4, 1.5, 4],
  [2, 6],
  [8, 2, 2, 2],
];

/** The comparison's benchmark: longer dashes than any compared symbol's, and a thicker line. */
export const BENCHMARK_DASH: readonly number[] = [16, 5];

/** A legend marker drawn the way its series is: the line with its dash, or a bar with its fill and outline. */
export function markerBackground(s: uPlot.Series): string {
  const stroke = typeof s.stroke === 'string' ? s.stroke : undefined;
  const fill = typeof s.fill === 'string' ? s.fill : undefined;
  const bar = s.paths !== undefined && fill !== undefined;
  let shape: string;
  if (bar) {
    const outline = stroke && (s.width ?? 1) > 0 ? ` stroke='${stroke}' stroke-width='1'` : '';
    shape = `<rect x='7.5' y='1.5' width='9' height='9' fill='${fill}'${outline}/>`;
  } else if (stroke) {
    const dash = s.dash && s.dash.length > 0 ? ` stroke-dasharray='${s.dash.join(' ')}'` : '';
    shape = `<line x1='0' y1='6' x2='24' y2='6' stroke='${stroke}' stroke-width='2'${dash}/>`;
  } else {
    return 'none';
  }
  const svg = `<svg xmlns='http://www.w3.org/2000/svg' width='24' height='12' viewBox='0 0 24 12'>${shape}</svg>`;
  return `url("data:image/svg+xml,${encodeURIComponent(svg)}") center / contain no-repeat`;
}

/** The legend, its markers drawn from the series (uPlot's own are a solid square, whatever the dash). */
function legend(series: readonly uPlot.Series[]): uPlot.Legend {
  const markers = series.map(markerBackground);
  return { live: true, markers: { width: 0, fill: (_u, i) => markers[i] ?? 'none' } };
}

const priceValue = (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : formatNumber(v));

/**
 * The page's own font (styles.css), not uPlot's default list with four emoji fonts: a canvas resolves
 * its font list when it is set, and the long list made that most of the time spent building a chart.
 */
const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** `pane`: a pane under the price chart, which shares its time axis and so draws none of its own. */
function axes(p: Palette, time: TimeAxis, y: Partial<uPlot.Axis> = {}, pane = false): uPlot.Axis[] {
  const common = { stroke: p.axis, font: AXIS_FONT, grid: { stroke: p.grid, width: 1 }, ticks: { stroke: p.grid, width: 1 } };
  // Two lines (time, and the date where a day starts), so a little taller than uPlot's default.
  const x = { ...common, values: timeOptions(time).xValues, size: 56 };
  return [pane ? { ...x, show: false } : x, { ...common, size: AXIS_SIZE, ...y }];
}

function cursor(sync: string | null): uPlot.Cursor {
  return {
    drag: { x: false, y: false, setScale: false },
    ...(sync ? { sync: { key: sync } } : {}),
  };
}

/** Candles drawn under the overlays (on the axes hook), from the open/high/low/close series. */
function candlePlugin(p: Palette, idx: { open: number; high: number; low: number; close: number }) {
  return (u: uPlot) => {
    const xs = u.data[0];
    const [i0, i1] = u.series[0]!.idxs ?? [0, xs.length - 1];
    if (xs.length === 0 || i0 === undefined || i1 === undefined) return;
    const { ctx } = u;
    const { left, top, width, height } = u.bbox;
    const ordinal = u.scales.x?.distr === 2;
    const slot = width / Math.max(1, i1 - i0 + 1);
    const body = Math.max(1, Math.floor(slot * 0.7));
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    for (let i = i0; i <= i1; i++) {
      const o = u.data[idx.open]![i];
      const h = u.data[idx.high]![i];
      const l = u.data[idx.low]![i];
      const c = u.data[idx.close]![i];
      if (o == null || h == null || l == null || c == null) continue;
      const x = Math.round(u.valToPos(ordinal ? i : xs[i]!, 'x', true));
      const yo = u.valToPos(o, 'y', true);
      const yc = u.valToPos(c, 'y', true);
      const up = c >= o;
      const bodyTop = Math.round(Math.min(yo, yc));
      const bodyHeight = Math.max(1, Math.round(Math.abs(yc - yo)));
      const bodyLeft = x - Math.floor(body / 2);
      // Up candles hollow, down candles filled: the direction reads without colour too.
      const hollow = up && body >= 3 && bodyHeight >= 3;
      ctx.strokeStyle = ctx.fillStyle = up ? p.up : p.down;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x + 0.5, Math.round(u.valToPos(h, 'y', true)));
      ctx.lineTo(x + 0.5, hollow ? bodyTop : Math.round(u.valToPos(l, 'y', true)));
      if (hollow) {
        ctx.moveTo(x + 0.5, bodyTop + bodyHeight);
        ctx.lineTo(x + 0.5, Math.round(u.valToPos(l, 'y', true)));
      }
      ctx.stroke();
      if (hollow) ctx.strokeRect(bodyLeft + 0.5, bodyTop + 0.5, body - 1, bodyHeight - 1);
      else ctx.fillRect(bodyLeft, bodyTop, body, bodyHeight);
    }
    ctx.restore();
  };
}

/** Horizontal guides (RSI 30/70, MACD 0, the comparison's 0 %). */
function guides(p: Palette, values: readonly number[]) {
  return (u: uPlot) => {
    const { ctx } = u;
    const { left, width } = u.bbox;
    ctx.save();
    ctx.strokeStyle = p.guide;
    ctx.setLineDash([4, 4]);
    ctx.lineWidth = 1;
    for (const v of values) {
      const y = Math.round(u.valToPos(v, 'y', true)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + width, y);
      ctx.stroke();
    }
    ctx.restore();
  };
}

const hidden = { paths: () => null, points: { show: false } } as const;

export interface PriceView {
  chart: ChartKind;
  overlays: readonly Overlay[];
  assetType: AssetType | undefined;
}

/** The main pane: close line or candles, the chosen overlays, and volume bars along the bottom for stocks. */
export function priceSpec(view: PriceView, p: Palette, time: TimeAxis = UTC_AXIS): ChartSpec {
  const candles = view.chart === 'candles';
  const columns: Column[] = [];
  const clock = timeOptions(time);
  const series: uPlot.Series[] = [clock.xSeries];
  const bands: uPlot.Band[] = [];
  const add = (column: Column, s: uPlot.Series) => {
    columns.push(column);
    series.push({ value: priceValue, ...s });
    return columns.length;
  };

  const close = add(
    'close',
    candles ? { label: 'Close', ...hidden } : { label: 'Close', stroke: p.close, width: 1.5, dash: [...DASHES.close] },
  );
  const ohlc = candles
    ? {
        open: add('open', { label: 'Open', ...hidden }),
        high: add('high', { label: 'High', ...hidden }),
        low: add('low', { label: 'Low', ...hidden }),
        close,
      }
    : null;
  if (view.overlays.includes('sma20')) add('sma_20', { label: 'SMA 20', stroke: p.sma20, width: 1.25, dash: [...DASHES.sma20] });
  if (view.overlays.includes('sma50')) add('sma_50', { label: 'SMA 50', stroke: p.sma50, width: 1.25, dash: [...DASHES.sma50] });
  if (view.overlays.includes('ema')) {
    add('ema_12', { label: 'EMA 12', stroke: p.ema12, width: 1.25, dash: [...DASHES.ema12] });
    add('ema_26', { label: 'EMA 26', stroke: p.ema26, width: 1.25, dash: [...DASHES.ema26] });
  }
  if (view.overlays.includes('bb')) {
    const upper = add('bb_upper', { label: 'BB upper', stroke: p.bb, width: 1, dash: [...DASHES.bb] });
    const lower = add('bb_lower', { label: 'BB lower', stroke: p.bb, width: 1, dash: [...DASHES.bb] });
    bands.push({ series: [upper, lower], fill: p.bbFill });
  }

  return {
    columns,
    options: {
      padding: DETAIL_PADDING,
      series,
      bands,
      // Bars are evenly spaced like a trading platform's, so nights and weekends leave no holes.
      scales: { x: { time: true, distr: 2 } },
      axes: axes(p, time, { values: tickValues }),
      tzDate: clock.tzDate,
      cursor: cursor(DETAIL_SYNC),
      legend: legend(series),
      hooks: ohlc ? { drawAxes: [candlePlugin(p, ohlc)] } : {},
    },
  };
}

/** Volume in a pane of its own under the price (stocks; crypto has none), each bar coloured by its direction. */
export function volumeSpec(p: Palette, time: TimeAxis = UTC_AXIS): ChartSpec {
  const bars = uPlot.paths.bars!({ size: [0.7, 40] });
  const value = (_u: uPlot, v: number | null) => (v == null ? '—' : formatVolume(v));
  const series: uPlot.Series[] = [
    timeOptions(time).xSeries,
    // Fills and outlines both 3:1 or more against the panel (theme.ts).
    { label: 'Volume ▲', fill: p.volumeUp, stroke: p.up, width: 1, paths: bars, points: { show: false }, value },
    { label: 'Volume ▼', fill: p.volumeDown, stroke: p.down, width: 1, paths: bars, points: { show: false }, value },
  ];
  return {
    columns: ['volume_up', 'volume_down'],
    options: {
      padding: DETAIL_PADDING,
      series,
      scales: { x: { time: true, distr: 2 }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      axes: axes(p, time, { values: (_u, ticks) => ticks.map((v) => formatVolume(v)) }, true),
      tzDate: tzDate(time.zone),
      cursor: cursor(DETAIL_SYNC),
      legend: legend(series),
    },
  };
}

export function rsiSpec(p: Palette, time: TimeAxis = UTC_AXIS): ChartSpec {
  const series: uPlot.Series[] = [timeOptions(time).xSeries, { label: 'RSI 14', stroke: p.sma50, width: 1.25, value: priceValue }];
  return {
    columns: ['rsi_14'],
    options: {
      padding: DETAIL_PADDING,
      series,
      legend: legend(series),
      scales: { x: { time: true, distr: 2 }, y: { range: [0, 100] } },
      axes: axes(p, time, { splits: () => [30, 70], values: (_u, ticks) => ticks.map((v) => formatNumber(v, 0)) }, true),
      tzDate: tzDate(time.zone),
      cursor: cursor(DETAIL_SYNC),
      hooks: { drawAxes: [guides(p, [30, 70])] },
    },
  };
}

export function macdSpec(p: Palette, time: TimeAxis = UTC_AXIS): ChartSpec {
  const bars = uPlot.paths.bars!({ size: [0.7, 40] });
  const series: uPlot.Series[] = [
    timeOptions(time).xSeries,
    { label: 'Hist +', fill: p.volumeUp, stroke: p.volumeUp, width: 0, paths: bars, points: { show: false }, value: priceValue },
    { label: 'Hist −', fill: p.volumeDown, stroke: p.volumeDown, width: 0, paths: bars, points: { show: false }, value: priceValue },
    { label: 'MACD', stroke: p.ema12, width: 1.25, value: priceValue },
    { label: 'Signal', stroke: p.ema26, width: 1.25, dash: [...DASHES.signal], value: priceValue },
  ];
  return {
    columns: ['macd_up', 'macd_down', 'macd', 'macd_signal'],
    options: {
      padding: DETAIL_PADDING,
      series,
      legend: legend(series),
      scales: { x: { time: true, distr: 2 } },
      axes: axes(p, time, { values: tickValues }, true),
      tzDate: tzDate(time.zone),
      cursor: cursor(DETAIL_SYNC),
      hooks: { drawAxes: [guides(p, [0])] },
    },
  };
}

/** A card's sparkline: the close over the range, coloured by the period's direction. */
export function sparkSpec(p: Palette, up: boolean | null): ChartSpec {
  const stroke = up === null ? p.close : up ? p.up : p.down;
  return {
    columns: ['close'],
    options: {
      series: [{}, { stroke, width: 1.5, fill: up === null ? undefined : up ? p.areaUp : p.areaDown }],
      scales: { x: { time: true } },
      axes: [{ show: false }, { show: false }],
      legend: { show: false },
      cursor: { show: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      padding: [4, 0, 4, 0],
    },
  };
}

export interface CompareLine {
  symbol: string;
  color: string;
  /** The benchmark: thicker and dashed, so it stands apart without relying on colour. */
  benchmark: boolean;
}

/**
 * How the `index`th line of the comparison is drawn (and its legend marker): its colour, and a dash
 * of its own so it is told apart without colour; the benchmark thicker, with the longest dash.
 */
export function compareLineStyle(l: CompareLine, index: number): Pick<uPlot.Series, 'stroke' | 'width' | 'dash'> {
  return {
    stroke: l.color,
    width: l.benchmark ? 2.5 : 1.5,
    dash: l.benchmark ? [...BENCHMARK_DASH] : [...SERIES_DASHES[index % SERIES_DASHES.length]!],
  };
}

/** Percent tick labels with as many decimals as the spacing needs: "+5 %", "−2.5 %", "0 %". */
const pctTicks = (_u: uPlot, ticks: number[], _axis: number, _space: number, incr: number) =>
  ticks.map((v) => formatAxisPct(v, Math.min(2, Math.max(0, Math.ceil(-Math.log10(incr) - 1e-9)))));

/**
 * The comparison on a percent axis with a 0 % guide. Its own legend (Compare.tsx) shows every line
 * at the hovered time, so uPlot's (which shows only lines with a bar at exactly that x) is off and
 * `onCursor` reports the time under the cursor (null when it leaves). The x axis is calendar time,
 * not bars, so stocks and crypto cover the same span.
 */
export function compareOptions(
  lines: readonly CompareLine[],
  p: Palette,
  time: TimeAxis,
  onCursor: (t: number | null) => void,
): ChartOptions {
  return {
    series: [
      timeOptions(time).xSeries,
      ...lines.map((l, i) => ({
        label: l.benchmark ? `${l.symbol} (benchmark)` : l.symbol,
        ...compareLineStyle(l, i),
        spanGaps: true,
      })),
    ],
    scales: { x: { time: true } },
    axes: axes(p, time, { values: pctTicks }),
    tzDate: tzDate(time.zone),
    cursor: cursor(null),
    legend: { show: false },
    hooks: {
      drawAxes: [guides(p, [0])],
      setCursor: [
        (u: uPlot) => {
          const left = u.cursor.left;
          onCursor(left === undefined || left === null || left < 0 ? null : u.posToVal(left, 'x'));
        },
      ],
    },
  };
}

export function compareData(r: Rebased): uPlot.AlignedData {
  return [r.ts, ...r.values];
}
