import type { Theme } from './view.ts';

/**
 * Canvas colours per theme: uPlot draws axes, grid and series on canvas, which CSS cannot reach, so
 * these mirror the custom properties of styles.css. Lines are told apart by dash as well as colour.
 */
export interface Palette {
  axis: string;
  grid: string;
  up: string;
  down: string;
  close: string;
  sma20: string;
  sma50: string;
  ema12: string;
  ema26: string;
  bb: string;
  bbFill: string;
  volumeUp: string;
  volumeDown: string;
  guide: string;
  /** One colour per compared symbol, in order. */
  series: readonly string[];
}

export const PALETTES: Record<Theme, Palette> = {
  dark: {
    axis: '#9aa4b2',
    grid: 'rgba(154, 164, 178, 0.12)',
    up: '#3fb950',
    down: '#ff6b61',
    close: '#4ea1ff',
    sma20: '#f5a524',
    sma50: '#c084fc',
    ema12: '#2dd4bf',
    ema26: '#f472b6',
    bb: 'rgba(154, 164, 178, 0.7)',
    bbFill: 'rgba(154, 164, 178, 0.08)',
    volumeUp: 'rgba(63, 185, 80, 0.35)',
    volumeDown: 'rgba(255, 107, 97, 0.35)',
    guide: 'rgba(154, 164, 178, 0.45)',
    series: ['#4ea1ff', '#f5a524', '#3fb950', '#ff6b61', '#c084fc', '#2dd4bf', '#f472b6', '#e2e8f0', '#a3e635', '#fb923c'],
  },
  light: {
    axis: '#4b5563',
    grid: 'rgba(75, 85, 99, 0.14)',
    up: '#1a7f37',
    down: '#cf222e',
    close: '#0969da',
    sma20: '#b45309',
    sma50: '#8250df',
    ema12: '#0f766e',
    ema26: '#be185d',
    bb: 'rgba(75, 85, 99, 0.7)',
    bbFill: 'rgba(75, 85, 99, 0.07)',
    volumeUp: 'rgba(26, 127, 55, 0.3)',
    volumeDown: 'rgba(207, 34, 46, 0.3)',
    guide: 'rgba(75, 85, 99, 0.45)',
    series: ['#0969da', '#b45309', '#1a7f37', '#cf222e', '#8250df', '#0f766e', '#be185d', '#1f2937', '#4d7c0f', '#c2410c'],
  },
};

export function systemTheme(): Theme {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}
