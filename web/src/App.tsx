import { createSignal, For, onCleanup, Show, type Signal } from 'solid-js';
import type { Api } from './api.ts';
import { formatRun } from './format.ts';
import type { LiveSource, LiveStatus } from './live.ts';
import { createSync } from './sync.ts';
import { SymbolCard } from './SymbolCard.tsx';
import type { Config, EtlRun, LatestRow, Series } from './types.ts';

const CLOCK_MS = 30_000;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** One signal per symbol, so new bars for one symbol redraw only its chart. */
function seriesSignals() {
  const slots = new Map<string, Signal<Series | undefined>>();
  const slot = (symbol: string) => {
    let s = slots.get(symbol);
    if (!s) slots.set(symbol, (s = createSignal<Series>()));
    return s;
  };
  return {
    get: (symbol: string) => slot(symbol)[0](),
    set: (symbol: string, series: Series) => slot(symbol)[1](() => series),
  };
}

export function App(props: { api: Api; live: LiveSource }) {
  const [config, setConfig] = createSignal<Config>();
  const [failure, setFailure] = createSignal<string>();
  const [notice, setNotice] = createSignal<string>();
  const [latest, setLatest] = createSignal<ReadonlyMap<string, LatestRow>>(new Map());
  const [run, setRun] = createSignal<EtlRun | null>();
  const [status, setStatus] = createSignal<LiveStatus>('connecting');
  const [now, setNow] = createSignal(Date.now());
  const series = seriesSignals();

  let unsubscribe: (() => void) | undefined;
  let disposed = false;
  const clock = setInterval(() => setNow(Date.now()), CLOCK_MS);
  onCleanup(() => {
    disposed = true;
    clearInterval(clock);
    unsubscribe?.();
  });

  /** The initial answer and a live event may cross; an older run never replaces a newer one. */
  function applyRun(next: EtlRun | null) {
    const current = run();
    if (next === null && current) return;
    if (next && current && next.etl_run_id < current.etl_run_id) return;
    setRun(next);
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
    setConfig(cfg);

    const shown = new Set(cfg.symbols);
    const sync = createSync(props.api, cfg.interval, {
      series: series.set,
      latest: (rows) => {
        setLatest(new Map(rows.map((r) => [r.symbol, r])));
        setNotice(undefined);
      },
      error: (err) => setNotice(`Update failed: ${message(err)}`),
    });

    // Runs at start and on every (re)connect: whatever landed while we were not listening.
    const catchUp = () => {
      void sync.refresh(cfg.symbols);
      props.api.latestRun().then(applyRun, (err: unknown) => setNotice(`Update failed: ${message(err)}`));
    };

    unsubscribe = props.live.subscribe(
      (bars) => {
        if (bars.interval !== cfg.interval) return;
        const mine = bars.symbols === null ? cfg.symbols : bars.symbols.filter((s) => shown.has(s));
        if (mine.length > 0) void sync.refresh(mine);
      },
      applyRun,
      (s) => {
        setStatus(s);
        if (s === 'live') catchUp();
      },
    );
    catchUp();
  }

  void start();

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
        <div class="status">
          <p data-testid="freshness" role="status" classList={{ failed: run()?.status === 'failed' }}>
            {run() === undefined ? 'Checking the last ETL run…' : formatRun(run() ?? null, now())}
          </p>
          <p class="live">
            <span class="sr-only">Live updates: </span>
            <span data-testid="live-status" class={`live-${status()}`}>
              {status()}
            </span>
          </p>
        </div>
      </header>
      <main>
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
        <Show when={config()} fallback={<Show when={!failure()}><p class="muted">Loading…</p></Show>}>
          {(cfg) => (
            <ul class="grid" aria-label="Symbols">
              <For each={cfg().symbols}>
                {(symbol, i) => (
                  <li>
                    <SymbolCard
                      id={`card-${i()}`}
                      symbol={symbol}
                      latest={latest().get(symbol)}
                      series={series.get(symbol)}
                    />
                  </li>
                )}
              </For>
            </ul>
          )}
        </Show>
      </main>
    </>
  );
}
