import type { Theme } from './view.ts';

/**
 * Canvas colours per theme: uPlot draws axes, grid and series on canvas, which CSS cannot reach, so
 * these mirror the custom properties of styles.css. Lines are told apart by dash as well as colour
 * (charts.ts). Every colour that carries meaning (series, candles, bars, guides, the crosshair) keeps
 * a 3:1 contrast with `panel`, the background charts are drawn on, translucent ones as composited on
 * it (WCAG 1.4.11); axis labels are text, 4.5:1. Only decoration may be fainter: `grid`, `bbFill`,
 * `areaUp`/`areaDown` (the values are read from the labels, band lines and lines they sit behind).
 * test/web/contrast.test.ts computes every ratio.
 */
export interface Palette {
  /** The panels' background (--surface). */
  panel: string;
  axis: string;
  grid: string;
  /** The crosshair's lines (--crosshair; drawn as DOM, styled in styles.css). */
  crosshair: string;
  up: string;
  down: string;
  close: string;
  sma20: string;
  sma50: string;
  ema12: string;
  ema26: string;
  bb: string;
  bbFill: string;
  /** Volume and MACD histogram bars, by direction. */
  volumeUp: string;
  volumeDown: string;
  /** The fill under a card's sparkline, by direction: decoration under the line. */
  areaUp: string;
  areaDown: string;
  guide: string;
  /** One colour per compared symbol, in order. */
  series: readonly string[];
}

export const PALETTES: Record<Theme, Palette> = {
  dark: {
    panel: '#171b21',
    axis: '#9aa4b2',
    grid: 'rgba(154, 164, 178, 0.12)',
    crosshair: '#9aa4b2',
    up: '#3fb950',
    down: '#ff6b61',
    close: '#4ea1ff',
    sma20: '#f5a524',
    sma50: '#c084fc',
    ema12: '#2dd4bf',
    ema26: '#f472b6',
    bb: 'rgba(154, 164, 178, 0.7)',
    bbFill: 'rgba(154, 164, 178, 0.08)',
    volumeUp: 'rgba(63, 185, 80, 0.7)',
    volumeDown: 'rgba(255, 107, 97, 0.7)',
    areaUp: 'rgba(63, 185, 80, 0.2)',
    areaDown: 'rgba(255, 107, 97, 0.2)',
    guide: 'rgba(154, 164, 178, 0.7)',
    series: ['#4ea1ff', '#f5a524', '#3fb950', '#ff6b61', '#c084fc', '#2dd4bf', '#f472b6', '#e2e8f0', '#a3e635', '#fb923c'],
  },
  light: {
    panel: '#ffffff',
    axis: '#4b5563',
    grid: 'rgba(75, 85, 99, 0.14)',
    crosshair: '#4b5563',
    up: '#1a7f37',
    down: '#cf222e',
    close: '#0969da',
    sma20: '#b45309',
    sma50: '#8250df',
    ema12: '#0f766e',
    ema26: '#be185d',
    bb: 'rgba(75, 85, 99, 0.7)',
    bbFill: 'rgba(75, 85, 99, 0.07)',
    volumeUp: 'rgba(26, 127, 55, 0.8)',
    volumeDown: 'rgba(207, 34, 46, 0.8)',
    areaUp: 'rgba(26, 127, 55, 0.16)',
    areaDown: 'rgba(207, 34, 46, 0.16)',
    guide: 'rgba(75, 85, 99, 0.75)',
    series: ['#0969da', '#b45309', '#1a7f37', '#cf222e', '#8250df', '#0f766e', '#be185d', '#1f2937', '#4d7c0f', '#c2410c'],
  },
};

export function systemTheme(): Theme {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}
