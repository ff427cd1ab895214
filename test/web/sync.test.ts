import { describe, expect, test } from 'vitest';
import type { Api, SeriesQuery } from '../../web/src/api.ts';
import { createSync, MAX_POINTS } from '../../web/src/sync.ts';
import type { LatestRow, Series } from '../../web/src/types.ts';
import { makeSeries, rowsOf } from './helpers.ts';

const H = 3600;
const iso = (sec: number) => new Date(sec * 1000).toISOString();

interface Call {
  query: SeriesQuery;
  answer: (series: Series[]) => void;
  fail: (err: Error) => void;
}

/** An API whose series answers are released by the test, to control interleaving. */
function fakeApi() {
  const calls: Call[] = [];
  let latestCalls = 0;
  const api: Pick<Api, 'series' | 'latest'> = {
    series: (query) =>
      new Promise<Series[]>((resolve, reject) => calls.push({ query, answer: resolve, fail: reject })),
    latest: async () => {
      latestCalls++;
      return [] as LatestRow[];
    },
  };
  return { api, calls, latestCalls: () => latestCalls };
}

function recordingSink() {
  const drawn: Array<[string, Array<[number, number]>]> = [];
  const errors: unknown[] = [];
  let latest = 0;
  return {
    drawn,
    errors,
    latestCount: () => latest,
    sink: {
      series: (symbol: string, s: Series) => drawn.push([symbol, rowsOf(s)]),
      latest: () => latest++,
      error: (err: unknown) => errors.push(err),
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('createSync', () => {
  test('first load asks for every symbol in one downsampled request, without from', async () => {
    const { api, calls } = fakeApi();
    const rec = recordingSink();
    const sync = createSync(api, '1h', rec.sink);
    const done = sync.refresh(['AAPL', 'BTC/USD']);
    expect(calls.map((c) => c.query)).toEqual([{ symbols: ['AAPL', 'BTC/USD'], interval: '1h', maxPoints: MAX_POINTS }]);
    calls[0]!.answer([makeSeries('AAPL', [[H, 1]]), makeSeries('BTC/USD', [[H, 10], [2 * H, 20]])]);
    await done;
    expect(rec.drawn).toEqual([
      ['AAPL', [[H, 1]]],
      ['BTC/USD', [[H, 10], [2 * H, 20]]],
    ]);
    expect(rec.latestCount()).toBe(1);
  });

  test('catch-up asks from each symbol\'s newest bar, grouping symbols that share it', async () => {
    const { api, calls } = fakeApi();
    const sync = createSync(api, '1h', recordingSink().sink);
    const first = sync.refresh(['AAPL', 'MSFT', 'BTC/USD']);
    calls[0]!.answer([
      makeSeries('AAPL', [[H, 1], [2 * H, 2]]),
      makeSeries('MSFT', [[2 * H, 5]]),
      makeSeries('BTC/USD', [[3 * H, 30]]),
    ]);
    await first;

    void sync.refresh(['AAPL', 'MSFT', 'BTC/USD']);
    const queries = calls.slice(1).map((c) => c.query);
    expect(queries).toEqual([
      { symbols: ['AAPL', 'MSFT'], interval: '1h', maxPoints: MAX_POINTS, from: iso(2 * H) },
      { symbols: ['BTC/USD'], interval: '1h', maxPoints: MAX_POINTS, from: iso(3 * H) },
    ]);
  });

  test('merges the catch-up: the revised newest bar is replaced and new bars appended', async () => {
    const { api, calls } = fakeApi();
    const rec = recordingSink();
    const sync = createSync(api, '1h', rec.sink);
    const first = sync.refresh(['AAPL']);
    calls[0]!.answer([makeSeries('AAPL', [[H, 1], [2 * H, 2]])]);
    await first;
    const second = sync.refresh(['AAPL']);
    calls[1]!.answer([makeSeries('AAPL', [[2 * H, 2.2], [3 * H, 3]])]);
    await second;
    expect(rec.drawn.at(-1)).toEqual(['AAPL', [[H, 1], [2 * H, 2.2], [3 * H, 3]]]);
    expect(rowsOf(sync.get('AAPL')!)).toEqual([[H, 1], [2 * H, 2.2], [3 * H, 3]]);
  });

  test('a refresh asked for while one is in flight waits, then starts from the merged result', async () => {
    const { api, calls } = fakeApi();
    const sync = createSync(api, '1h', recordingSink().sink);
    const first = sync.refresh(['AAPL']);
    const second = sync.refresh(['AAPL']);
    const third = sync.refresh(['AAPL']);
    expect(calls).toHaveLength(1);
    calls[0]!.answer([makeSeries('AAPL', [[H, 1], [4 * H, 4]])]);
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.query.from).toBe(iso(4 * H));
    calls[1]!.answer([makeSeries('AAPL', [[4 * H, 4]])]);
    await Promise.all([first, second, third]);
    expect(calls).toHaveLength(2);
  });

  test('a failed fetch is reported and the next refresh still runs', async () => {
    const { api, calls } = fakeApi();
    const rec = recordingSink();
    const sync = createSync(api, '1h', rec.sink);
    const first = sync.refresh(['AAPL']);
    calls[0]!.fail(new Error('503'));
    await first;
    expect(rec.errors).toEqual([new Error('503')]);
    expect(rec.drawn).toEqual([]);

    const second = sync.refresh(['AAPL']);
    expect(calls[1]!.query.from).toBeUndefined();
    calls[1]!.answer([makeSeries('AAPL', [[H, 1]])]);
    await second;
    expect(rec.drawn).toEqual([['AAPL', [[H, 1]]]]);
  });

  test('ignores series for symbols it did not ask for', async () => {
    const { api, calls } = fakeApi();
    const rec = recordingSink();
    const sync = createSync(api, '1h', rec.sink);
    const done = sync.refresh(['AAPL']);
    calls[0]!.answer([makeSeries('AAPL', [[H, 1]]), makeSeries('TSLA', [[H, 9]])]);
    await done;
    expect(rec.drawn.map(([s]) => s)).toEqual(['AAPL']);
    expect(sync.get('TSLA')).toBeUndefined();
  });

  test('an empty refresh asks for nothing', async () => {
    const { api, calls, latestCalls } = fakeApi();
    await createSync(api, '1h', recordingSink().sink).refresh([]);
    expect(calls).toHaveLength(0);
    expect(latestCalls()).toBe(0);
  });
});
