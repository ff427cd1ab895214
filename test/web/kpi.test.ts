import { describe, expect, test } from 'vitest';
import { kpi } from '../../web/src/kpi.ts';
import { emptySeries } from '../../web/src/series.ts';
import { makeSeries } from './helpers.ts';

const H = 3600;

describe('kpi', () => {
  test('last price, change over the rows shown, their high and low, the newest volatility', () => {
    const s = makeSeries('AAPL', [
      [H, 100],
      [2 * H, 120],
      [3 * H, 110],
    ]);
    s.high = [101, 125, 111];
    s.low = [99, 118, 95];
    s.volatility_20 = [null, 0.012, null];
    expect(kpi(s)).toEqual({ last: 110, changePct: 10, high: 125, low: 95, volatilityPct: 1.2 });
  });

  test('one bar has no change; no volatility yet is null', () => {
    const s = makeSeries('BTC/USD', [[H, 100]]);
    s.volatility_20 = [null];
    expect(kpi(s)).toMatchObject({ last: 100, changePct: null, volatilityPct: null });
  });

  test('no rows, no figures', () => {
    expect(kpi(undefined)).toBeNull();
    expect(kpi(emptySeries('AAPL'))).toBeNull();
  });
});

describe('annualised volatility', () => {
  test('scales by the square root of the bars a year: 1,764 hourly stock bars, 8,760 hourly crypto bars', async () => {
    const { annualised, barsPerYear } = await import('../../web/src/kpi.ts');
    expect(barsPerYear('stock', 3600)).toBe(1764);
    expect(barsPerYear('crypto', 3600)).toBe(8760);
    expect(barsPerYear('stock', 86_400)).toBe(252);
    expect(annualised(1, 'crypto', 3600)).toBeCloseTo(Math.sqrt(8760), 12);
    expect(annualised(null, 'stock', 3600)).toBeNull();
  });
});
