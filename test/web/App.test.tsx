// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { App } from '../../web/src/App.tsx';
import { type Api, HttpError, type SeriesQuery } from '../../web/src/api.ts';
import type { LiveSource, LiveStatus } from '../../web/src/live.ts';
import { emptySeries } from '../../web/src/series.ts';
import { type BarsEvent, type EtlRun, type LatestRow, NULLABLE_COLUMNS, type Series } from '../../web/src/types.ts';
import { FakeUPlot } from './fake-uplot.ts';

vi.mock('uplot', async () => ({ default: (await import('./fake-uplot.ts')).FakeUPlot }));

const H = 3600;
const T0 = Date.parse('2026-08-24T12:00:00Z') / 1000;
const iso = (sec: number) => new Date(sec * 1000).toISOString();

/** A market in memory: hourly bars per symbol up to `newest`, served like the Node server's read API. */
function fakeMarket() {
  const newest: Record<string, number> = { AAPL: T0 - 2 * H, 'BTC/USD': T0 };
  const price = (symbol: string, ts: number) => (symbol === 'AAPL' ? 300 : 60_000) + (0.1 * (ts - T0)) / H;
  const queries: SeriesQuery[] = [];
  const run: EtlRun = {
    etl_run_id: 1,
    started_at: iso(T0),
    finished_at: iso(T0 + 60),
    status: 'succeeded',
    trigger: 'startup',
    bars_upserted: 10,
    credits_used: 2,
    error: null,
  };
  const bars = (symbol: string, from: number, to: number): Series => {
    const s = emptySeries(symbol);
    for (let t = Math.ceil(from / H) * H; t <= to; t += H) {
      const c = price(symbol, t);
      s.ts.push(t);
      s.open.push(c - 1);
      s.high.push(c + 2);
      s.low.push(c - 2);
      s.close.push(c);
      s.volume.push(symbol === 'AAPL' ? 1000 : null);
      // Every indicator column (volume is set above).
      for (const col of NULLABLE_COLUMNS.filter((c) => c !== 'volume')) {
        s[col].push(col === 'volatility_20' ? 0.01 : c);
      }
    }
    return s;
  };
  // While true, every read needing the database answers as the server does then: 503.
  const state = { down: false };
  const unlessDown = (path: string) => {
    if (state.down) throw new HttpError(503, path);
  };
  const api: Api = {
    config: async () => ({ symbols: ['AAPL', 'BTC/USD'], interval: '1h', simulated: true }),
    latest: async () => {
      unlessDown('/api/latest');
      return Object.entries(newest).map(
        ([symbol, ts]): LatestRow => ({
          symbol,
          asset_type: symbol === 'AAPL' ? 'stock' : 'crypto',
          exchange: null,
          currency: 'USD',
          ts: iso(ts),
          close: price(symbol, ts),
          change: 1,
          change_pct: 0.5,
        }),
      );
    },
    series: async (q) => {
      unlessDown('/api/series');
      queries.push(q);
      return q.symbols.map((s) => bars(s, q.from ? Date.parse(q.from) / 1000 : T0 - 2000 * H, newest[s]!));
    },
    latestRun: async () => {
      unlessDown('/api/runs/latest');
      return run;
    },
    // The server's market.returns, for a market that climbs steadily: each period's base is the bar
    // that many days back (the SQL definition itself is tested against PostgreSQL in test/returns.test.ts).
    returns: async (symbols) => {
      const days: Record<string, number> = { '1D': 1, '1W': 7, '1M': 30, '3M': 91, '1Y': 365, YTD: 236, All: 2000 / 24 };
      return Object.keys(newest)
        .filter((s) => symbols.length === 0 || symbols.includes(s))
        .flatMap((symbol) =>
          Object.entries(days).map(([period, d]) => {
            const last = newest[symbol]!;
            const baseTs = Math.floor((last - d * 86_400) / H) * H;
            const close = price(symbol, last);
            const base = price(symbol, baseTs);
            return {
              symbol,
              period: period as '1D',
              time_zone: 'UTC',
              as_of: iso(last),
              close,
              base_date: iso(baseTs).slice(0, 10),
              base_ts: iso(baseTs),
              base_close: base,
              change: close - base,
              change_pct: 100 * (close / base - 1),
              first_date: '2026-06-01',
              short_history: false,
            };
          }),
        );
    },
  };
  return { api, newest, queries, state, run };
}

/** A live source the test drives by hand. */
function fakeLive() {
  let handlers: { bars: (e: BarsEvent) => void; run: (r: EtlRun) => void; status: (s: LiveStatus) => void } | undefined;
  const live: LiveSource = {
    subscribe(bars, run, status) {
      handlers = { bars, run, status };
      status('connecting');
      return () => (handlers = undefined);
    },
  };
  return {
    live,
    emit: () => handlers!,
    connected: () => handlers !== undefined,
  };
}

const lastTsOf = (testId: string) => screen.getByTestId(testId).getAttribute('data-last-ts');

beforeEach(() => {
  FakeUPlot.instances = [];
  history.replaceState(null, '', '/');
  vi.stubGlobal(
    'ResizeObserver',
    class {
      observe() {}
      disconnect() {}
    },
  );
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('App', () => {
  test('draws a card per watched symbol and the big chart, each marked with its newest bar', async () => {
    const market = fakeMarket();
    render(() => <App api={market.api} live={fakeLive().live} />);
    await waitFor(() => expect(lastTsOf('chart-BTC/USD')).toBe(iso(T0)));
    expect(lastTsOf('chart-AAPL')).toBe(iso(T0 - 2 * H));
    expect(screen.getByTestId('chart-detail').dataset.symbol).toBe('AAPL');
    expect(lastTsOf('chart-detail')).toBe(iso(T0 - 2 * H));
    expect(screen.getByTestId('simulated-badge').textContent).toBe('simulated data');
    await waitFor(() => expect(screen.getByTestId('freshness').textContent).toMatch(/succeeded/));
    // The default range is one month back from each symbol's own newest bar.
    expect(market.queries[0]!.from).toBe(iso(T0 - 2 * H - 30 * 86_400));
  });

  test("the big chart's panes come once it has drawn its bars, and also for a symbol that has none yet", async () => {
    const market = fakeMarket();
    render(() => <App api={market.api} live={fakeLive().live} />);
    await waitFor(() => expect(screen.queryByTestId('chart-rsi')).not.toBeNull());
    expect(lastTsOf('chart-detail')).toBe(iso(T0 - 2 * H));
    cleanup();

    // Listed, but no bar stored yet: an empty series, drawn as such, and the panes under it.
    const empty = fakeMarket();
    delete empty.newest.AAPL;
    render(() => <App api={empty.api} live={fakeLive().live} />);
    await waitFor(() => expect(screen.queryByTestId('chart-rsi')).not.toBeNull());
    expect(screen.getByTestId('chart-macd')).not.toBeNull();
    expect(lastTsOf('chart-detail')).toBeNull();
  });

  test('merges a live update into the charts without reloading the window', async () => {
    const market = fakeMarket();
    const live = fakeLive();
    render(() => <App api={market.api} live={live.live} />);
    await waitFor(() => expect(lastTsOf('chart-BTC/USD')).toBe(iso(T0)));
    const pointsBefore = Number(screen.getByTestId('chart-BTC/USD').dataset.points);
    market.queries.length = 0;

    market.newest['BTC/USD'] = T0 + H;
    live.emit().bars({ interval: '1h', symbols: ['BTC/USD'], max_ts: iso(T0 + H) });
    await waitFor(() => expect(lastTsOf('chart-BTC/USD')).toBe(iso(T0 + H)));
    // Only what is new was asked for, from the newest bar held, and only the columns a card draws; the window slid by one bar.
    expect(market.queries).toEqual([
      {
        symbols: ['BTC/USD'],
        interval: '1h',
        maxPoints: expect.any(Number),
        from: iso(T0),
        columns: ['high', 'low', 'close', 'volatility_20'],
      },
    ]);
    expect(Number(screen.getByTestId('chart-BTC/USD').dataset.points)).toBe(pointsBefore);
    expect(lastTsOf('chart-AAPL')).toBe(iso(T0 - 2 * H));
  });

  test('after a reconnect it fetches what it missed', async () => {
    const market = fakeMarket();
    const live = fakeLive();
    render(() => <App api={market.api} live={live.live} />);
    await waitFor(() => expect(live.connected()).toBe(true));
    live.emit().status('live');
    await waitFor(() => expect(lastTsOf('chart-BTC/USD')).toBe(iso(T0)));
    expect(screen.getByTestId('live-status').textContent).toBe('live');

    live.emit().status('offline');
    await waitFor(() => expect(screen.getByTestId('live-status').textContent).toBe('offline'));
    market.newest['BTC/USD'] = T0 + 3 * H;
    market.newest.AAPL = T0 + H;
    live.emit().status('live');
    await waitFor(() => expect(lastTsOf('chart-BTC/USD')).toBe(iso(T0 + 3 * H)));
    await waitFor(() => expect(lastTsOf('chart-AAPL')).toBe(iso(T0 + H)));
  });

  test('the database down: not live, the freshness line says the data is unreachable; back to live by itself once it answers', async () => {
    const market = fakeMarket();
    market.state.down = true;
    const live = fakeLive();
    render(() => <App api={market.api} live={live.live} />);
    await waitFor(() => expect(live.connected()).toBe(true));
    // The stream opens (the server is up), and the server says its database is not.
    live.emit().status('live');
    live.emit().status('unreachable');
    await waitFor(() => expect(screen.getByTestId('live-status').textContent).toBe('database unreachable'));
    expect(screen.getByTestId('freshness').textContent).toMatch(/Data unreachable/);
    expect(screen.getByTestId('freshness').textContent).not.toMatch(/Checking/);
    // Even where the stream has no word for it (reads fail with 503 while it looks live), it is not "live".
    live.emit().status('live');
    await waitFor(() => expect(screen.getByTestId('live-status').textContent).toBe('database unreachable'));
    // And while the stream is between connections: a 503 came from the server, so it is the database that is away.
    live.emit().status('offline');
    await waitFor(() => expect(screen.getByTestId('live-status').textContent).toBe('database unreachable'));

    market.state.down = false;
    live.emit().status('live');
    await waitFor(() => expect(screen.getByTestId('live-status').textContent).toBe('live'));
    await waitFor(() => expect(screen.getByTestId('freshness').textContent).toMatch(/Last ETL run \d+ succeeded/));
    await waitFor(() => expect(lastTsOf('chart-BTC/USD')).toBe(iso(T0)));
  });

  test('a finished run whose bars announcement was lost still brings its bars', async () => {
    const market = fakeMarket();
    const live = fakeLive();
    render(() => <App api={market.api} live={live.live} />);
    await waitFor(() => expect(lastTsOf('chart-BTC/USD')).toBe(iso(T0)));
    await waitFor(() => expect(screen.getByTestId('freshness').textContent).toMatch(/succeeded/));
    market.queries.length = 0;

    // Run 2 wrote a bar, but only its `run` event arrived.
    market.newest['BTC/USD'] = T0 + H;
    live.emit().run({ ...market.run, etl_run_id: 2, started_at: iso(T0 + H), finished_at: iso(T0 + H + 60) });
    await waitFor(() => expect(lastTsOf('chart-BTC/USD')).toBe(iso(T0 + H)));
    expect(market.queries.some((q) => q.symbols.includes('BTC/USD') && q.from === iso(T0))).toBe(true);
  });

  test('a skipped run never replaces the real one it was skipped for', async () => {
    const market = fakeMarket();
    const live = fakeLive();
    render(() => <App api={market.api} live={live.live} />);
    await waitFor(() => expect(screen.getByTestId('freshness').textContent).toMatch(/Last ETL run \d+ succeeded/));
    live.emit().run({
      ...market.run,
      etl_run_id: 2,
      status: 'skipped',
      bars_upserted: 0,
      credits_used: 0,
      error: 'another ETL run was in progress',
    });
    live.emit().run({ ...market.run, etl_run_id: 3, status: 'failed', error: 'boom' });
    await waitFor(() => expect(screen.getByTestId('freshness').textContent).toMatch(/Last ETL run 3 failed.*boom/));
    live.emit().run({ ...market.run, etl_run_id: 4, status: 'skipped', error: 'another ETL run was in progress' });
    expect(screen.getByTestId('freshness').textContent).toMatch(/Last ETL run 3 failed.*boom/);
  });

  test('a run in progress is shown and then how it ended; a failed run never dates the data; the live region has no clock in it', async () => {
    const market = fakeMarket();
    const live = fakeLive();
    render(() => <App api={market.api} live={live.live} />);
    await waitFor(() => expect(screen.getByTestId('data-age').dataset.runId).toBe('1'));
    const announced: string[] = [];
    const region = screen.getByTestId('status-announcement');
    const record = new MutationObserver(() => announced.push(region.textContent ?? ''));
    record.observe(region, { childList: true, characterData: true, subtree: true });

    live.emit().run({ ...market.run, etl_run_id: 2, started_at: iso(T0 + H), finished_at: null, status: 'running', bars_upserted: 0 });
    await waitFor(() => expect(screen.getByTestId('run-state').textContent).toMatch(/^ETL run 2 in progress, started /));
    expect(screen.getByTestId('freshness').classList.contains('running')).toBe(true);
    // Bars landing mid-run do not make the data "updated just now": the last success still dates it.
    live.emit().bars({ interval: '1h', symbols: ['BTC/USD'], max_ts: iso(T0 + H) });
    expect(screen.getByTestId('data-age').getAttribute('datetime')).toBe(market.run.finished_at);

    live
      .emit()
      .run({ ...market.run, etl_run_id: 2, started_at: iso(T0 + H), finished_at: iso(T0 + H + 30), status: 'failed', error: 'boom' });
    await waitFor(() => expect(screen.getByTestId('run-state').textContent).toMatch(/^Last ETL run 2 failed at .*: boom$/));
    expect(screen.getByTestId('data-age').dataset.runId).toBe('1');
    expect(screen.getByTestId('data-age').getAttribute('datetime')).toBe(market.run.finished_at);
    expect(screen.getByTestId('freshness').textContent).not.toMatch(/just now/);
    // The run's start, served late (a cached answer), does not bring "in progress" back.
    live.emit().run({ ...market.run, etl_run_id: 2, started_at: iso(T0 + H), finished_at: null, status: 'running', bars_upserted: 0 });
    expect(screen.getByTestId('run-state').textContent).toMatch(/failed/);

    live.emit().run({ ...market.run, etl_run_id: 3, started_at: iso(T0 + 2 * H), finished_at: iso(T0 + 2 * H + 30) });
    await waitFor(() => expect(screen.getByTestId('data-age').dataset.runId).toBe('3'));
    // One announcement per change (started, failed, new data), none of them a relative time.
    await waitFor(() => expect(announced.at(-1)).toMatch(/Data updated .* by ETL run 3$/));
    expect(announced.some((a) => /ETL run 2 in progress/.test(a))).toBe(true);
    expect(announced.some((a) => /ETL run 2 failed .*: boom/.test(a))).toBe(true);
    expect(announced.every((a) => !/ago|just now/.test(a))).toBe(true);
    record.disconnect();
  });

  test('the clock ticking moves the visible age but never touches the live region', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    // Three minutes after the fake market's run ended, so the age reads in minutes.
    vi.setSystemTime((T0 + 60) * 1000 + 3 * 60_000);
    try {
      const market = fakeMarket();
      render(() => <App api={market.api} live={fakeLive().live} />);
      await waitFor(() => expect(screen.getByTestId('data-age').dataset.runId).toBe('1'));
      const region = screen.getByTestId('status-announcement');
      const before = screen.getByTestId('data-age').textContent;
      let touched = 0;
      const watch = new MutationObserver(() => touched++);
      watch.observe(region, { childList: true, characterData: true, subtree: true });
      vi.advanceTimersByTime(10 * 60_000);
      await waitFor(() => expect(screen.getByTestId('data-age').textContent).not.toBe(before));
      await Promise.resolve();
      expect(touched).toBe(0);
      watch.disconnect();
    } finally {
      vi.useRealTimers();
    }
  });

  test('switching range refetches the new window and puts it in the URL', async () => {
    const market = fakeMarket();
    render(() => <App api={market.api} live={fakeLive().live} />);
    await waitFor(() => expect(lastTsOf('chart-BTC/USD')).toBe(iso(T0)));
    market.queries.length = 0;
    fireEvent.click(screen.getByTestId('range-1D').querySelector('input')!);
    await waitFor(() => expect(screen.getByTestId('chart-BTC/USD').dataset.firstTs).toBe(iso(T0 - 24 * H)));
    expect(market.queries.map((q) => q.from)).toEqual(expect.arrayContaining([iso(T0 - 24 * H), iso(T0 - 26 * H)]));
    expect(location.search).toBe('?range=1D');
  });

  test("each symbol's window reaches its own base; a history shorter than the range is shown whole", async () => {
    const market = fakeMarket();
    const returns = market.api.returns!;
    // BTC/USD is listed after 1 January: its YTD return says so, with no base.
    market.api.returns = async (symbols, interval) =>
      (await returns(symbols, interval)).map((r) =>
        r.symbol === 'BTC/USD' && r.period === 'YTD'
          ? { ...r, base_date: null, base_ts: null, base_close: null, change: null, change_pct: null, short_history: true }
          : r,
      );
    render(() => <App api={market.api} live={fakeLive().live} />);
    await waitFor(() => expect(lastTsOf('chart-BTC/USD')).toBe(iso(T0)));
    market.queries.length = 0;
    fireEvent.click(screen.getByTestId('range-YTD').querySelector('input')!);
    await waitFor(() => expect(market.queries.some((q) => q.symbols.includes('BTC/USD'))).toBe(true));
    // All of BTC/USD's bars (no `from`); AAPL back to its own YTD base, 236 days before its newest bar.
    expect(market.queries.find((q) => q.symbols.includes('BTC/USD'))!.from).toBeUndefined();
    const aaplBase = Math.floor((T0 - 2 * H - 236 * 86_400) / H) * H;
    expect(market.queries.find((q) => q.symbols.includes('AAPL'))!.from).toBe(iso(aaplBase));
  });

  test('a zoom wholly outside the bars held (a stale link) shows all of them rather than an empty chart', async () => {
    history.replaceState(null, '', '/?zoom=999999999998-999999999999');
    const market = fakeMarket();
    render(() => <App api={market.api} live={fakeLive().live} />);
    await waitFor(() => expect(lastTsOf('chart-detail')).toBe(iso(T0 - 2 * H)));
    expect(screen.getByTestId('chart-detail').dataset.zoom).toBeUndefined();
    expect(Number(screen.getByTestId('chart-detail').dataset.points)).toBeGreaterThan(1);
  });

  test('picking a symbol shows it in the big chart; the view comes back from the URL', async () => {
    history.replaceState(null, '', '/?chart=candles&range=1W');
    const market = fakeMarket();
    render(() => <App api={market.api} live={fakeLive().live} />);
    await waitFor(() => expect(lastTsOf('chart-detail')).toBe(iso(T0 - 2 * H)));
    expect((screen.getByTestId('chart-candles').querySelector('input') as HTMLInputElement).checked).toBe(true);
    fireEvent.change(screen.getByTestId('symbol-picker'), { target: { value: 'BTC/USD' } });
    await waitFor(() => expect(screen.getByTestId('chart-detail').dataset.symbol).toBe('BTC/USD'));
    expect(lastTsOf('chart-detail')).toBe(iso(T0));
    expect(location.search).toBe('?symbol=BTC/USD&range=1W&chart=candles');
  });

  test('the CSV download holds exactly the rows the big chart shows', async () => {
    const market = fakeMarket();
    const blobs: Blob[] = [];
    vi.stubGlobal(
      'URL',
      Object.assign(URL, {
        createObjectURL: (b: Blob) => {
          blobs.push(b);
          return 'blob:csv';
        },
        revokeObjectURL: () => {},
      }),
    );
    const names: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    render(() => <App api={market.api} live={fakeLive().live} />);
    await waitFor(() => expect(lastTsOf('chart-detail')).toBe(iso(T0 - 2 * H)));
    fireEvent.click(screen.getByTestId('export-csv'));
    expect(names).toEqual(['market-pulse_AAPL_1M_2026-08-24T1000.csv']);
    const text = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.readAsText(blobs[0]!);
    });
    const all = text.trimEnd().split('\r\n');
    // Comment lines first, one of them stating the file's clock (UTC) and the one the page showed.
    const comments = all.filter((l) => l.startsWith('#'));
    expect(comments.join('\n')).toMatch(/ISO 8601 in UTC \(the dashboard showed New York time \(EDT\)\)/);
    const lines = all.slice(comments.length);
    const chart = screen.getByTestId('chart-detail');
    expect(lines).toHaveLength(Number(chart.dataset.points) + 1);
    expect(lines[1]!.split(',')[0]).toBe(chart.dataset.firstTs);
    expect(lines.at(-1)!.split(',')[0]).toBe(chart.dataset.lastTs);
  });

  test('the comparison names the best and worst performer', async () => {
    const market = fakeMarket();
    render(() => <App api={market.api} live={fakeLive().live} />);
    await waitFor(() => expect(screen.getByTestId('chart-compare').dataset.symbols).toBe('AAPL,BTC/USD'));
    const performers = screen.getByTestId('performers').textContent!;
    // Both climb 0.1 an hour; from a far lower price AAPL climbs further in percent.
    expect(performers).toMatch(/Best\s*AAPL/);
    expect(performers).toMatch(/Worst\s*BTC\/USD/);
  });

  test('warns when the newest bars are older than the interval and market hours allow', async () => {
    const market = fakeMarket();
    vi.spyOn(Date, 'now').mockReturnValue((T0 + 3 * H) * 1000);
    const { unmount } = render(() => <App api={market.api} live={fakeLive().live} />);
    await waitFor(() => expect(lastTsOf('chart-BTC/USD')).toBe(iso(T0)));
    // BTC/USD's bar closed 2 h ago, AAPL's before Monday's open, 1.5 trading hours ago: both fresh.
    expect(screen.queryByTestId('stale-warning')).toBeNull();
    unmount();

    vi.spyOn(Date, 'now').mockReturnValue((T0 + 6 * H) * 1000);
    render(() => <App api={market.api} live={fakeLive().live} />);
    await waitFor(() => expect(screen.getByTestId('stale-warning').textContent).toMatch(/AAPL, BTC\/USD/));
  });

  test('the theme toggle switches the page and the charts, and is remembered in the URL', async () => {
    const market = fakeMarket();
    render(() => <App api={market.api} live={fakeLive().live} />);
    await waitFor(() => expect(lastTsOf('chart-detail')).toBe(iso(T0 - 2 * H)));
    const before = document.documentElement.dataset.theme;
    const detail = FakeUPlot.byTestId('chart-detail');
    fireEvent.click(screen.getByTestId('theme-toggle'));
    const after = before === 'dark' ? 'light' : 'dark';
    expect(document.documentElement.dataset.theme).toBe(after);
    expect(location.search).toBe(`?theme=${after}`);
    // Canvas colours are options, so the chart was built anew.
    expect(detail!.destroyed).toBe(true);
    expect(FakeUPlot.byTestId('chart-detail')).toBeDefined();
  });
});

describe('time zones', () => {
  test('the Times select puts the zone in the URL and restates every time on that clock, with its name', async () => {
    const market = fakeMarket();
    render(() => <App api={market.api} live={fakeLive().live} />);
    await waitFor(() => expect(lastTsOf('chart-detail')).toBe(iso(T0 - 2 * H)));
    // The watch list is built in a task after the big chart.
    await waitFor(() => screen.getByTestId('card-asof-AAPL'));
    // AAPL's newest bar opened at 10:00 UTC on Monday 24 August 2026: 06:00 in New York (EDT, UTC-4).
    // BTC/USD's at 12:00 UTC, on its own exchange clock, UTC.
    expect(screen.getByTestId('card-asof-AAPL').textContent).toMatch(/bar of Aug 24, 06:00 New York time \(EDT\)$/);
    expect(screen.getByTestId('card-asof-BTC/USD').textContent).toMatch(/bar of Aug 24, 12:00 UTC$/);
    expect(screen.getByTestId('detail-zone').textContent).toBe('Times: New York time (EDT)');
    const before = FakeUPlot.byTestId('chart-detail')!;
    expect((before.opts.series[0] as { label: string }).label).toBe('New York time (EDT)');

    fireEvent.change(screen.getByTestId('tz-picker'), { target: { value: 'utc' } });
    expect(location.search).toBe('?tz=utc');
    expect(screen.getByTestId('card-asof-AAPL').textContent).toMatch(/bar of Aug 24, 10:00 UTC$/);
    expect(screen.getByTestId('detail-zone').textContent).toBe('Times: UTC');
    // The axis and legend are options, so the chart was built anew on the new clock.
    expect(before.destroyed).toBe(true);
    expect((FakeUPlot.byTestId('chart-detail')!.opts.series[0] as { label: string }).label).toBe('UTC');
    expect(screen.getByTestId('freshness').textContent).toMatch(/Aug 24, 12:01 UTC/);
  });
});

describe('watch-list editor', () => {
  test('Escape closes it', async () => {
    const market = fakeMarket();
    render(() => <App api={market.api} live={fakeLive().live} />);
    const editor = (await screen.findByTestId('watch-editor')) as HTMLDetailsElement;
    editor.open = true;
    fireEvent.keyDown(editor.querySelector('input')!, { key: 'Escape' });
    expect(editor.open).toBe(false);
  });
});
