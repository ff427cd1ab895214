import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { PALETTES, type Palette } from '../../web/src/theme.ts';
import type { Theme } from '../../web/src/view.ts';

/**
 * WCAG 2.2 contrast, computed: every colour of both chart palettes that carries meaning keeps 3:1
 * against the panel it is drawn on (1.4.11 non-text contrast; translucent ones composited on the
 * panel first), axis labels 4.5:1 (1.4.3, text). Decoration may be fainter, and is named here.
 */

type Rgba = [number, number, number, number];

function parseColour(css: string): Rgba {
  const hex = /^#([0-9a-f]{6})$/i.exec(css.trim());
  if (hex) {
    const n = Number.parseInt(hex[1]!, 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 1];
  }
  const rgba = /^rgba?\(([^)]+)\)$/i.exec(css.trim());
  if (!rgba) throw new Error(`not a colour this test reads: ${css}`);
  const [r, g, b, a = 1] = rgba[1]!.split(',').map((part) => Number(part.trim()));
  return [r!, g!, b!, a];
}

/** WCAG relative luminance of an opaque sRGB colour. */
function luminance([r, g, b]: Rgba): number {
  const linear = (channel: number) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** `fg` painted over the opaque `bg`. */
function composite(fg: Rgba, bg: Rgba): Rgba {
  const a = fg[3];
  return [fg[0] * a + bg[0] * (1 - a), fg[1] * a + bg[1] * (1 - a), fg[2] * a + bg[2] * (1 - a), 1];
}

function contrast(fg: string, bg: string): number {
  const back = parseColour(bg);
  const [l1, l2] = [luminance(composite(parseColour(fg), back)), luminance(back)];
  return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
}

/** Behind the values, never the values: grid lines, the Bollinger band's fill, the sparklines' area. */
const DECORATION = new Set<keyof Palette>(['grid', 'bbFill', 'areaUp', 'areaDown']);
/** Text drawn on the canvas. */
const TEXT = new Set<keyof Palette>(['axis']);
const THEMES: Theme[] = ['dark', 'light'];

/** Every meaningful colour of a palette, named for the failure message. */
function meaningful(p: Palette): [string, string][] {
  return Object.entries(p).flatMap(([key, value]): [string, string][] => {
    if (key === 'panel' || DECORATION.has(key as keyof Palette)) return [];
    if (Array.isArray(value)) return value.map((colour, i): [string, string] => [`${key}[${i}]`, colour]);
    return [[key, value as string]];
  });
}

describe('contrast (WCAG relative luminance)', () => {
  test('the formula gives the reference values', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#ffffff', '#ffffff')).toBe(1);
    // WCAG's own example of the 4.5:1 boundary: #767676 on white.
    expect(contrast('#767676', '#ffffff')).toBeGreaterThan(4.5);
    expect(contrast('#777777', '#ffffff')).toBeLessThan(4.5);
    // Translucency counts: half-transparent black on white is a mid grey, not black.
    expect(contrast('rgba(0, 0, 0, 0.5)', '#ffffff')).toBeCloseTo(contrast('#808080', '#ffffff'), 1);
  });

  for (const theme of THEMES) {
    test(`${theme}: every colour that carries meaning is 3:1 or more against the panel, axis labels 4.5:1`, () => {
      const p = PALETTES[theme];
      const entries = meaningful(p);
      // Nothing silently left out: series, candles, volume and MACD bars, guides, the crosshair.
      expect(entries.map(([name]) => name)).toEqual(
        expect.arrayContaining(['up', 'down', 'volumeUp', 'volumeDown', 'guide', 'crosshair', 'close', 'series[9]']),
      );
      const failing = entries
        .map(([name, colour]) => ({ name, colour, ratio: contrast(colour, p.panel), needs: TEXT.has(name as keyof Palette) ? 4.5 : 3 }))
        .filter((e) => e.ratio < e.needs);
      expect(failing).toEqual([]);
    });
  }

  test('the palettes mirror the stylesheet: the panel, the axis text, up/down and the crosshair are the same colours', () => {
    const css = readFileSync(path.resolve(import.meta.dirname, '../../web/src/styles.css'), 'utf8');
    const block = (selector: string) => {
      const start = css.indexOf(`${selector} {`);
      expect(start).toBeGreaterThanOrEqual(0);
      const body = css.slice(start, css.indexOf('}', start));
      return (name: string) => new RegExp(`--${name}:\\s*([^;]+);`).exec(body)?.[1]?.trim();
    };
    const vars: Record<Theme, (name: string) => string | undefined> = {
      dark: block(':root[data-theme="dark"]'),
      light: block(':root[data-theme="light"]'),
    };
    for (const theme of THEMES) {
      const p = PALETTES[theme];
      const v = vars[theme];
      expect({ panel: p.panel, axis: p.axis, up: p.up, down: p.down, close: p.close, crosshair: p.crosshair }).toEqual({
        panel: v('surface'),
        axis: v('muted'),
        up: v('up'),
        down: v('down'),
        close: v('accent'),
        crosshair: v('crosshair'),
      });
    }
  });
});
