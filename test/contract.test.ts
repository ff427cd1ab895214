import { describe, expect, it } from 'vitest';
import { parseConfig } from '../functions/_shared/config.ts';
import { INTERVAL_SECONDS, INTERVALS, PLAN_DEFAULTS, SERIES_COLUMNS, SYMBOL_PATTERN } from '../functions/_shared/contract.ts';
import { readApi } from '../functions/_shared/http/read-api.ts';
import { intervalMs } from '../functions/_shared/intervals.ts';
import { intervalSecondsOf } from '../web/src/freshness.ts';
import { parseSeries, ShapeError } from '../web/src/parse.ts';

/** The wire contract is one declaration: every side that speaks it agrees, without a database. */

describe('the wire contract', () => {
  // Routes that reach the database are not called here: a refusal happens before any query.
  const api = readApi({
    sql: (() => {
      throw new Error('no query expected');
    }) as never,
    symbols: ['AAPL'],
    interval: '1h',
    simulated: false,
  });

  it('one symbol pattern: the environment and the read API accept and refuse the same symbols', async () => {
    for (const symbol of ['aapl', 'btc/usd', 'BRK.B']) {
      expect(parseConfig({ MARKET_SYMBOLS: symbol }).MARKET_SYMBOLS).toEqual([symbol.toUpperCase()]);
      expect(SYMBOL_PATTERN.test(symbol.toUpperCase())).toBe(true);
    }
    for (const symbol of ['AAPL!', 'BTC/USD/EUR', 'A'.repeat(13)]) {
      expect(() => parseConfig({ MARKET_SYMBOLS: symbol })).toThrow(/MARKET_SYMBOLS/);
      expect((await api.request(`/series?symbols=${encodeURIComponent(symbol)}`)).status).toBe(400);
    }
  });

  it('one table of interval lengths for the server and the dashboard', () => {
    for (const interval of INTERVALS) {
      expect(intervalMs(interval)).toBe(INTERVAL_SECONDS[interval] * 1000);
      expect(intervalSecondsOf(interval)).toBe(INTERVAL_SECONDS[interval]);
    }
  });

  it('the plan defaults are the environment defaults', () => {
    const config = parseConfig({});
    expect([config.TWELVE_DATA_CREDITS_PER_MINUTE, config.TWELVE_DATA_CREDITS_PER_DAY]).toEqual([
      PLAN_DEFAULTS.creditsPerMinute,
      PLAN_DEFAULTS.creditsPerDay,
    ]);
  });

  it('the series columns the read API accepts are the ones the dashboard parses', async () => {
    const unknown = await api.request('/series?symbols=AAPL&columns=close,bogus');
    expect(unknown.status).toBe(400);
    const entry = { symbol: 'AAPL', ts: [3600], close: [1] };
    expect(parseSeries({ series: [entry] }, ['close'])[0]!.close).toEqual([1]);
    expect(() => parseSeries({ series: [entry] }, ['close', 'high'])).toThrow(new ShapeError('series.series[0].high', 'an array'));
    expect(SERIES_COLUMNS).toHaveLength(17);
  });
});
