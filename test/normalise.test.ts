import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intervalMs } from '../functions/_shared/intervals.ts';
import { formatUtcDatetime } from '../functions/_shared/time.ts';
import { normaliseSeries } from '../functions/_shared/twelvedata/normalise.ts';
import type { TimeSeriesOk } from '../functions/_shared/twelvedata/schemas.ts';
import type { Bar } from '../functions/_shared/types.ts';

/** Properties of normalisation over arbitrary, partly hostile input: nothing invalid or unfinished survives. */

const HOUR = intervalMs('1h');
const NOW = Date.parse('2026-11-18T15:05:00Z');
const META = {
  symbol: 'BTC/USD',
  interval: '1h',
  currency_base: 'Bitcoin',
  currency_quote: 'US Dollar',
  exchange: 'Binance',
  type: 'Digital Currency',
};

const priceText = fc.oneof(
  fc.double({ min: 1e-6, max: 1e6, noNaN: true }).map((n) => n.toFixed(5)),
  fc.constantFrom('NaN', '-1.5', '0', '', 'abc', 'Infinity', '1e400'),
  fc.double().map(String),
);
const anyField = fc.oneof(priceText, fc.double(), fc.constant(null), fc.constant(undefined));

const rawBar = fc.record(
  {
    // Hours around NOW, so some bars are still unfinished.
    datetime: fc.oneof(
      fc.integer({ min: -400, max: 3 }).map((h) => formatUtcDatetime(Math.floor(NOW / HOUR) * HOUR + h * HOUR)),
      fc.constantFrom('2026-13-01 00:00:00', 'yesterday', '2026-02-30 10:00:00', ''),
    ),
    open: anyField,
    high: anyField,
    low: anyField,
    close: anyField,
    volume: fc.oneof(anyField, fc.constant(undefined)),
  },
  { requiredKeys: ['datetime'] },
);

const values = fc.array(
  fc.oneof({ weight: 9, arbitrary: rawBar }, { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.string()) }),
  { maxLength: 300 },
);

function body(rawValues: unknown[]): TimeSeriesOk {
  return { status: 'ok', meta: META, values: rawValues };
}

function isValid(bar: Bar): boolean {
  const finite = [bar.open, bar.high, bar.low, bar.close].every((v) => Number.isFinite(v) && v > 0);
  return (
    finite &&
    bar.low <= Math.min(bar.open, bar.close) &&
    Math.max(bar.open, bar.close) <= bar.high &&
    (bar.volume === null || (Number.isFinite(bar.volume) && bar.volume >= 0))
  );
}

/** What the API would send for bars we already hold. */
function asApiValues(bars: readonly Bar[]): Record<string, string>[] {
  return bars.map((bar) => ({
    datetime: formatUtcDatetime(bar.ts),
    open: String(bar.open),
    high: String(bar.high),
    low: String(bar.low),
    close: String(bar.close),
    ...(bar.volume === null ? {} : { volume: String(bar.volume) }),
  }));
}

describe('normalisation properties', () => {
  it('never keeps an invalid, unfinished or duplicate bar, and keeps bars sorted', () => {
    fc.assert(
      fc.property(values, (raw) => {
        const { bars, rejected, unfinished, duplicates } = normaliseSeries('BTC/USD', '1h', body(raw), NOW);
        for (const bar of bars) {
          expect(isValid(bar)).toBe(true);
          expect(bar.ts + HOUR).toBeLessThanOrEqual(NOW);
        }
        const times = bars.map((bar) => bar.ts);
        expect(times).toEqual([...times].sort((a, b) => a - b));
        expect(new Set(times).size).toBe(times.length);
        // Every input bar is accounted for: kept, rejected with a reason, unfinished or a duplicate.
        expect(bars.length + rejected.length + unfinished + duplicates).toBe(raw.length);
        for (const r of rejected) expect(r.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('is idempotent: normalising its own output as the API would send it changes nothing', () => {
    fc.assert(
      fc.property(values, (raw) => {
        const once = normaliseSeries('BTC/USD', '1h', body(raw), NOW);
        const twice = normaliseSeries('BTC/USD', '1h', body(asApiValues(once.bars)), NOW);
        expect(twice.bars).toEqual(once.bars);
        expect(twice.rejected).toEqual([]);
        expect(twice.unfinished).toBe(0);
        expect(twice.duplicates).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the later of two copies of a bar, stores missing volume as null', () => {
    const result = normaliseSeries(
      'BTC/USD',
      '1h',
      body([
        { datetime: '2026-11-18 12:00:00', open: '10', high: '12', low: '9', close: '11' },
        { datetime: '2026-11-18 12:00:00', open: '10', high: '12', low: '9', close: '11.5' },
      ]),
      NOW,
    );
    expect(result.bars).toEqual([{ ts: Date.parse('2026-11-18T12:00:00Z'), open: 10, high: 12, low: 9, close: 11.5, volume: null }]);
    expect(result.duplicates).toBe(1);
  });
});

describe('normalisation rules for hostile values', () => {
  const STOCK_META = {
    symbol: 'AAPL',
    interval: '1h',
    currency: 'USD',
    exchange_timezone: 'America/New_York',
    exchange: 'NASDAQ',
    type: 'Common Stock',
  };
  const bar = (datetime: string, close = '10') => ({ datetime, open: '10', high: '11', low: '9', close, volume: '100' });
  const reasons = (symbol: string, interval: '1h' | '1day' | '1week', meta: TimeSeriesOk['meta'], raw: unknown[]) =>
    normaliseSeries(symbol, interval, { status: 'ok', meta, values: raw }, NOW).rejected.map((r) => r.reason);

  it('reads only plain decimals, within sane bounds', () => {
    const kept = normaliseSeries('BTC/USD', '1h', body([bar('2026-11-18 10:00:00', '10.5')]), NOW).bars;
    expect(kept.map((b) => b.close)).toEqual([10.5]);
    for (const [close, why] of [
      ['0x0a', /not a decimal number/],
      ['1e1', /not a decimal number/],
      ['1e308', /not a decimal number/],
      ['Infinity', /not a decimal number/],
      [' 10', /not a decimal number/],
      ['+10', /not a decimal number/],
      ['10.', /not a decimal number/],
      ['10000000000.0', /outside the sane range/],
      ['0.0000000000001', /outside the sane range/],
      ['9'.repeat(41), /longer than 40/],
    ] as const) {
      const rejected = reasons('BTC/USD', '1h', META, [{ ...bar('2026-11-18 10:00:00'), close }]);
      expect(rejected, close).toHaveLength(1);
      expect(rejected[0], close).toMatch(why);
    }
    expect(reasons('AAPL', '1h', STOCK_META, [{ ...bar('2026-11-17 14:30:00'), volume: '1e20' }])[0]).toMatch(/volume is not a decimal/);
    expect(reasons('AAPL', '1h', STOCK_META, [{ ...bar('2026-11-17 14:30:00'), volume: '10000000000000000' }])[0]).toMatch(
      /above the sane bound/,
    );
  });

  it("keeps bars on the instrument's grid: stocks at :30 New York, crypto at :00 UTC, dates for daily bars", () => {
    expect(reasons('AAPL', '1h', STOCK_META, [bar('2026-11-17 14:30:00')])).toEqual([]);
    expect(reasons('AAPL', '1h', STOCK_META, [bar('2026-11-17 14:00:00')])[0]).toMatch(/off the 1h grid .*09:30 America\/New_York/);
    expect(reasons('BTC/USD', '1h', META, [bar('2026-11-17 14:30:00')])[0]).toMatch(/off the 1h grid .*00:00 UTC/);
    expect(reasons('BTC/USD', '1h', META, [bar('2026-11-17 14:00:13')])[0]).toMatch(/off the 1h grid/);
    expect(reasons('AAPL', '1day', STOCK_META, [bar('2026-11-17')])).toEqual([]);
    expect(reasons('AAPL', '1day', STOCK_META, [bar('2026-11-17 12:07:13')])[0]).toMatch(/labelled with a date/);
    expect(reasons('AAPL', '1week', STOCK_META, [bar('2026-11-09')])).toEqual([]);
    expect(reasons('AAPL', '1week', STOCK_META, [bar('2026-11-11')])[0]).toMatch(/Monday/);
  });

  it('refuses bars before 1990 or in the future, and never throws on a deeply nested array', () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    expect(
      reasons('BTC/USD', '1h', META, [
        bar('1970-01-01 00:00:00'),
        bar('2099-01-01 00:00:00'),
        deep,
        { ...bar('2026-11-18 10:00:00'), close: deep },
      ]),
    ).toEqual([
      'bar is dated before 1990',
      'bar opens in the future',
      'bar is not an object (an array)',
      'close must be a decimal string, got an array',
    ]);
  });

  it('fails the symbol on an unknown time zone, and accepts UTC', () => {
    expect(() =>
      normaliseSeries('AAPL', '1h', { status: 'ok', meta: { ...STOCK_META, exchange_timezone: 'Mars/Olympus' }, values: [] }, NOW),
    ).toThrow(/Mars\/Olympus.*not an IANA time zone/);
    expect(
      normaliseSeries('X', '1h', { status: 'ok', meta: { ...STOCK_META, exchange_timezone: 'UTC' }, values: [] }, NOW).meta
        .exchangeTimezone,
    ).toBe('UTC');
  });
});
