import { describe, expect, test } from 'vitest';
import { rebase } from '../../web/src/rebase.ts';
import { makeSeries } from './helpers.ts';

const H = 3600;

describe('rebase', () => {
  test('every symbol starts at 100 on its first bar in the window', () => {
    const r = rebase([
      makeSeries('AAPL', [
        [H, 200],
        [2 * H, 210],
        [3 * H, 190],
      ]),
      makeSeries('BTC/USD', [
        [H, 50_000],
        [2 * H, 55_000],
        [3 * H, 60_000],
      ]),
    ]);
    expect(r.symbols).toEqual(['AAPL', 'BTC/USD']);
    expect(r.ts).toEqual([H, 2 * H, 3 * H]);
    expect(r.values[0]).toEqual([100, 105, 95]);
    expect(r.values[1]).toEqual([100, 110, 120]);
  });

  test('the base is the first bar at or after from; earlier bars are left out', () => {
    const r = rebase(
      [
        makeSeries('AAPL', [
          [H, 50],
          [2 * H, 200],
          [3 * H, 220],
        ]),
      ],
      2 * H,
    );
    expect(r.ts).toEqual([2 * H, 3 * H]);
    expect(r.values[0]![0]).toBe(100);
    expect(r.values[0]![1]).toBeCloseTo(110, 10);
  });

  test('stocks and crypto are joined on the union of their bar times, null where one has no bar', () => {
    const stock = makeSeries('AAPL', [
      [14 * H, 100],
      [16 * H, 102],
    ]);
    const crypto = makeSeries('ETH/USD', [
      [14 * H, 3000],
      [15 * H, 3030],
      [16 * H, 2970],
    ]);
    const r = rebase([stock, crypto]);
    expect(r.ts).toEqual([14 * H, 15 * H, 16 * H]);
    expect(r.values[0]).toEqual([100, null, 102]);
    expect(r.values[1]).toEqual([100, 101, 99]);
  });

  test('ranks performers best first, by the change over the window', () => {
    const r = rebase([
      makeSeries('AAPL', [
        [H, 100],
        [2 * H, 101],
      ]),
      makeSeries('MSFT', [
        [H, 100],
        [2 * H, 90],
      ]),
      makeSeries('SOL/USD', [
        [H, 10],
        [2 * H, 12],
      ]),
    ]);
    expect(r.performance.map((p) => p.symbol)).toEqual(['SOL/USD', 'AAPL', 'MSFT']);
    expect(r.performance[0]!.changePct).toBeCloseTo(20, 10);
    expect(r.performance[2]!.changePct).toBeCloseTo(-10, 10);
  });

  test('a symbol with no bar in the window, or a zero base, is reported missing, not drawn', () => {
    const r = rebase(
      [
        makeSeries('AAPL', [[H, 100]]),
        makeSeries('MSFT', [
          [H, 0],
          [2 * H, 5],
        ]),
        makeSeries('META', []),
      ],
      0,
    );
    expect(r.symbols).toEqual(['AAPL']);
    expect(r.missing).toEqual(['MSFT', 'META']);
  });

  test('nothing to compare gives empty columns', () => {
    expect(rebase([])).toEqual({ symbols: [], ts: [], values: [], performance: [], missing: [] });
  });
});
