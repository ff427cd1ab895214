import { describe, expect, test } from 'vitest';
import { createApi, HttpError, seriesPath } from '../../web/src/api.ts';

describe('seriesPath', () => {
  test('keeps the comma between symbols and encodes each symbol', () => {
    expect(seriesPath({ symbols: ['AAPL', 'BTC/USD'], interval: '1h', maxPoints: 1000 })).toBe(
      '/api/series?symbols=AAPL,BTC%2FUSD&interval=1h&max_points=1000',
    );
  });

  test('adds from and to only when given', () => {
    expect(seriesPath({ symbols: ['ETH/USD'], interval: '1h', from: '2026-08-23T13:00:00.000Z', to: '2026-08-24T00:00:00.000Z' })).toBe(
      '/api/series?symbols=ETH%2FUSD&interval=1h&from=2026-08-23T13%3A00%3A00.000Z&to=2026-08-24T00%3A00%3A00.000Z',
    );
  });
});

describe('createApi', () => {
  function fakeFetch(status: number, body: unknown) {
    const urls: string[] = [];
    const fetchFn = async (url: string) => {
      urls.push(url);
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    };
    return { urls, fetchFn };
  }

  test('requests the contract paths and returns parsed bodies', async () => {
    const { urls, fetchFn } = fakeFetch(200, { rows: [] });
    const api = createApi('http://127.0.0.1:8787', fetchFn);
    expect(await api.latest('1h')).toEqual([]);
    expect(urls).toEqual(['http://127.0.0.1:8787/api/latest?interval=1h']);
  });

  test('unwraps runs/latest', async () => {
    const { urls, fetchFn } = fakeFetch(200, { run: null });
    expect(await createApi('', fetchFn).latestRun()).toBeNull();
    expect(urls).toEqual(['/api/runs/latest']);
  });

  test('an HTTP error becomes an HttpError with the status', async () => {
    const { fetchFn } = fakeFetch(503, { error: 'database unavailable' });
    const err = await createApi('', fetchFn)
      .config()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(503);
    expect((err as HttpError).message).toBe('GET /api/config answered 503');
  });

  test('the configuration written into the page is used without a request; one off the contract is asked for instead', async () => {
    const config = { symbols: ['AAPL', 'BTC/USD'], interval: '1h', simulated: true };
    const { urls, fetchFn } = fakeFetch(200, { symbols: ['MSFT'], interval: '1h', simulated: false });
    expect(await createApi('', fetchFn, () => JSON.stringify(config)).config()).toEqual(config);
    expect(urls).toEqual([]);
    for (const bad of ['{"symbols":"AAPL"}', 'not json']) {
      expect((await createApi('', fetchFn, () => bad).config()).symbols).toEqual(['MSFT']);
    }
    expect(urls).toEqual(['/api/config', '/api/config']);
  });

  test("the page's answers serve each path's first read only; one off the contract, or none, is asked for", async () => {
    const row = {
      symbol: 'AAPL',
      asset_type: 'stock',
      exchange: 'NASDAQ',
      currency: 'USD',
      ts: '2026-11-27T20:30:00.000Z',
      close: 101.5,
      change: null,
      change_pct: null,
    };
    const { urls, fetchFn } = fakeFetch(200, { rows: [] });
    const written = JSON.stringify({ '/api/latest?interval=1h': { rows: [row] }, '/api/runs/latest': { run: 'not a run' } });
    const api = createApi(
      '',
      fetchFn,
      () => null,
      () => written,
    );
    const [fromPage] = await api.latest('1h');
    expect(fromPage?.symbol).toBe('AAPL');
    expect(urls).toEqual([]);
    // Used once: the next read of the same path (a catch-up) asks the server.
    expect(await api.latest('1h')).toEqual([]);
    expect(urls).toEqual(['/api/latest?interval=1h']);
    // Off the contract: asked for, and the server's answer judged instead.
    await expect(api.latestRun()).rejects.toThrow(/run/);
    expect(urls).toEqual(['/api/latest?interval=1h', '/api/runs/latest']);
    // Not JSON at all: everything is asked for.
    expect(
      await createApi(
        '',
        fetchFn,
        () => null,
        () => '{',
      ).latest('1h'),
    ).toEqual([]);
  });

  test('a body off the contract is rejected', async () => {
    const { fetchFn } = fakeFetch(200, { symbols: 'AAPL', interval: '1h', simulated: false });
    await expect(createApi('', fetchFn).config()).rejects.toThrow(/config\.symbols/);
  });
});
