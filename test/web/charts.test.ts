import type uPlot from 'uplot';
import { describe, expect, test } from 'vitest';
import { compareLineStyle, compareOptions, macdSpec, markerBackground, priceSpec } from '../../web/src/charts.ts';
import { PALETTES } from '../../web/src/theme.ts';

/** Series told apart without colour: every line its own dash, and the legend marker draws the same dash. */

const p = PALETTES.dark;

/** The SVG inside a marker's CSS background. */
function markerSvg(css: string): string {
  const m = /^url\("data:image\/svg\+xml,(.+)"\) center/.exec(css);
  if (!m) throw new Error(`not a drawn marker: ${css}`);
  return decodeURIComponent(m[1]!);
}

const dashOf = (s: uPlot.Series) => (s.dash ?? []).join(' ');
const lines = (series: uPlot.Series[]) => series.slice(1).filter((s) => typeof s.stroke === 'string' && s.paths === undefined);

function expectMarkersMatch(series: uPlot.Series[]) {
  for (const s of lines(series)) {
    const svg = markerSvg(markerBackground(s));
    expect(svg).toContain(`stroke='${s.stroke}'`);
    const dash = dashOf(s);
    if (dash) expect(svg).toContain(`stroke-dasharray='${dash}'`);
    else expect(svg).not.toContain('stroke-dasharray');
  }
}

describe('series distinguishable without colour', () => {
  test('the close line and every overlay have different dashes, and the legend shows each', () => {
    const { options } = priceSpec({ chart: 'line', overlays: ['sma20', 'sma50', 'ema', 'bb'], assetType: 'stock' }, p);
    const drawn = lines(options.series);
    expect(drawn.map((s) => s.label)).toEqual(['Close', 'SMA 20', 'SMA 50', 'EMA 12', 'EMA 26', 'BB upper', 'BB lower']);
    // The band's two edges are one thing drawn twice; everything else differs from everything else.
    const kinds = new Map(drawn.map((s) => [String(s.label).replace(/ (upper|lower)$/, ''), dashOf(s)]));
    expect(new Set(kinds.values()).size).toBe(kinds.size);
    expectMarkersMatch(options.series);
    // The markers are what the legend draws.
    const fill = options.legend?.markers?.fill as (u: uPlot, i: number) => string;
    options.series.forEach((s, i) => {
      if (i > 0) expect(fill({} as uPlot, i)).toBe(markerBackground(s));
    });
  });

  test('ten compared symbols and a benchmark: eleven dashes, and the legend marker (compareLineStyle) draws each', () => {
    const compared = Array.from({ length: 10 }, (_, i) => ({ symbol: `S${i}`, color: p.series[i % p.series.length]!, benchmark: false }));
    const all = [...compared, { symbol: 'B', color: p.axis, benchmark: true }];
    const utc = { zone: 'UTC', name: 'UTC' };
    const { series } = compareOptions(all, p, utc, () => {});
    const dashes = series.slice(1).map(dashOf);
    expect(new Set(dashes).size).toBe(11);
    // The comparison's own legend draws each marker from the same style as the line.
    all.forEach((line, i) => {
      expect(dashOf(compareLineStyle(line, i))).toBe(dashes[i]);
    });
    expectMarkersMatch(series);
  });

  test('MACD and its signal line differ by dash; histogram markers are bars with their fill', () => {
    const { series } = macdSpec(p).options;
    const macd = series.find((s) => s.label === 'MACD')!;
    const signal = series.find((s) => s.label === 'Signal')!;
    expect(dashOf(macd)).not.toBe(dashOf(signal));
    expectMarkersMatch(series);
    const hist = series.find((s) => s.label === 'Hist +')!;
    expect(markerSvg(markerBackground(hist))).toContain(`<rect`);
    expect(markerSvg(markerBackground(hist))).toContain(`fill='${p.volumeUp}'`);
  });
});

describe('candles without colour', () => {
  test('up candles are hollow (outlined), down candles filled', () => {
    const { options, columns } = priceSpec({ chart: 'candles', overlays: [], assetType: 'stock' }, p);
    // Two bars, one up (open 10, close 20) and one down (open 20, close 10), on a 1:1 scale.
    const values: Record<string, number[]> = { open: [10, 20], high: [25, 25], low: [5, 5], close: [20, 10] };
    const data = [[0, 1], ...columns.map((c) => values[c] ?? [0, 0])];
    const drawn: { op: string; style: string }[] = [];
    const ctx = {
      strokeStyle: '',
      fillStyle: '',
      lineWidth: 1,
      save() {},
      restore() {},
      beginPath() {},
      rect() {},
      clip() {},
      moveTo() {},
      lineTo() {},
      stroke() {},
      strokeRect() {
        drawn.push({ op: 'strokeRect', style: this.strokeStyle });
      },
      fillRect() {
        drawn.push({ op: 'fillRect', style: this.fillStyle });
      },
    };
    const u = {
      data,
      series: [{ idxs: [0, 1] }],
      ctx,
      bbox: { left: 0, top: 0, width: 200, height: 100 },
      scales: { x: { distr: 2 } },
      valToPos: (v: number, scale: string) => (scale === 'x' ? 50 + v * 100 : 100 - v * 3),
    };
    const hooks = options.hooks?.drawAxes;
    const draw = (Array.isArray(hooks) ? hooks[0] : hooks) as unknown as (u: unknown) => void;
    draw(u);
    expect(drawn).toEqual([
      { op: 'strokeRect', style: p.up },
      { op: 'fillRect', style: p.down },
    ]);
  });
});
