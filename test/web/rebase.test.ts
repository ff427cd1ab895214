import { describe, expect, test } from 'vitest';
import { indexAtOrBefore, pctChange, type RebaseAnchor, rebase, valueAt } from '../../web/src/rebase.ts';
import { makeSeries, sec } from './helpers.ts';

const H = 3600;

/** An anchor as market.returns gives it: the base bar and the newest bar of the return. */
const anchor = (baseTs: number, baseClose: number, asOfTs: number, close: number): RebaseAnchor => ({ baseTs, baseClose, asOfTs, close });

describe('rebase', () => {
  test('each line is 0 % at its base close and ends at its return, on the bars in between', () => {
    const r = rebase(
      [
        makeSeries('AAPL', [
          [H, 200],
          [2 * H, 210],
          [3 * H, 190],
        ]),
      ],
      new Map([['AAPL', anchor(H, 200, 3 * H, 190)]]),
    );
    expect(r.symbols).toEqual(['AAPL']);
    const line = r.lines[0]!;
    expect(line.ts).toEqual([H, 2 * H, 3 * H]);
    // 210/200 = +5 %, 190/200 = −5 %.
    expect(line.pct.map((v) => Number(v.toFixed(10)))).toEqual([0, 5, -5]);
    expect(r.values).toEqual([line.pct]);
  });

  test('the end point is the return computed as market.returns computes change_pct, even when the thinned points skipped that bar', () => {
    // The chart holds every other bar; the base (H, 80) and the newest (5H, 101) are not among them.
    const r = rebase(
      [
        makeSeries('MSFT', [
          [2 * H, 90],
          [4 * H, 96],
        ]),
      ],
      new Map([['MSFT', anchor(H, 80, 5 * H, 101)]]),
    );
    expect(r.lines[0]!.ts).toEqual([H, 2 * H, 4 * H, 5 * H]);
    // 90/80 = +12.5 %, 96/80 = +20 %, 101/80 = +26.25 %.
    expect(r.lines[0]!.pct[0]).toBe(0);
    expect(r.lines[0]!.pct[1]).toBeCloseTo(12.5, 10);
    expect(r.lines[0]!.pct[2]).toBeCloseTo(20, 10);
    expect(r.lines[0]!.pct.at(-1)).toBe(100 * (101 / 80 - 1));
    expect(r.lines[0]!.pct.at(-1)).toBeCloseTo(26.25, 10);
  });

  test('bars before the base are left out, and bars newer than the return wait for it', () => {
    const r = rebase(
      [
        makeSeries('AAPL', [
          [H, 50],
          [2 * H, 100],
          [3 * H, 110],
          [4 * H, 999],
        ]),
      ],
      new Map([['AAPL', anchor(2 * H, 100, 3 * H, 110)]]),
    );
    expect(r.lines[0]!.ts).toEqual([2 * H, 3 * H]);
    expect(r.lines[0]!.pct[1]).toBeCloseTo(10, 10);
  });

  test('stocks and crypto share one time axis from the earliest base to the newest bar, null where one has no bar', () => {
    // Friday 20 Nov 2026, New York on EST: AAPL's 14:30 and 15:30 bars open at 19:30Z and 20:30Z; ETH's at :00 UTC.
    const stock = makeSeries('AAPL', [
      [sec('2026-11-20T19:30:00Z'), 100],
      [sec('2026-11-20T20:30:00Z'), 102],
    ]);
    const crypto = makeSeries('ETH/USD', [
      [sec('2026-11-20T20:00:00Z'), 3000],
      [sec('2026-11-20T21:00:00Z'), 3030],
      [sec('2026-11-20T22:00:00Z'), 2970],
    ]);
    const r = rebase(
      [stock, crypto],
      new Map([
        ['AAPL', anchor(sec('2026-11-20T19:30:00Z'), 100, sec('2026-11-20T20:30:00Z'), 102)],
        ['ETH/USD', anchor(sec('2026-11-20T20:00:00Z'), 3000, sec('2026-11-20T22:00:00Z'), 2970)],
      ]),
    );
    expect(r.ts).toEqual(['19:30', '20:00', '20:30', '21:00', '22:00'].map((hm) => sec(`2026-11-20T${hm}:00Z`)));
    expect(r.values[0]!.map((v) => (v === null ? null : Number(v.toFixed(10))))).toEqual([0, null, 2, null, null]);
    expect(r.values[1]![0]).toBeNull();
    expect(r.values[1]![1]).toBe(0);
    expect(r.values[1]![3]).toBeCloseTo(1, 10);
    expect(r.values[1]![4]).toBeCloseTo(-1, 10);
    expect(r.span).toEqual([sec('2026-11-20T19:30:00Z'), sec('2026-11-20T22:00:00Z')]);
  });

  test('a symbol without a base (short history, no return yet) or with a zero base is missing, not drawn', () => {
    const r = rebase(
      [makeSeries('AAPL', [[H, 100]]), makeSeries('MSFT', [[H, 5]]), makeSeries('META', [])],
      new Map([
        ['AAPL', anchor(H, 100, H, 100)],
        ['MSFT', anchor(H, 0, H, 5)],
      ]),
    );
    expect(r.symbols).toEqual(['AAPL']);
    expect(r.lines[0]).toEqual({ symbol: 'AAPL', ts: [H], pct: [0] });
    expect(r.missing).toEqual(['MSFT', 'META']);
  });

  test('nothing to compare gives empty columns and no span', () => {
    expect(rebase([], new Map())).toEqual({ symbols: [], lines: [], ts: [], values: [], span: null, missing: [] });
  });

  test('pctChange is the change in percent from the base', () => {
    expect(pctChange(110, 100)).toBeCloseTo(10, 12);
    expect(pctChange(75, 100)).toBe(-25);
    expect(pctChange(100, 100)).toBe(0);
  });
});

describe('the value at the nearest bar at or before a time', () => {
  // AAPL (New York, EST): Friday 20 Nov 2026 14:30 and 15:30, then Monday 23 Nov 09:30, bars open at :30.
  const friday1430 = sec('2026-11-20T19:30:00Z');
  const friday1530 = sec('2026-11-20T20:30:00Z');
  const monday0930 = sec('2026-11-23T14:30:00Z');
  const stock = { symbol: 'AAPL', ts: [friday1430, friday1530, monday0930], pct: [0, 1.5, -0.75] };
  // BTC: every hour at :00 UTC, Friday 19:00Z to Monday 15:00Z; its value is the hours since the start / 100.
  const btcTs = Array.from({ length: 69 }, (_, i) => sec('2026-11-20T19:00:00Z') + i * H);
  const crypto = { symbol: 'BTC/USD', ts: btcTs, pct: btcTs.map((_, i) => i / 100) };

  test('exact bar times find that bar', () => {
    expect(indexAtOrBefore(stock.ts, friday1530)).toBe(1);
    expect(valueAt(stock, friday1530)).toBe(1.5);
    expect(valueAt(crypto, sec('2026-11-20T20:00:00Z'))).toBe(0.01);
  });

  test('a stock at :30 and crypto at :00 both have a value at any time between their bars', () => {
    // 20:15Z: AAPL's last bar opened 19:30Z, BTC's 20:00Z.
    expect(valueAt(stock, sec('2026-11-20T20:15:00Z'))).toBe(0);
    expect(valueAt(crypto, sec('2026-11-20T20:15:00Z'))).toBe(0.01);
    // 20:45Z: AAPL's 20:30Z bar, BTC's 20:00Z bar.
    expect(valueAt(stock, sec('2026-11-20T20:45:00Z'))).toBe(1.5);
    expect(valueAt(crypto, sec('2026-11-20T20:45:00Z'))).toBe(0.01);
  });

  test('over the weekend a stock keeps its Friday close, crypto its latest hour', () => {
    const sunday = sec('2026-11-22T18:10:00Z');
    expect(valueAt(stock, sunday)).toBe(1.5);
    // 18:00Z Sunday is 47 hours after 19:00Z Friday.
    expect(valueAt(crypto, sunday)).toBe(0.47);
    // Monday's first session bar takes over only from its open.
    expect(valueAt(stock, monday0930 - 1)).toBe(1.5);
    expect(valueAt(stock, monday0930)).toBe(-0.75);
  });

  test('before a line starts there is no value; after it ends, its last', () => {
    expect(indexAtOrBefore(stock.ts, friday1430 - 1)).toBe(-1);
    expect(valueAt(stock, friday1430 - 1)).toBeNull();
    expect(valueAt(stock, sec('2026-11-30T00:00:00Z'))).toBe(-0.75);
    expect(indexAtOrBefore([], 5)).toBe(-1);
  });
});
