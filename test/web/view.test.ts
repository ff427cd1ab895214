import { describe, expect, test } from 'vitest';
import { defaultView, OVERLAYS, parseView, serializeView, toggle, type ViewState } from '../../web/src/view.ts';

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
      watch: ['AAPL', 'BTC/USD'],
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
      '?symbol=BTC/USD&watch=AAPL,BTC/USD&range=1Y&bars=1week&zoom=1764000000-1764500000&chart=candles&overlays=sma50,bb&panes=macd&theme=light&poll=30&tz=utc&locale=de-DE',
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

describe('toggle', () => {
  test('adds or removes, keeping the allowed order', () => {
    expect(toggle(['bb'], 'sma20', OVERLAYS)).toEqual(['sma20', 'bb']);
    expect(toggle(['sma20', 'bb'], 'sma20', OVERLAYS)).toEqual(['bb']);
  });
});
