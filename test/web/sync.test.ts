import { describe, expect, test, vi } from 'vitest';
import type { Api, SeriesQuery } from '../../web/src/api.ts';
import { createSync, FIGURES_WAIT_MS, type SyncWindow } from '../../web/src/sync.ts';
import type { LatestRow, Series } from '../../web/src/types.ts';
import { makeSeries, rowsOf } from './helpers.ts';

const H = 3600;
const iso = (sec: number) => new Date(sec * 1000).toISOString();
const WINDOW = { span: 4 * H, maxPoints: 800 };

interface Call {
  query: SeriesQuery;
  answer: (series: Series[]) => void;
  fail: (err: Error) => void;
}

function row(symbol: string, ts: number): LatestRow {
  return { symbol, asset_type: 'crypto', exchange: null, currency: null, ts: iso(ts), close: 1, change: null, change_pct: null };
}

/** An API whose series answers are released by the test, to control interleaving. */
function fakeApi(newest: Record<string, number> = {}) {
  const calls: Call[] = [];
  let latestCalls = 0;
  const api: Pick<Api, 'series' | 'latest'> = {
    series: (query) => new Promise<Series[]>((resolve, reject) => calls.push({ query, answer: resolve, fail: reject })),
    latest: async () => {
      latestCalls++;
      return Object.entries(newest).map(([s, ts]) => row(s, ts));
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

/** Loads AAPL and BTC/USD with the given bars and waits until they are held. */
async function loaded(bars: Record<string, Array<[number, number]>>, window: SyncWindow = WINDOW) {
  const newest = Object.fromEntries(Object.entries(bars).map(([s, rows]) => [s, rows.at(-1)![0]]));
  const fake = fakeApi(newest);
  const rec = recordingSink();
  const sync = createSync(fake.api, '1h', rec.sink);
  const done = sync.load(Object.keys(bars), window);
  await tick();
  for (const call of fake.calls) call.answer(call.query.symbols.map((s) => makeSeries(s, bars[s]!)));
  await done;
  fake.calls.length = 0;
  return { ...fake, rec, sync };
}

describe('createSync.load', () => {
  test("asks for each symbol's window back from its newest bar, grouping symbols that share it", async () => {
    const { api, calls, latestCalls } = fakeApi({ AAPL: 10 * H, MSFT: 10 * H, 'BTC/USD': 12 * H });
    const sync = createSync(api, '1h', recordingSink().sink);
    void sync.load(['AAPL', 'MSFT', 'BTC/USD'], WINDOW);
    await tick();
    expect(latestCalls()).toBe(1);
    expect(calls.map((c) => c.query)).toEqual([
      { symbols: ['AAPL', 'MSFT'], interval: '1h', maxPoints: 800, from: iso(6 * H) },
      { symbols: ['BTC/USD'], interval: '1h', maxPoints: 800, from: iso(8 * H) },
    ]);
  });

  test('the symbol of the big chart is asked for on its own and handed over as soon as it arrives', async () => {
    const { api, calls } = fakeApi({ AAPL: 10 * H, MSFT: 10 * H, GOOGL: 10 * H });
    const rec = recordingSink();
    const sync = createSync(api, '1h', rec.sink);
    const done = sync.load(['AAPL', 'MSFT', 'GOOGL'], WINDOW, { first: 'MSFT' });
    await tick();
    expect(calls.map((c) => c.query.symbols)).toEqual([['MSFT'], ['AAPL', 'GOOGL']]);
    calls[0]!.answer([makeSeries('MSFT', [[10 * H, 5]])]);
    await tick();
    expect(rec.drawn).toEqual([['MSFT', [[10 * H, 5]]]]);
    calls[1]!.answer([makeSeries('AAPL', [[10 * H, 1]]), makeSeries('GOOGL', [[10 * H, 2]])]);
    await done;
    expect(rec.drawn.map(([s]) => s)).toEqual(['MSFT', 'AAPL', 'GOOGL']);
  });

  test('with the newest rows handed in, the requests go out at once, and only that load uses them', async () => {
    const { api, calls, latestCalls } = fakeApi({ AAPL: 99 * H });
    const sync = createSync(api, '1h', recordingSink().sink);
    const done = sync.load(['AAPL'], WINDOW, { latest: [row('AAPL', 10 * H)] });
    expect(calls.map((c) => c.query.from)).toEqual([iso(6 * H)]);
    expect(latestCalls()).toBe(0);
    calls[0]!.answer([makeSeries('AAPL', [[10 * H, 1]])]);
    await done;
    void sync.load(['AAPL'], { span: H, maxPoints: 800 });
    await tick();
    expect(latestCalls()).toBe(1);
    expect(calls[1]!.query.from).toBe(iso(98 * H));
  });

  test('the whole history, or a symbol without bars, is asked for without from', async () => {
    const { api, calls } = fakeApi({ AAPL: 10 * H });
    const sync = createSync(api, '1h', recordingSink().sink);
    void sync.load(['AAPL', 'NEW'], { span: null, maxPoints: 500 });
    await tick();
    expect(calls.map((c) => c.query)).toEqual([{ symbols: ['AAPL', 'NEW'], interval: '1h', maxPoints: 500 }]);
  });

  test('hands every symbol to the sink, an empty series for one the server did not return', async () => {
    const { api, calls } = fakeApi({ AAPL: 2 * H });
    const rec = recordingSink();
    const sync = createSync(api, '1h', rec.sink);
    const done = sync.load(['AAPL', 'ETH/USD'], WINDOW);
    await tick();
    // ETH/USD has no bars yet, so it is asked for apart, without from.
    expect(calls.map((c) => c.query.symbols)).toEqual([['AAPL'], ['ETH/USD']]);
    calls[0]!.answer([
      makeSeries('AAPL', [
        [2 * H, 2],
        [H, 1],
      ]),
      makeSeries('TSLA', [[H, 9]]),
    ]);
    calls[1]!.answer([]);
    await done;
    expect(rec.drawn).toEqual([
      [
        'AAPL',
        [
          [H, 1],
          [2 * H, 2],
        ],
      ],
      ['ETH/USD', []],
    ]);
    expect(sync.get('TSLA')).toBeUndefined();
    expect(rec.latestCount()).toBe(1);
  });

  test('splits more than 50 symbols over several requests', async () => {
    const symbols = Array.from({ length: 120 }, (_, i) => `S${i}`);
    const { api, calls } = fakeApi();
    void createSync(api, '1h', recordingSink().sink).load(symbols, WINDOW);
    await tick();
    expect(calls.map((c) => c.query.symbols.length)).toEqual([50, 50, 20]);
  });

  test('a new window replaces what was held, and the refresh waiting behind it is folded in', async () => {
    const { sync, calls, rec } = await loaded({
      AAPL: [
        [8 * H, 8],
        [9 * H, 9],
        [10 * H, 10],
      ],
    });
    void sync.refresh(['AAPL']);
    const second = sync.load(['AAPL'], { span: H, maxPoints: 800 });
    await tick();
    // The refresh was already under way; the reload waits for it, then asks for the new window.
    expect(calls).toHaveLength(1);
    calls[0]!.answer([
      makeSeries('AAPL', [
        [10 * H, 10],
        [11 * H, 11],
      ]),
    ]);
    await tick();
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.query).toEqual({ symbols: ['AAPL'], interval: '1h', maxPoints: 800, from: iso(9 * H) });
    calls[1]!.answer([makeSeries('AAPL', [[10 * H, 10]])]);
    await second;
    expect(rowsOf(sync.get('AAPL')!)).toEqual([[10 * H, 10]]);
    expect(rec.drawn.at(-1)).toEqual(['AAPL', [[10 * H, 10]]]);
  });
});

describe('createSync.refresh', () => {
  test("asks only from each symbol's newest held bar, and for the latest prices once the bars are in", async () => {
    const { sync, calls, latestCalls } = await loaded({
      AAPL: [
        [H, 1],
        [2 * H, 2],
      ],
      MSFT: [[2 * H, 5]],
      'BTC/USD': [[3 * H, 30]],
    });
    const before = latestCalls();
    void sync.refresh(['AAPL', 'MSFT', 'BTC/USD']);
    await tick();
    expect(calls.map((c) => c.query)).toEqual([
      { symbols: ['AAPL', 'MSFT'], interval: '1h', maxPoints: 800, from: iso(2 * H) },
      { symbols: ['BTC/USD'], interval: '1h', maxPoints: 800, from: iso(3 * H) },
    ]);
    // The cards' figures wait for the charts' bars: asked together, they held the charts back.
    expect(latestCalls()).toBe(before);
    calls[0]!.answer([]);
    calls[1]!.answer([]);
    await tick();
    expect(latestCalls()).toBe(before + 1);
  });

  test("a group slow to answer holds the cards' figures back for at most FIGURES_WAIT_MS", async () => {
    const { sync, calls, latestCalls } = await loaded({ AAPL: [[H, 1]], 'BTC/USD': [[2 * H, 30]] });
    vi.useFakeTimers();
    try {
      const before = latestCalls();
      void sync.refresh(['AAPL', 'BTC/USD']);
      await vi.advanceTimersByTimeAsync(0);
      expect(calls).toHaveLength(2);
      calls.find((c) => c.query.symbols.includes('BTC/USD'))!.answer([makeSeries('BTC/USD', [[3 * H, 31]])]);
      await vi.advanceTimersByTimeAsync(FIGURES_WAIT_MS - 1);
      expect(latestCalls()).toBe(before);
      // AAPL's group never answers: the figures are asked for all the same.
      await vi.advanceTimersByTimeAsync(1);
      expect(latestCalls()).toBe(before + 1);
    } finally {
      vi.useRealTimers();
    }
  });

  test('merges a live update: the revised newest bar is replaced and new bars appended', async () => {
    const { sync, calls, rec } = await loaded({
      AAPL: [
        [H, 1],
        [2 * H, 2],
      ],
    });
    const done = sync.refresh(['AAPL']);
    await tick();
    calls[0]!.answer([
      makeSeries('AAPL', [
        [2 * H, 2.2],
        [3 * H, 3],
      ]),
    ]);
    await done;
    expect(rec.drawn.at(-1)).toEqual([
      'AAPL',
      [
        [H, 1],
        [2 * H, 2.2],
        [3 * H, 3],
      ],
    ]);
    expect(rowsOf(sync.get('AAPL')!)).toEqual([
      [H, 1],
      [2 * H, 2.2],
      [3 * H, 3],
    ]);
  });

  test('the window slides with the newest bar, so the held series does not grow all day', async () => {
    const { sync, calls } = await loaded({
      AAPL: [
        [6 * H, 6],
        [8 * H, 8],
        [10 * H, 10],
      ],
    });
    const done = sync.refresh(['AAPL']);
    await tick();
    calls[0]!.answer([
      makeSeries('AAPL', [
        [11 * H, 11],
        [12 * H, 12],
      ]),
    ]);
    await done;
    expect(rowsOf(sync.get('AAPL')!)).toEqual([
      [8 * H, 8],
      [10 * H, 10],
      [11 * H, 11],
      [12 * H, 12],
    ]);
  });

  test('with the whole history shown nothing is trimmed', async () => {
    const { sync, calls } = await loaded({ AAPL: [[H, 1]] }, { span: null, maxPoints: 800 });
    const done = sync.refresh(['AAPL']);
    await tick();
    calls[0]!.answer([makeSeries('AAPL', [[100 * H, 100]])]);
    await done;
    expect(rowsOf(sync.get('AAPL')!)).toEqual([
      [H, 1],
      [100 * H, 100],
    ]);
  });

  test('refreshes asked for while one is in flight wait, then start from the merged result', async () => {
    const { sync, calls } = await loaded({ AAPL: [[H, 1]] });
    const first = sync.refresh(['AAPL']);
    const second = sync.refresh(['AAPL']);
    const third = sync.refresh(['AAPL']);
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]!.answer([
      makeSeries('AAPL', [
        [H, 1],
        [4 * H, 4],
      ]),
    ]);
    await tick();
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.query.from).toBe(iso(4 * H));
    calls[1]!.answer([makeSeries('AAPL', [[4 * H, 4]])]);
    await Promise.all([first, second, third]);
    expect(calls).toHaveLength(2);
  });

  test('a failed fetch is reported and the next refresh asks again from what is held', async () => {
    const { sync, calls, rec } = await loaded({ AAPL: [[H, 1]] });
    const first = sync.refresh(['AAPL']);
    await tick();
    const latestBefore = rec.latestCount();
    calls[0]!.fail(new Error('503'));
    await first;
    expect(rec.errors).toEqual([new Error('503')]);
    // The cards' figures are still brought up to date.
    expect(rec.latestCount()).toBe(latestBefore + 1);

    const second = sync.refresh(['AAPL']);
    await tick();
    expect(calls[1]!.query.from).toBe(iso(H));
    calls[1]!.answer([makeSeries('AAPL', [[2 * H, 2]])]);
    await second;
    expect(rowsOf(sync.get('AAPL')!)).toEqual([
      [H, 1],
      [2 * H, 2],
    ]);
  });

  test('a symbol whose first load failed gets its whole window on the next refresh', async () => {
    const { api, calls } = fakeApi({ AAPL: 10 * H });
    const rec = recordingSink();
    const sync = createSync(api, '1h', rec.sink);
    const first = sync.load(['AAPL'], WINDOW);
    await tick();
    calls[0]!.fail(new Error('timeout'));
    await first;
    void sync.refresh(['AAPL']);
    await tick();
    expect(calls[1]!.query).toEqual({ symbols: ['AAPL'], interval: '1h', maxPoints: 800, from: iso(6 * H) });
  });

  test('symbols not followed, or none at all, ask for nothing', async () => {
    const { sync, calls, latestCalls } = await loaded({ AAPL: [[H, 1]] });
    const before = latestCalls();
    await sync.refresh([]);
    await sync.refresh(['TSLA']);
    expect(calls).toHaveLength(0);
    expect(latestCalls()).toBe(before);
  });
});

describe('createSync: only the columns drawn', () => {
  const CARD = ['close'] as const;
  const DETAIL = ['open', 'high', 'low', 'close', 'rsi_14'] as const;
  const columnsWhenDetailIs = (detail: string) => (symbol: string) => (symbol === detail ? DETAIL : CARD);

  test('asks each symbol for its own columns, grouping symbols that share them', async () => {
    const { api, calls } = fakeApi({ AAPL: 10 * H, MSFT: 10 * H, GOOGL: 10 * H });
    const sync = createSync(api, '1h', recordingSink().sink);
    void sync.load(['AAPL', 'MSFT', 'GOOGL'], { ...WINDOW, columns: columnsWhenDetailIs('MSFT') });
    await tick();
    expect(calls.map((c) => [c.query.symbols, c.query.columns])).toEqual([
      [['AAPL', 'GOOGL'], CARD],
      [['MSFT'], DETAIL],
    ]);
  });

  test('a symbol that now needs more columns gets its whole window again; the others are left alone', async () => {
    const { calls, sync, rec } = await loaded(
      {
        AAPL: [
          [9 * H, 1],
          [10 * H, 2],
        ],
        'BTC/USD': [
          [11 * H, 3],
          [12 * H, 4],
        ],
      },
      { ...WINDOW, columns: columnsWhenDetailIs('AAPL') },
    );
    rec.drawn.length = 0;
    const done = sync.columns(columnsWhenDetailIs('BTC/USD'));
    await tick();
    // BTC/USD was held with the card's columns only: its window again, with the big chart's.
    expect(calls.map((c) => c.query)).toEqual([
      { symbols: ['BTC/USD'], interval: '1h', maxPoints: 800, from: iso(8 * H), columns: DETAIL },
    ]);
    calls[0]!.answer([
      makeSeries('BTC/USD', [
        [11 * H, 3],
        [12 * H, 4],
      ]),
    ]);
    await done;
    expect(rec.drawn).toEqual([
      [
        'BTC/USD',
        [
          [11 * H, 3],
          [12 * H, 4],
        ],
      ],
    ]);
    // AAPL already holds more than a card needs: nothing to fetch when it goes back to one.
    calls.length = 0;
    await sync.columns(columnsWhenDetailIs('BTC/USD'));
    expect(calls).toEqual([]);
  });
});

describe('createSync: redraw only what changed', () => {
  test('a refresh that finds only the held newest bar, unchanged, hands nothing to the sink; a revised one is handed over', async () => {
    const { sync, calls, rec } = await loaded({ AAPL: [[10 * H, 1]], 'BTC/USD': [[12 * H, 2]] });
    rec.drawn.length = 0;
    const done = sync.refresh(['AAPL', 'BTC/USD']);
    await tick();
    for (const call of calls) {
      call.answer(call.query.symbols.map((s) => makeSeries(s, s === 'AAPL' ? [[10 * H, 1]] : [[12 * H, 2.5]])));
    }
    await done;
    // AAPL came back exactly as held: no redraw. BTC/USD's newest bar was revised: drawn.
    expect(rec.drawn).toEqual([['BTC/USD', [[12 * H, 2.5]]]]);
  });

  test("one answer's symbols are handed over together, inside one sink batch", async () => {
    const { api, calls } = fakeApi({ AAPL: 10 * H, MSFT: 10 * H });
    const events: string[] = [];
    const sync = createSync(api, '1h', {
      series: (symbol) => events.push(symbol),
      batch: (apply) => {
        events.push('batch(');
        apply();
        events.push(')');
      },
      latest: () => {},
      error: () => {},
    });
    const done = sync.load(['AAPL', 'MSFT'], WINDOW);
    await tick();
    calls[0]!.answer([makeSeries('AAPL', [[10 * H, 1]]), makeSeries('MSFT', [[10 * H, 2]])]);
    await done;
    expect(events).toEqual(['batch(', 'AAPL', 'MSFT', ')']);
  });
});

describe('createSync.refresh: each answer as it arrives', () => {
  test('a symbol whose answer comes back first is handed over without waiting for a slower group', async () => {
    const { sync, calls, rec } = await loaded({ AAPL: [[10 * H, 1]], 'BTC/USD': [[12 * H, 2]] });
    rec.drawn.length = 0;
    const done = sync.refresh(['AAPL', 'BTC/USD']);
    await tick();
    // Two groups (different `from`): BTC/USD answers, AAPL's group has not.
    const btc = calls.find((c) => c.query.symbols.includes('BTC/USD'))!;
    const aapl = calls.find((c) => c.query.symbols.includes('AAPL'))!;
    btc.answer([makeSeries('BTC/USD', [[13 * H, 3]])]);
    await tick();
    expect(rec.drawn).toEqual([
      [
        'BTC/USD',
        [
          [12 * H, 2],
          [13 * H, 3],
        ],
      ],
    ]);
    aapl.answer([makeSeries('AAPL', [[11 * H, 4]])]);
    await done;
    expect(rec.drawn.map(([s]) => s)).toEqual(['BTC/USD', 'AAPL']);
  });
});
