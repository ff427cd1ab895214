import { describe, expect, test } from 'vitest';
import {
  benchmarkOf,
  comparedSymbols,
  defaultView,
  OVERLAYS,
  parseView,
  serializeView,
  toggle,
  toggleCompared,
  type ViewState,
} from '../../web/src/view.ts';

const SYMBOLS = ['AAPL', 'MSFT', 'BTC/USD', 'ETH/USD'];
const defaults = defaultView(SYMBOLS);

describe('view state in the URL', () => {
  test('a plain visit is the default view and a clean URL', () => {
    expect(parseView('', SYMBOLS)).toEqual(defaults);
    expect(serializeView(defaults, defaults)).toBe('');
  });

  test('round-trips every setting, keeping symbols with a slash readable', () => {
    const view: ViewState = {
      symbol: 'BTC/USD',
      watch: ['AAPL', 'MSFT', 'BTC/USD'],
      compare: ['AAPL', 'BTC/USD'],
      benchmark: 'MSFT',
      range: '1Y',
      bars: '1week',
      zoom: [1764000000, 1764500000],
      chart: 'candles',
      overlays: ['sma50', 'bb'],
      panes: ['macd'],
      theme: 'light',
      poll: 30,
      tz: 'utc',
      locale: 'de-DE',
    };
    const query = serializeView(view, defaults);
    expect(query).toBe(
      '?symbol=BTC/USD&watch=AAPL,MSFT,BTC/USD&compare=AAPL,BTC/USD&benchmark=MSFT&range=1Y&bars=1week&zoom=1764000000-1764500000&chart=candles&overlays=sma50,bb&panes=macd&theme=light&poll=30&tz=utc&locale=de-DE',
    );
    expect(parseView(query, SYMBOLS)).toEqual(view);
    expect(parseView(new URL(`http://x/${query}`).search, SYMBOLS)).toEqual(view);
  });

  test('a time zone and a locale outside what is offered fall back to the defaults instead of failing', () => {
    for (const bad of ['?tz=EST', '?tz=', '?tz=America/New_York', '?locale=xx', '?locale=de_DE', '?locale=<b>', '?locale=']) {
      const view = parseView(bad, SYMBOLS);
      expect(view.tz).toBe('exchange');
      expect(view.locale).toBeNull();
      expect(serializeView(view, defaults)).toBe('');
    }
    expect(parseView('?tz=local', SYMBOLS).tz).toBe('local');
    // Canonical spelling, so equal views serialise equally.
    expect(parseView('?locale=de-de', SYMBOLS).locale).toBe('de-DE');
  });

  test('an encoded link reads the same', () => {
    expect(parseView('?symbol=btc%2Fusd&watch=eth%2Fusd%2Caapl', SYMBOLS)).toMatchObject({ symbol: 'BTC/USD', watch: ['AAPL', 'ETH/USD'] });
  });

  test('unknown values fall back to the defaults instead of breaking the page', () => {
    const view = parseView('?symbol=TSLA&range=5Y&chart=pie&overlays=sma20,nope&watch=TSLA&poll=1&theme=neon', SYMBOLS);
    expect(view).toEqual({ ...defaults, overlays: ['sma20'], theme: null });
  });

  test('empty lists mean none for overlays and panes; an empty watch list means the default one', () => {
    expect(parseView('?overlays=&panes=&watch=', SYMBOLS)).toMatchObject({ overlays: [], panes: [], watch: SYMBOLS });
  });

  test('the lists keep the canonical order whatever order the link has', () => {
    expect(parseView('?watch=ETH/USD,AAPL&overlays=bb,sma20', SYMBOLS)).toMatchObject({
      watch: ['AAPL', 'ETH/USD'],
      overlays: ['sma20', 'bb'],
    });
  });

  test('the default poll interval can be configured', () => {
    expect(parseView('', SYMBOLS, defaultView(SYMBOLS, 15)).poll).toBe(15);
  });
});

describe('the comparison in the URL', () => {
  test('by default it compares the watch list against no benchmark, and says nothing in the URL', () => {
    expect(defaults).toMatchObject({ compare: null, benchmark: null });
    expect(comparedSymbols(defaults)).toEqual(SYMBOLS);
    expect(benchmarkOf(defaults)).toBeNull();
  });

  test('a choice and a benchmark round-trip, in watch-list order, with slashes readable', () => {
    const view = parseView('?compare=eth/usd,aapl&benchmark=btc%2Fusd', SYMBOLS);
    expect(view).toMatchObject({ compare: ['AAPL', 'ETH/USD'], benchmark: 'BTC/USD' });
    expect(serializeView(view, defaults)).toBe('?compare=AAPL,ETH/USD&benchmark=BTC/USD');
    // The benchmark may be one of the compared symbols.
    expect(parseView('?compare=AAPL,MSFT&benchmark=AAPL', SYMBOLS)).toMatchObject({ compare: ['AAPL', 'MSFT'], benchmark: 'AAPL' });
  });

  test('unknown symbols, or ones off the watch list (whose bars are not held), are ignored', () => {
    expect(parseView('?compare=TSLA,MSFT&benchmark=TSLA', SYMBOLS)).toMatchObject({ compare: ['MSFT'], benchmark: null });
    expect(parseView('?watch=AAPL,MSFT&compare=BTC/USD,AAPL&benchmark=ETH/USD', SYMBOLS)).toMatchObject({
      compare: ['AAPL'],
      benchmark: null,
    });
    // Nothing left, or the whole watch list, is the default.
    expect(parseView('?compare=TSLA', SYMBOLS).compare).toBeNull();
    expect(parseView('?compare=', SYMBOLS).compare).toBeNull();
    expect(parseView(`?compare=${SYMBOLS.join(',')}`, SYMBOLS).compare).toBeNull();
  });

  test('a choice the watch list no longer holds falls back to what is still there', () => {
    const view = { ...defaults, watch: ['AAPL', 'BTC/USD'], compare: ['MSFT', 'BTC/USD'], benchmark: 'ETH/USD' };
    expect(comparedSymbols(view)).toEqual(['BTC/USD']);
    expect(benchmarkOf(view)).toBeNull();
    expect(serializeView(view, defaults)).toBe('?watch=AAPL,BTC/USD&compare=BTC/USD');
    expect(comparedSymbols({ watch: ['AAPL'], compare: ['MSFT'] })).toEqual(['AAPL']);
  });

  test('toggling keeps the order, returns to the default when all are compared, and keeps the last one', () => {
    expect(toggleCompared(defaults, 'MSFT')).toEqual(['AAPL', 'BTC/USD', 'ETH/USD']);
    expect(toggleCompared({ watch: SYMBOLS, compare: ['ETH/USD'] }, 'AAPL')).toEqual(['AAPL', 'ETH/USD']);
    expect(toggleCompared({ watch: SYMBOLS, compare: ['AAPL', 'MSFT', 'ETH/USD'] }, 'BTC/USD')).toBeNull();
    expect(toggleCompared({ watch: SYMBOLS, compare: ['AAPL'] }, 'AAPL')).toEqual(['AAPL']);
  });
});

describe('toggle', () => {
  test('adds or removes, keeping the allowed order', () => {
    expect(toggle(['bb'], 'sma20', OVERLAYS)).toEqual(['sma20', 'bb']);
    expect(toggle(['sma20', 'bb'], 'sma20', OVERLAYS)).toEqual(['bb']);
  });
});
