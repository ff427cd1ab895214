import { batch, createEffect, createMemo, createSignal, For, on, onCleanup, Show, type Signal, untrack } from 'solid-js';
import { INTERVALS, type Interval, intervalMs } from '../../functions/_shared/intervals.ts';
import { type Api, HttpError } from './api.ts';
import { type BarSeries, barsCsv, RESOLUTION_LABELS, type Resolution, resolutionOf, sameBars, seriesFromBars } from './bars.ts';
import { Compare } from './Compare.tsx';
import { columnsFor } from './columns.ts';
import { csvFileName, seriesCsv } from './csv.ts';
import { DetailChart } from './DetailChart.tsx';
import { download } from './download.ts';
import { Freshness } from './Freshness.tsx';
import { formatPct, formatPrice, formatTime, setDisplayLocale } from './format.ts';
import { isStale } from './freshness.ts';
import { createPoller, type LiveSource, type LiveStatus } from './live.ts';
import { baseLabel, indexReturns, periodOf, type Returns } from './returns.ts';
import { SymbolCard } from './SymbolCard.tsx';
import { isoFromEpochSeconds, lastTs } from './series.ts';
import { createSync, FIGURES_WAIT_MS, type LoadOptions, type Sync, settledWithin } from './sync.ts';
import { Toolbar } from './Toolbar.tsx';
import { PALETTES, systemTheme } from './theme.ts';
import type { Config, EtlRun, LatestRow, Series } from './types.ts';
import { defaultView, parseView, RANGE_SECONDS, type Range, serializeView, type ViewState } from './view.ts';
import { commonZone, exchangeZone, type ShownZone, shownZone, zoneName } from './zone.ts';

const CLOCK_MS = 30_000;
/** Below this width the layout stacks and the charts get shorter. */
const COMPACT_PX = 600;
/** The big chart's plot is the main column less the panel's padding and the y axis. */
const CHART_CHROME_PX = 104;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** One signal per symbol, so new bars for one symbol redraw only its charts. */
function seriesSignals() {
  const slots = new Map<string, Signal<Series | undefined>>();
  const slot = (symbol: string) => {
    let s = slots.get(symbol);
    if (!s) {
      s = createSignal<Series>();
      slots.set(symbol, s);
    }
    return s;
  };
  return {
    get: (symbol: string) => slot(symbol)[0](),
    set: (symbol: string, series: Series) => slot(symbol)[1](() => series),
  };
}

/**
 * How many points to ask the server for: about one per pixel of the widest chart. It changes only
 * when the width does by a lot (a rotated phone), so a resized window does not refetch every frame.
 */
export function pointsFor(widthPx: number, current: number | undefined): number {
  const wanted = Math.min(4000, Math.max(200, Math.round(widthPx)));
  if (current !== undefined && wanted <= current * 1.25 && wanted >= current * 0.5) return current;
  return wanted;
}

export interface AppProps {
  api: Api;
  live: LiveSource;
  /** Names the live transport, for the connection indicator's tooltip. */
  liveLabel?: string;
  /** Default seconds between polls while the live connection is down; `?poll=` overrides. */
  pollSeconds?: number;
}

export function App(props: AppProps) {
  const [config, setConfig] = createSignal<Config>();
  const [view, setView] = createSignal<ViewState>();
  const [failure, setFailure] = createSignal<string>();
  const [notice, setNotice] = createSignal<string>();
  const [latest, setLatest] = createSignal<ReadonlyMap<string, LatestRow>>(new Map());
  const [returns, setReturns] = createSignal<Returns>(new Map());
  const [run, setRun] = createSignal<EtlRun | null>();
  // The data's age: the newest successful run seen (a failed or partial run never counts as fresh data).
  const [lastSuccess, setLastSuccess] = createSignal<EtlRun>();
  const [status, setStatus] = createSignal<LiveStatus>('connecting');
  // A read answered 503 (the database is away) and none has succeeded since.
  const [readsFailing, setReadsFailing] = createSignal(false);
  // A 503 comes from our server, so the server is there and its database is not: that is what the
  // page says, even while its live stream is between connections (a network failure is no 503).
  const shownStatus = (): LiveStatus => (readsFailing() ? 'unreachable' : status());
  const [polling, setPolling] = createSignal(false);
  const [restShown, setRestShown] = createSignal(false);
  const [now, setNow] = createSignal(Date.now());
  // Until the main column is measured: the window less the page's side padding.
  const [width, setWidth] = createSignal(typeof innerWidth === 'number' ? innerWidth - 64 : 1216);
  const [system, setSystem] = createSignal(systemTheme());
  const series = seriesSignals();
  let sync: Sync | undefined;
  let defaults: ViewState | undefined;

  let unsubscribe: (() => void) | undefined;
  let stopPolling: (() => void) | undefined;
  let disposed = false;
  const clock = setInterval(() => setNow(Date.now()), CLOCK_MS);
  const scheme = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: light)') : undefined;
  const onScheme = () => setSystem(systemTheme());
  scheme?.addEventListener('change', onScheme);
  onCleanup(() => {
    disposed = true;
    clearInterval(clock);
    scheme?.removeEventListener('change', onScheme);
    unsubscribe?.();
    stopPolling?.();
  });

  const theme = () => view()?.theme ?? system();
  const palette = () => PALETTES[theme()];
  const compact = () => width() < COMPACT_PX;

  /** A symbol's exchange zone: from its latest row, or (before that arrives) from its returns. */
  const exchangeZoneOf = (symbol: string): string => {
    const row = latest().get(symbol);
    if (row) return exchangeZone(row);
    const first = returns().get(symbol)?.values().next().value;
    return first?.time_zone ?? 'UTC';
  };
  /** The clock a symbol's times are shown on, as chosen with `?tz=`. */
  const zoneOf = (symbol: string): ShownZone => shownZone(view()?.tz ?? 'exchange', exchangeZoneOf(symbol));
  /** The comparison's one time axis: in exchange mode the clock most of the watched symbols trade on. */
  const compareZone = (): ShownZone => shownZone(view()?.tz ?? 'exchange', commonZone((view()?.watch ?? []).map(exchangeZoneOf)));
  /** A chart's clock and its name at its newest bar (EST or EDT, as that bar had it). */
  const timeAxis = (zone: ShownZone, newest: number | undefined) => ({
    zone: zone.zone,
    name: zoneName(zone, (newest ?? now() / 1000) * 1000),
  });
  const update = (patch: Partial<ViewState>) =>
    setView((v) => {
      if (!v) return v;
      // Another symbol, range or bar size shows other bars: the zoom starts over.
      const rezoom =
        ('symbol' in patch && patch.symbol !== v.symbol) ||
        ('range' in patch && patch.range !== v.range) ||
        ('bars' in patch && patch.bars !== v.bars);
      return { ...v, ...patch, ...(rezoom && !('zoom' in patch) ? { zoom: null } : {}) };
    });

  createEffect(() => {
    document.documentElement.dataset.theme = theme();
  });

  // The view lives in the URL: replaced, not pushed, so Back leaves the dashboard as users expect.
  createEffect(() => {
    const v = view();
    if (!v || !defaults) return;
    const query = serializeView(v, defaults);
    if (query !== location.search && !(query === '' && location.search === '?')) {
      history.replaceState(history.state, '', `${location.pathname}${query}${location.hash}`);
    }
  });

  /** The symbols whose bars are held: the watch list and the one in the big chart. */
  const followed = createMemo(
    () => {
      const v = view();
      const cfg = config();
      if (!v || !cfg) return [];
      return cfg.symbols.filter((s) => s === v.symbol || v.watch.includes(s));
    },
    [],
    { equals: (a, b) => a.length === b.length && a.every((s, i) => s === b[i]) },
  );

  const [maxPoints, setMaxPoints] = createSignal<number>();
  createEffect(() => setMaxPoints((current) => pointsFor(width() - CHART_CHROME_PX, current)));

  /**
   * How far back a symbol's charts reach: back to the base close its return is measured from (so a
   * Monday morning's 1D shows Friday's close too), at least the range's nominal span; the whole
   * history when it is shorter than the range (a YTD of a symbol listed in May shows all of it).
   */
  function spanOf(symbol: string, range: Range): number | null {
    const nominal = RANGE_SECONDS[range];
    if (nominal === null) return null;
    const row = untrack(returns).get(symbol)?.get(periodOf(range));
    if (row?.short_history) return null;
    if (!row?.base_ts) return nominal;
    return Math.max(nominal, (Date.parse(row.as_of) - Date.parse(row.base_ts)) / 1000);
  }

  let loaded: string | undefined;
  /** Loads every followed symbol's window anew, unless exactly this was asked for last. */
  function load(symbols: readonly string[], range: Range, points: number, options: LoadOptions & { view?: ViewState }) {
    const spans = symbols.map((s) => spanOf(s, range));
    const key = JSON.stringify([symbols, range, points, spans]);
    if (!sync || key === loaded) return;
    loaded = key;
    const { view: shown = untrack(view), ...rest } = options;
    const bySymbol = new Map(symbols.map((s, i) => [s, spans[i]!]));
    const spanOfSymbol = (s: string) => (bySymbol.has(s) ? bySymbol.get(s)! : spanOf(s, range));
    void sync.load(
      symbols,
      { span: RANGE_SECONDS[range], spanOf: spanOfSymbol, maxPoints: points, ...(shown ? { columns: columnsFor(shown) } : {}) },
      rest,
    );
  }

  let returnsAsked = 0;
  let returnsHeld = '';
  /** Every period's return of the followed symbols, from the database's one definition; the newest answer wins. */
  async function loadReturns(interval: string): Promise<void> {
    if (!props.api.returns) return;
    const ask = ++returnsAsked;
    try {
      const rows = await props.api.returns([], interval);
      // An unchanged answer (a catch-up that found nothing new) redraws nothing.
      const text = JSON.stringify(rows);
      if (ask !== returnsAsked || disposed || text === returnsHeld) return;
      returnsHeld = text;
      setReturns(indexReturns(rows));
    } catch (err) {
      setNotice(`Update failed: ${message(err)}`);
    }
  }

  // Only what is drawn is fetched: a new big-chart symbol, overlay or pane fetches the columns it lacks.
  createEffect(
    on(
      [() => view()?.symbol, () => view()?.overlays, () => view()?.panes, () => view()?.range, () => view()?.bars],
      ([symbol, overlays, panes, range, bars]) => {
        if (symbol !== undefined && overlays && panes) void sync?.columns(columnsFor({ symbol, overlays, panes, range, bars }));
      },
      { defer: true },
    ),
  );

  // A new range, watch list or resolution loads the windows anew.
  createEffect(
    on([followed, () => view()?.range, maxPoints], ([symbols, range, points]) => {
      if (range === undefined || points === undefined) return;
      const v = untrack(view)!;
      load(symbols, range, points, resolutionOf(v) === '1h' ? { first: v.symbol } : {});
    }),
  );

  /** The big chart's bar size: the URL's choice, or by range. */
  const resolution = (): Resolution => {
    const v = view();
    return v ? resolutionOf(v) : '1h';
  };
  const [detailBars, setDetailBars] = createSignal<{ key: string; bars: BarSeries }>();
  let barsAsked = 0;
  /** The request for the bars shown now, shared by whoever asks for the same bars before it answers. */
  let barsInFlight: { key: string; done: Promise<void> } | undefined;
  /**
   * Daily or weekly bars of the big chart's symbol, whole history (indicators need the warm-up), from
   * the database. `fresh`: data changed since any request in flight began (a live update, a catch-up),
   * so that one cannot be shared.
   */
  function loadDetailBars(symbol: string, res: Resolution, interval: string, fresh = false): Promise<void> {
    if (res === '1h' || !props.api.bars) return Promise.resolve();
    const key = `${symbol}|${res}`;
    if (!fresh && barsInFlight?.key === key) return barsInFlight.done;
    // Already shown, and nothing changed since (a change asks with `fresh`).
    if (!fresh && untrack(detailBars)?.key === key) return Promise.resolve();
    const ask = ++barsAsked;
    const done = (async () => {
      try {
        const [bars] = await props.api.bars!({ symbols: [symbol], resolution: res, interval });
        if (!bars || ask !== barsAsked || disposed) return;
        const held = untrack(detailBars);
        // Unchanged (a catch-up that found nothing new): the chart keeps what it drew.
        if (held?.key === key && sameBars(held.bars, bars)) return;
        setDetailBars({ key, bars });
      } catch (err) {
        setNotice(`Update failed: ${message(err)}`);
      }
    })();
    const flight = { key, done };
    barsInFlight = flight;
    void done.then(() => {
      if (barsInFlight === flight) barsInFlight = undefined;
    });
    return done;
  }
  createEffect(
    on([() => view()?.symbol, resolution, config], ([symbol, res, cfg]) => {
      if (symbol && cfg) void loadDetailBars(symbol, res, cfg.interval);
    }),
  );
  /** What the big chart draws: hourly SSOT rows, or aggregated bars with indicators computed on them. */
  const detailSeries = createMemo(() => {
    const v = view();
    if (!v) return undefined;
    const res = resolution();
    if (res === '1h') return series.get(v.symbol);
    const held = detailBars();
    if (!held || held.key !== `${v.symbol}|${res}`) return undefined;
    const span = spanOf(v.symbol, v.range);
    const newest = held.bars.ts.at(-1);
    // One bar's worth of slack, so the candle of the base day or week is drawn too.
    const slack = res === '1day' ? 86_400 : 7 * 86_400;
    return seriesFromBars(held.bars, span === null || newest === undefined ? undefined : newest - span - slack);
  });

  /** The initial answer and a live event may cross; an older run never replaces a newer one. */

  let poller: ReturnType<typeof createPoller> | undefined;
  /** Polls while nothing live arrives: the stream is down, or the database is (reads fail). */
  function updatePolling() {
    poller?.status(shownStatus());
    setPolling(poller?.polling() ?? false);
  }

  function setReadsOk(ok: boolean) {
    if (readsFailing() === !ok) return;
    batch(() => {
      setReadsFailing(!ok);
      updatePolling();
    });
  }

  /** A failed read: said in the notice, and a 503 means the database is away until a read succeeds. */
  function readFailed(err: unknown) {
    batch(() => {
      if (err instanceof HttpError && err.status === 503) setReadsOk(false);
      setNotice(`Update failed: ${message(err)}`);
    });
  }

  /**
   * The initial answer and a live event may cross; an older run never replaces a newer one, and a
   * skipped run (another held the lock) never replaces a real one.
   */
  function applyRun(next: EtlRun | null) {
    setReadsOk(true);
    const current = run();
    if (next === null && current) return;
    if (next && current && next.etl_run_id < current.etl_run_id) return;
    if (next?.status === 'skipped' && current && current.status !== 'skipped') return;
    // A run's start may arrive after its end (a cached answer): it never brings "in progress" back.
    if (next && current?.etl_run_id === next.etl_run_id && current.finished_at !== null && next.finished_at === null) return;
    batch(() => {
      setRun(next);
      if (next?.finished_at && next.status === 'succeeded') setLastSuccess(next);
    });
  }

  async function start() {
    setFailure(undefined);
    let cfg: Config;
    try {
      cfg = await props.api.config();
    } catch (err) {
      setFailure(message(err));
      return;
    }
    if (disposed) return;
    defaults = defaultView(cfg.symbols, props.pollSeconds);
    const initial = parseView(location.search, cfg.symbols, defaults);
    setDisplayLocale(initial.locale);

    let latestHeld = '';
    // The symbols of the first load whose series have not arrived yet; `firstSeriesIn` once none is left.
    const firstWaiting = new Set<string>();
    let firstSeriesIn = () => {};
    const firstSeries = new Promise<void>((resolve) => (firstSeriesIn = resolve));
    sync = createSync(props.api, cfg.interval, {
      series: (symbol, next) => {
        series.set(symbol, next);
        if (firstWaiting.delete(symbol) && firstWaiting.size === 0) firstSeriesIn();
      },
      batch,
      latest: (rows) => {
        const text = JSON.stringify(rows);
        batch(() => {
          // Unchanged rows (a catch-up that found nothing new) redraw nothing.
          if (text !== latestHeld) setLatest(new Map(rows.map((r) => [r.symbol, r])));
          latestHeld = text;
          setNotice(undefined);
          setReadsOk(true);
        });
      },
      error: readFailed,
    });

    // On every (re)connect and poll: whatever landed while we were not listening.
    const catchUp = () => {
      void sync!.refresh(followed());
      void loadReturns(cfg.interval);
      const shown = untrack(view)?.symbol;
      if (shown) void loadDetailBars(shown, untrack(resolution), cfg.interval, true);
      props.api.latestRun().then(applyRun, readFailed);
    };
    // The series are asked for before the page is built, so the server and the browser work at
    // the same time: building a dozen charts would otherwise hold the requests back.
    let latestRows: LatestRow[] | undefined;
    // The big chart's daily or weekly bars need nothing else first: asked for at once, they draw first.
    const detailLoaded = loadDetailBars(initial.symbol, resolutionOf(initial), cfg.interval);
    const returnsLoaded = loadReturns(cfg.interval);
    try {
      latestRows = await props.api.latest(cfg.interval);
    } catch {
      // The load below asks again, and reports what fails then.
    }
    // The returns say how far back each window must reach (to its base close).
    await returnsLoaded;
    if (disposed) return;
    setMaxPoints((current) => current ?? pointsFor(width() - CHART_CHROME_PX, undefined));
    const firstSymbols = cfg.symbols.filter((s) => s === initial.symbol || initial.watch.includes(s));
    for (const symbol of firstSymbols) firstWaiting.add(symbol);
    if (firstWaiting.size === 0) firstSeriesIn();
    load(firstSymbols, initial.range, maxPoints()!, {
      // The big chart's hourly rows, when it draws them, come in a request of their own.
      ...(resolutionOf(initial) === '1h' ? { first: initial.symbol } : {}),
      view: initial,
      ...(latestRows ? { latest: latestRows } : {}),
    });

    poller = createPoller(initial.poll * 1000, catchUp);
    stopPolling = poller.stop;

    // A run that wrote bars but whose `bars` announcement never reached us (a dropped broadcast, a
    // stream replaced mid-run) is caught up on when its `run` event comes: the run event is the
    // second, independent signal that data changed.
    let barsHeard = false;
    const onRun = (next: EtlRun) => {
      const previous = untrack(run);
      applyRun(next);
      const newer = !previous || next.etl_run_id > previous.etl_run_id || next.status !== previous.status;
      const wrote = next.finished_at !== null && next.status !== 'skipped' && next.bars_upserted > 0;
      // Before the first answer about runs (`previous` undefined) the page's own first load is
      // still under way: nothing to catch up on.
      if (previous !== undefined && newer && wrote && !barsHeard) catchUp();
      if (next.finished_at !== null) barsHeard = false;
    };
    unsubscribe?.();
    unsubscribe = props.live.subscribe(
      (bars) => {
        if (bars.interval !== cfg.interval) return;
        barsHeard = true;
        const mine = bars.symbols === null ? followed() : bars.symbols.filter((s) => followed().includes(s));
        // The charts' new bars first, the returns after them: answers that arrive together are
        // applied together, and redrawing a dozen cards' figures would hold the charts back.
        const refreshed = mine.length > 0 ? sync!.refresh(mine) : Promise.resolve();
        void settledWithin(refreshed, FIGURES_WAIT_MS).then(() => loadReturns(cfg.interval));
        const shown = untrack(view)?.symbol;
        if (shown && mine.includes(shown)) void loadDetailBars(shown, untrack(resolution), cfg.interval, true);
      },
      onRun,
      (s) => {
        batch(() => {
          setStatus(s);
          updatePolling();
        });
        if (s === 'live') catchUp();
      },
    );
    batch(() => {
      setConfig(cfg);
      setView(initial);
    });
    // The watch list and the comparison are built in a task of their own once the first load's series
    // and bars are in (or after FIGURES_WAIT_MS): a first view that shows the chart asked for without
    // waiting for a dozen more. Built at once, their construction ran before the answer they were all
    // waiting for could be handled (a 1M page drew its big chart 0.5 s after its bars had arrived),
    // and each card was drawn twice, empty and then with its bars. Those answers themselves, not the
    // sync's queue: a live catch-up joining the queue is not waited for.
    void settledWithin(Promise.all([detailLoaded, firstSeries]), FIGURES_WAIT_MS).then(() => {
      if (!disposed) setTimeout(() => setRestShown(true), 0);
    });
    props.api.latestRun().then(applyRun, readFailed);
  }

  void start();

  /** Until a successful run is seen, the data is as old as the newest bar held. */
  const newestBarMs = () => {
    const opens = [...latest().values()].map((row) => Date.parse(row.ts));
    return opens.length > 0 ? Math.max(...opens) : undefined;
  };

  const stale = (symbol: string) => {
    const row = latest().get(symbol);
    const cfg = config();
    return !!row && !!cfg && isStale(row.asset_type, Date.parse(row.ts) / 1000, cfg.interval, now());
  };

  /** Every stored or aggregated bar of what the big chart shows, at its resolution: never the thinned points. */
  async function exportDetail() {
    const v = view();
    const cfg = config();
    const s = detailSeries();
    if (!v || !cfg || !s) return;
    const res = resolution();
    const first = s.ts[0];
    // The file keeps UTC (and the exchange's clock); its header names the clock the page showed.
    const shownAs = timeAxis(zoneOf(v.symbol), lastTs(s)).name;
    if (props.api.bars && first !== undefined) {
      try {
        const [bars] = await props.api.bars({
          symbols: [v.symbol],
          resolution: res,
          interval: cfg.interval,
          from: isoFromEpochSeconds(first),
        });
        if (bars) {
          download(csvFileName(v.symbol, `${v.range}-${RESOLUTION_LABELS[res]}`, lastTs(s)), barsCsv(bars, v.range, shownAs));
          return;
        }
      } catch (err) {
        setNotice(`Export failed: ${message(err)}`);
        return;
      }
    }
    download(csvFileName(v.symbol, v.range, lastTs(s)), seriesCsv(s, columnsFor(v)(v.symbol), shownAs));
  }

  const observeWidth = (el: HTMLElement) => {
    const resize = new ResizeObserver(([entry]) => {
      const w = Math.floor(entry?.contentRect.width ?? 0);
      if (w > 0) setWidth(w);
    });
    resize.observe(el);
    onCleanup(() => resize.disconnect());
  };

  return (
    <>
      <header class="top">
        <div class="brand">
          <h1>Market Pulse</h1>
          <Show when={config()}>{(cfg) => <span class="muted">{cfg().interval} bars</span>}</Show>
          <Show when={config()?.simulated}>
            <span class="badge" data-testid="simulated-badge">
              simulated data
            </span>
          </Show>
        </div>
        <Freshness
          run={run()}
          lastSuccess={lastSuccess()}
          newestBarMs={newestBarMs()}
          now={now()}
          stale={followed().filter(stale)}
          status={shownStatus()}
          polling={polling()}
          pollSeconds={view()?.poll ?? props.pollSeconds ?? 60}
          liveLabel={props.liveLabel ?? 'server-sent events'}
          theme={theme()}
          onTheme={() => update({ theme: theme() === 'dark' ? 'light' : 'dark' })}
          zone={zoneOf(view()?.symbol ?? '')}
        />
      </header>
      <main ref={observeWidth}>
        <Show when={failure()}>
          {(msg) => (
            <div class="alert" role="alert">
              <p>Could not load the dashboard: {msg()}</p>
              <button type="button" onClick={() => void start()}>
                Retry
              </button>
            </div>
          )}
        </Show>
        <Show when={notice()}>
          {(msg) => (
            <p class="notice" role="status">
              {msg()}
            </p>
          )}
        </Show>
        <Show
          when={config() && view()}
          fallback={
            <Show when={!failure()}>
              <p class="muted">Loading…</p>
            </Show>
          }
        >
          {(_ready) => {
            const cfg = () => config()!;
            const v = () => view()!;
            return (
              <>
                <Toolbar symbols={cfg().symbols} view={v()} onChange={update} />
                <section class="panel" aria-labelledby="detail-title">
                  <header class="panel-head">
                    <h2 id="detail-title">
                      {v().symbol}
                      <span class="muted">
                        {' '}
                        · {v().range} · <span data-testid="detail-resolution">{RESOLUTION_LABELS[resolution()]}</span> bars
                      </span>
                    </h2>
                    <Show when={returns().get(v().symbol)?.get(periodOf(v().range))}>
                      {(r) => (
                        <p class="detail-quote" data-testid="detail-quote">
                          <span class="price">{formatPrice(r().close, latest().get(v().symbol)?.currency ?? null)}</span>{' '}
                          <span class={(r().change_pct ?? 0) >= 0 ? 'up' : 'down'} data-change-pct={r().change_pct ?? ''}>
                            {formatPct(r().change_pct)}
                          </span>{' '}
                          <span class="muted">
                            {baseLabel(r(), v().range)} · bar of{' '}
                            <time datetime={r().as_of} data-testid="detail-as-of">
                              {formatTime(r().as_of, zoneOf(v().symbol))}
                            </time>
                          </span>
                        </p>
                      )}
                    </Show>
                    <button type="button" onClick={() => void exportDetail()} data-testid="export-csv">
                      Download CSV
                    </button>
                  </header>
                  <DetailChart
                    symbol={v().symbol}
                    series={detailSeries()}
                    assetType={latest().get(v().symbol)?.asset_type}
                    chart={v().chart}
                    overlays={v().overlays}
                    panes={v().panes}
                    palette={palette()}
                    compact={compact()}
                    zoom={v().zoom}
                    onZoom={(zoom) => update({ zoom: zoom ? [zoom[0], zoom[1]] : null })}
                    time={timeAxis(zoneOf(v().symbol), detailSeries()?.ts.at(-1))}
                  />
                  <p class="zoom-help muted">
                    Drag to zoom, wheel to zoom, shift+wheel to pan, double-click to reset.{' '}
                    <Show when={v().zoom}>
                      <button type="button" data-testid="reset-zoom" onClick={() => update({ zoom: null })}>
                        Reset zoom
                      </button>
                    </Show>
                  </p>
                </section>
                <Show when={restShown()}>
                  <section aria-labelledby="watch-title">
                    <h2 id="watch-title" class="section-title">
                      Watch list
                    </h2>
                    <ul class="grid" aria-labelledby="watch-title">
                      <For each={v().watch}>
                        {(symbol) => (
                          <li>
                            <SymbolCard
                              symbol={symbol}
                              latest={latest().get(symbol)}
                              series={series.get(symbol)}
                              range={v().range}
                              ret={returns().get(symbol)?.get(periodOf(v().range))}
                              now={now()}
                              intervalSeconds={
                                (INTERVALS as readonly string[]).includes(cfg().interval)
                                  ? intervalMs(cfg().interval as Interval) / 1000
                                  : 3600
                              }
                              palette={palette()}
                              selected={v().symbol === symbol}
                              stale={stale(symbol)}
                              onSelect={() => update({ symbol })}
                              zone={zoneOf(symbol)}
                            />
                          </li>
                        )}
                      </For>
                    </ul>
                  </section>
                  <Compare
                    symbols={v().watch}
                    compare={v().compare}
                    benchmark={v().benchmark}
                    onChange={update}
                    series={v()
                      .watch.map((s) => series.get(s))
                      .filter((s): s is Series => s !== undefined)}
                    returns={
                      new Map(
                        v().watch.flatMap((s) => {
                          const row = returns().get(s)?.get(periodOf(v().range));
                          return row ? [[s, row] as const] : [];
                        }),
                      )
                    }
                    range={v().range}
                    palette={palette()}
                    compact={compact()}
                    time={timeAxis(compareZone(), series.get(v().watch[0] ?? '')?.ts.at(-1))}
                  />
                </Show>
              </>
            );
          }}
        </Show>
      </main>
    </>
  );
}
