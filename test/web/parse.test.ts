import { describe, expect, test } from 'vitest';
import { parseBarsEvent, parseConfig, parseLatest, parseLatestRun, parseRun, parseSeries, ShapeError } from '../../web/src/parse.ts';
import { NULLABLE_COLUMNS, PRICE_COLUMNS } from '../../web/src/types.ts';

const run = {
  etl_run_id: 7,
  started_at: '2026-08-23T14:00:00.000Z',
  finished_at: '2026-08-23T14:00:05.000Z',
  status: 'failed',
  trigger: 'cron',
  bars_upserted: 0,
  credits_used: 8,
  error: 'Twelve Data answered 429',
};

function wireSeries(symbol: string, ts: number[]) {
  const s: Record<string, unknown> = { symbol, ts };
  for (const c of PRICE_COLUMNS) s[c] = ts.map(() => 1);
  for (const c of NULLABLE_COLUMNS) s[c] = ts.map((_, i) => (i === 0 ? null : 1));
  return s;
}

describe('parseConfig', () => {
  test('accepts the contract', () => {
    const body = { symbols: ['AAPL', 'BTC/USD'], interval: '1h', simulated: true };
    expect(parseConfig(body)).toEqual(body);
  });

  test('names the offending field', () => {
    expect(() => parseConfig({ symbols: ['AAPL', 3], interval: '1h', simulated: false })).toThrow(
      new ShapeError('config.symbols[1]', 'a string'),
    );
    expect(() => parseConfig({ symbols: [], interval: '1h', simulated: 'yes' })).toThrow(/config\.simulated/);
    expect(() => parseConfig(null)).toThrow(ShapeError);
  });
});

describe('parseLatest', () => {
  const row = {
    symbol: 'BTC/USD',
    asset_type: 'crypto',
    exchange: null,
    currency: null,
    ts: '2026-08-23T13:00:00.000Z',
    close: 64000.5,
    change: null,
    change_pct: null,
  };

  test('accepts nullable fields as null', () => {
    expect(parseLatest({ rows: [row] })).toEqual([row]);
  });

  test('rejects an unknown asset type and a non-numeric close', () => {
    expect(() => parseLatest({ rows: [{ ...row, asset_type: 'forex' }] })).toThrow(/asset_type/);
    expect(() => parseLatest({ rows: [{ ...row, close: '64000.5' }] })).toThrow(/rows\[0\]\.close/);
    expect(() => parseLatest({ rows: [{ ...row, ts: 'yesterday' }] })).toThrow(/ISO time/);
  });
});

describe('parseRun / parseLatestRun', () => {
  test('accepts a run and the empty answer', () => {
    expect(parseRun(run)).toEqual(run);
    expect(parseLatestRun({ run })).toEqual(run);
    expect(parseLatestRun({ run: null })).toBeNull();
    expect(parseRun({ ...run, finished_at: null, error: null, status: 'running' }).finished_at).toBeNull();
  });

  test('rejects an unknown status and a missing run key', () => {
    expect(() => parseRun({ ...run, status: 'done' })).toThrow(/run\.status/);
    expect(() => parseLatestRun({})).toThrow(/runs\/latest/);
  });
});

describe('parseBarsEvent', () => {
  test('accepts the stream payload and rejects a bad max_ts', () => {
    const e = { interval: '1h', symbols: ['AAPL', 'BTC/USD'], max_ts: '2026-08-23T13:00:00.000Z' };
    expect(parseBarsEvent(e)).toEqual(e);
    expect(() => parseBarsEvent({ ...e, max_ts: 12 })).toThrow(/bars\.max_ts/);
    expect(() => parseBarsEvent({ ...e, symbols: 'AAPL' })).toThrow(/bars\.symbols/);
  });

  test('an announcement without symbols (too big for NOTIFY) means any symbol', () => {
    expect(parseBarsEvent({ interval: '1h', max_ts: '2026-08-23T13:00:00+00:00' }).symbols).toBeNull();
  });
});

describe('parseSeries', () => {
  test('accepts aligned columns with nulls in indicator columns', () => {
    const [s] = parseSeries({ series: [wireSeries('AAPL', [3600, 7200])] });
    expect(s?.symbol).toBe('AAPL');
    expect(s?.ts).toEqual([3600, 7200]);
    expect(s?.sma_20).toEqual([null, 1]);
    expect(s?.volatility_20).toEqual([null, 1]);
  });

  test('accepts a symbol with no bars', () => {
    expect(parseSeries({ series: [wireSeries('AAPL', [])] })[0]?.ts).toEqual([]);
  });

  test('rejects a column whose length differs from ts', () => {
    const bad = { ...wireSeries('AAPL', [3600, 7200]), close: [1] };
    expect(() => parseSeries({ series: [bad] })).toThrow(/series\.series\[0\]\.close should be 2 long/);
  });

  test('rejects null in a price column and a missing indicator column', () => {
    expect(() => parseSeries({ series: [{ ...wireSeries('AAPL', [3600]), open: [null] }] })).toThrow(/open\[0\]/);
    const missing = wireSeries('AAPL', [3600]);
    delete missing.macd_hist;
    expect(() => parseSeries({ series: [missing] })).toThrow(/macd_hist/);
  });

  test('rejects epoch milliseconds', () => {
    expect(() => parseSeries({ series: [wireSeries('AAPL', [1_767_225_600_000])] })).toThrow(/epoch seconds/);
  });
});
