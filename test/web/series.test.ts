import { describe, expect, test } from 'vitest';
import { emptySeries, isoFromEpochSeconds, lastTs, mergeSeries, trimBefore, windowStart } from '../../web/src/series.ts';
import { NULLABLE_COLUMNS, PRICE_COLUMNS } from '../../web/src/types.ts';
import { makeSeries, rowsOf } from './helpers.ts';

const H = 3600;

describe('mergeSeries', () => {
  test('appends newer rows in order', () => {
    const base = makeSeries('AAPL', [
      [H, 1],
      [2 * H, 2],
    ]);
    const merged = mergeSeries(
      base,
      makeSeries('AAPL', [
        [3 * H, 3],
        [4 * H, 4],
      ]),
    );
    expect(rowsOf(merged)).toEqual([
      [H, 1],
      [2 * H, 2],
      [3 * H, 3],
      [4 * H, 4],
    ]);
  });

  test('a revised bar replaces the held one with the same ts, in every column', () => {
    const base = makeSeries('AAPL', [
      [H, 1],
      [2 * H, 2],
    ]);
    const revised = makeSeries('AAPL', [
      [2 * H, 20],
      [3 * H, 3],
    ]);
    revised.volume[0] = 999;
    const merged = mergeSeries(base, revised);
    expect(rowsOf(merged)).toEqual([
      [H, 1],
      [2 * H, 20],
      [3 * H, 3],
    ]);
    for (const c of PRICE_COLUMNS) expect(merged[c]).toEqual([1, 20, 3]);
    expect(merged.sma_20).toEqual([1.5, 20.5, 3.5]);
    expect(merged.volume).toEqual([null, 999, null]);
  });

  test('sorts out-of-order input, interleaving with held rows', () => {
    const base = makeSeries('BTC/USD', [
      [2 * H, 2],
      [4 * H, 4],
    ]);
    const merged = mergeSeries(
      base,
      makeSeries('BTC/USD', [
        [5 * H, 5],
        [H, 1],
        [3 * H, 3],
      ]),
    );
    expect(rowsOf(merged)).toEqual([
      [H, 1],
      [2 * H, 2],
      [3 * H, 3],
      [4 * H, 4],
      [5 * H, 5],
    ]);
  });

  test('sorts and dedupes a first load with no held series; the later duplicate wins', () => {
    const merged = mergeSeries(
      undefined,
      makeSeries('AAPL', [
        [2 * H, 2],
        [H, 1],
        [2 * H, 22],
        [H, 11],
      ]),
    );
    expect(rowsOf(merged)).toEqual([
      [H, 11],
      [2 * H, 22],
    ]);
  });

  test('keeps every column aligned with ts', () => {
    const merged = mergeSeries(
      makeSeries('AAPL', [
        [3 * H, 3],
        [H, 1],
      ]),
      makeSeries('AAPL', [
        [2 * H, 2],
        [H, 10],
      ]),
    );
    for (const c of [...PRICE_COLUMNS, ...NULLABLE_COLUMNS]) expect(merged[c]).toHaveLength(merged.ts.length);
    expect(merged.ts).toEqual([H, 2 * H, 3 * H]);
    expect(merged.sma_20).toEqual([10.5, 2.5, 3.5]);
  });

  test('empty incoming leaves the held rows', () => {
    const base = makeSeries('AAPL', [
      [H, 1],
      [2 * H, 2],
    ]);
    expect(rowsOf(mergeSeries(base, emptySeries('AAPL')))).toEqual([
      [H, 1],
      [2 * H, 2],
    ]);
  });

  test('empty held series takes the incoming rows', () => {
    expect(rowsOf(mergeSeries(emptySeries('AAPL'), makeSeries('AAPL', [[H, 1]])))).toEqual([[H, 1]]);
  });

  test('nothing merged with nothing is an empty series of that symbol', () => {
    const merged = mergeSeries(undefined, emptySeries('ETH/USD'));
    expect(merged.symbol).toBe('ETH/USD');
    expect(merged.ts).toEqual([]);
    expect(merged.close).toEqual([]);
    expect(merged.volatility_20).toEqual([]);
  });

  test('returns a new series and leaves both inputs untouched', () => {
    const base = makeSeries('AAPL', [
      [H, 1],
      [2 * H, 2],
    ]);
    const incoming = makeSeries('AAPL', [
      [2 * H, 20],
      [H - H / 2, 0],
    ]);
    const baseBefore = structuredClone(base);
    const incomingBefore = structuredClone(incoming);
    const merged = mergeSeries(base, incoming);
    expect(merged).not.toBe(base);
    expect(merged.ts).not.toBe(base.ts);
    expect(merged.close).not.toBe(base.close);
    expect(base).toEqual(baseBefore);
    expect(incoming).toEqual(incomingBefore);
  });

  test('refuses to merge different symbols', () => {
    expect(() => mergeSeries(makeSeries('AAPL', [[H, 1]]), makeSeries('MSFT', [[H, 1]]))).toThrow(/MSFT.*AAPL/);
  });

  test('merging the same answer twice changes nothing', () => {
    const base = makeSeries('AAPL', [
      [H, 1],
      [2 * H, 2],
    ]);
    const incoming = makeSeries('AAPL', [
      [2 * H, 2.5],
      [3 * H, 3],
    ]);
    const once = mergeSeries(base, incoming);
    expect(mergeSeries(once, incoming)).toEqual(once);
  });
});

describe('lastTs', () => {
  test('is the newest ts, or undefined when there are no bars', () => {
    expect(
      lastTs(
        makeSeries('AAPL', [
          [H, 1],
          [5 * H, 5],
        ]),
      ),
    ).toBe(5 * H);
    expect(lastTs(emptySeries('AAPL'))).toBeUndefined();
    expect(lastTs(undefined)).toBeUndefined();
  });
});

describe('isoFromEpochSeconds', () => {
  test('converts seconds, not milliseconds', () => {
    expect(isoFromEpochSeconds(1_767_225_600)).toBe('2026-01-01T00:00:00.000Z');
    expect(isoFromEpochSeconds(0)).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('trimBefore', () => {
  test('drops rows older than from, in every column', () => {
    const s = makeSeries('AAPL', [
      [H, 1],
      [2 * H, 2],
      [3 * H, 3],
    ]);
    const t = trimBefore(s, 2 * H);
    expect(rowsOf(t)).toEqual([
      [2 * H, 2],
      [3 * H, 3],
    ]);
    for (const c of [...PRICE_COLUMNS, ...NULLABLE_COLUMNS]) expect(t[c]).toHaveLength(2);
  });

  test('returns the same series when nothing is older, and an empty one when everything is', () => {
    const s = makeSeries('AAPL', [
      [H, 1],
      [2 * H, 2],
    ]);
    expect(trimBefore(s, H)).toBe(s);
    expect(trimBefore(s, 3 * H).ts).toEqual([]);
  });
});

describe('windowStart', () => {
  test('is span seconds before the newest bar, or undefined for all history or no bars', () => {
    expect(windowStart(10 * H, 4 * H)).toBe(6 * H);
    expect(windowStart(10 * H, null)).toBeUndefined();
    expect(windowStart(undefined, 4 * H)).toBeUndefined();
  });
});
