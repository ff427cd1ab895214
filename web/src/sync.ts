import type { Api, SeriesQuery } from './api.ts';
import { emptySeries, holdsAlready, isoFromEpochSeconds, lastTs, mergeSeries, trimBefore, windowStart } from './series.ts';
import { type LatestRow, SERIES_COLUMNS, type Series, type SeriesColumn } from './types.ts';

/** The series API takes at most this many symbols per request. */
const SYMBOLS_PER_REQUEST = 50;

/**
 * What the charts show: `span` seconds back from each symbol's newest bar (null: all of it), with the
 * server downsampling to `maxPoints` per symbol, about one point per pixel of the widest chart.
 */
export interface SyncWindow {
  span: number | null;
  /** A span per symbol (each one's own base close), overriding `span`. */
  spanOf?: (symbol: string) => number | null;
  maxPoints: number;
  /** The columns to fetch for each symbol (what its charts draw); every column when absent. */
  columns?: (symbol: string) => readonly SeriesColumn[];
}

export interface LoadOptions {
  /** The symbol in the big chart: asked for on its own, so it is drawn without waiting for the rest. */
  first?: string;
  /** The newest rows, when the caller has them already: the requests then go out at once. */
  latest?: LatestRow[];
}

export interface SyncSink {
  series(symbol: string, series: Series): void;
  /**
   * Runs the `series` calls of one answer together (Solid's `batch`), so a chart drawn from several
   * symbols, like the comparison, redraws once per answer rather than once per symbol.
   */
  batch?(apply: () => void): void;
  latest(rows: LatestRow[]): void;
  error(err: unknown): void;
}

export interface Sync {
  /**
   * Sets the window and the symbols followed, then loads every one of them anew. Bars held from an
   * earlier window are dropped once the new answer arrives, so the charts never go blank meanwhile.
   */
  load(symbols: readonly string[], window: SyncWindow, options?: LoadOptions): Promise<void>;
  /**
   * Brings followed symbols up to date: only bars from each one's newest held bar on, inclusive,
   * because that bar may have been revised; a symbol not held yet gets its whole window. Resolves
   * once everything asked for so far is applied.
   */
  refresh(symbols: readonly string[]): Promise<void>;
  /**
   * Sets the columns each symbol needs; a followed symbol held without some of them gets its whole
   * window again with them (the others are left alone). Resolves like `refresh`.
   */
  columns(columns: (symbol: string) => readonly SeriesColumn[]): Promise<void>;
  /** The merged series held for a symbol. */
  get(symbol: string): Series | undefined;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** How long the cards' figures wait for the charts' new bars after a commit before they are asked for anyway. */
export const FIGURES_WAIT_MS = 1_000;

/** Resolves when `promise` settles or `ms` have passed, whichever is first. */
export function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    promise
      .finally(() => {
        clearTimeout(timer);
        resolve();
      })
      .catch(() => {});
  });
}

/**
 * Keeps the dashboard's copy of each series. Fetches run one at a time, and requests arriving
 * meanwhile are folded into the next one, so a slow, stale answer can never overwrite a newer one;
 * a new window supersedes every refresh still waiting.
 */
export function createSync(api: Pick<Api, 'series' | 'latest'>, interval: string, sink: SyncSink): Sync {
  let window: SyncWindow = { span: null, maxPoints: 1000 };
  let followed = new Set<string>();
  let held = new Map<string, Series>();
  /** The columns each held series was fetched with; the others are all null. */
  const heldColumns = new Map<string, readonly SeriesColumn[]>();
  const columnsOf = (symbol: string) => window.columns?.(symbol) ?? SERIES_COLUMNS;
  const spanOf = (symbol: string) => (window.spanOf ? window.spanOf(symbol) : window.span);
  const covered = (symbol: string) => {
    const have = heldColumns.get(symbol);
    return have !== undefined && columnsOf(symbol).every((c) => have.includes(c));
  };
  const pending = new Set<string>();
  let reload = false;
  let loadOptions: LoadOptions = {};
  let running: Promise<void> | undefined;
  const together = (apply: () => void) => (sink.batch ? sink.batch(apply) : apply());

  /**
   * Groups symbols that share a `from`, so a watch list costs a request or two, not one per symbol;
   * `alone` gets a request of its own. One promise per request, to apply each as it arrives.
   */
  function fetchGrouped(froms: Map<string, number | undefined>, alone?: string): Array<Promise<Series[]>> {
    const groups = new Map<string, { from: number | undefined; columns: readonly SeriesColumn[]; symbols: string[] }>();
    const queries: SeriesQuery[] = [];
    const query = (symbols: string[], from: number | undefined, columns: readonly SeriesColumn[]): SeriesQuery => ({
      symbols,
      interval,
      maxPoints: window.maxPoints,
      ...(from === undefined ? {} : { from: isoFromEpochSeconds(from) }),
      ...(columns.length === SERIES_COLUMNS.length ? {} : { columns }),
    });
    for (const [symbol, from] of froms) {
      const columns = columnsOf(symbol);
      if (symbol === alone) {
        queries.push(query([symbol], from, columns));
        continue;
      }
      const key = `${from} ${columns.join(',')}`;
      const group = groups.get(key) ?? { from, columns, symbols: [] };
      group.symbols.push(symbol);
      groups.set(key, group);
    }
    for (const { from, columns, symbols: group } of groups.values()) {
      for (const symbols of chunks(group, SYMBOLS_PER_REQUEST)) queries.push(query(symbols, from, columns));
    }
    return queries.map((q) => api.series(q));
  }

  /** Whole windows: the newest bar of each symbol anchors its window, so a closed market still shows its last session. */
  async function fetchWindows(symbols: readonly string[], into: Map<string, Series>, options: LoadOptions = {}): Promise<void> {
    const rows = options.latest ?? (await api.latest(interval));
    sink.latest(rows);
    const newest = new Map(rows.map((r) => [r.symbol, Date.parse(r.ts) / 1000]));
    const froms = new Map(symbols.map((s) => [s, windowStart(newest.get(s), spanOf(s))]));
    const asked = new Map(symbols.map((s) => [s, columnsOf(s)]));
    const requests = fetchGrouped(froms, options.first);
    const apply = (answers: Series[]) =>
      together(() => {
        for (const incoming of answers) {
          if (!froms.has(incoming.symbol)) continue;
          const series = mergeSeries(undefined, incoming);
          into.set(incoming.symbol, series);
          heldColumns.set(incoming.symbol, asked.get(incoming.symbol)!);
          sink.series(incoming.symbol, series);
        }
      });
    await Promise.all(requests.map((r) => r.then(apply)));
    for (const symbol of symbols) {
      if (into.has(symbol)) continue;
      const empty = emptySeries(symbol);
      into.set(symbol, empty);
      heldColumns.set(symbol, asked.get(symbol)!);
      sink.series(symbol, empty);
    }
  }

  async function fetchNew(symbols: readonly string[]): Promise<void> {
    const froms = new Map(symbols.map((s) => [s, lastTs(held.get(s))]));
    const asked = new Map(symbols.map((s) => [s, columnsOf(s)]));
    // Each answer is drawn as it arrives: a symbol whose new bar comes back quickly is not held
    // back by a slower group (stocks asked from Friday's close, say). The latest rows (the cards'
    // figures) are asked for once the bars are drawn: asked together, their answer came first and
    // its re-render held the charts back (commit to redraw p50 108 ms, against 48 ms this way).
    const drawn = Promise.allSettled(
      fetchGrouped(froms).map((request) => request.then((answers) => together(() => applyNew(answers, froms, asked)))),
    );
    // A group that failed, or one that is slow to answer, does not keep the cards' figures old.
    await settledWithin(drawn, FIGURES_WAIT_MS);
    sink.latest(await api.latest(interval));
    const failed = (await drawn).find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  function applyNew(answers: Series[], froms: Map<string, number | undefined>, asked: Map<string, readonly SeriesColumn[]>): void {
    for (const incoming of answers) {
      if (!froms.has(incoming.symbol)) continue;
      // A catch-up that found nothing new (the held newest bar, unchanged) redraws nothing.
      if (holdsAlready(held.get(incoming.symbol), incoming, asked.get(incoming.symbol)!)) continue;
      const merged = mergeSeries(held.get(incoming.symbol), incoming);
      const from = windowStart(lastTs(merged), spanOf(incoming.symbol));
      // The window slides with the newest bar, so an all-day session holds no more than the first load.
      const shown = from === undefined ? merged : trimBefore(merged, from);
      held.set(incoming.symbol, shown);
      // The new rows have only the columns asked now: the series holds those that both have.
      const now = asked.get(incoming.symbol)!;
      heldColumns.set(
        incoming.symbol,
        (heldColumns.get(incoming.symbol) ?? now).filter((c) => now.includes(c)),
      );
      sink.series(incoming.symbol, shown);
    }
  }

  async function step(): Promise<void> {
    if (reload) {
      reload = false;
      pending.clear();
      const fresh = new Map<string, Series>();
      try {
        const options = loadOptions;
        // Prefetched rows are good for this load only; later ones ask anew.
        loadOptions = { ...options, latest: undefined };
        await fetchWindows([...followed], fresh, options);
      } finally {
        // Whatever arrived is on the charts already; a failed part keeps its old rows until the next try.
        held = new Map([...held, ...fresh]);
      }
      return;
    }
    const batch = [...pending].filter((s) => followed.has(s));
    pending.clear();
    // A symbol held without a column it now needs is fetched whole, like one not held at all.
    const known = batch.filter((s) => held.has(s) && covered(s));
    const unknown = batch.filter((s) => !held.has(s) || !covered(s));
    if (unknown.length > 0) await fetchWindows(unknown, held);
    if (known.length > 0) await fetchNew(known);
  }

  async function drain(): Promise<void> {
    while (reload || pending.size > 0) {
      try {
        await step();
      } catch (err) {
        // Not retried here: the next bars event, poll or reconnect asks again from the newest bar held.
        sink.error(err);
      }
    }
    // Cleared in the same tick as the final emptiness check, so no request can slip between them.
    running = undefined;
  }

  function kick(): Promise<void> {
    // drain() always awaits before clearing `running`, so this assignment happens first.
    if (!running && (reload || pending.size > 0)) running = drain();
    return running ?? Promise.resolve();
  }

  return {
    load(symbols, next, options = {}) {
      window = next;
      loadOptions = options;
      followed = new Set(symbols);
      reload = followed.size > 0;
      if (!reload) held = new Map();
      return kick();
    },
    refresh(symbols) {
      for (const s of symbols) if (followed.has(s)) pending.add(s);
      return kick();
    },
    columns(columns) {
      window = { ...window, columns };
      for (const s of followed) if (held.has(s) && !covered(s)) pending.add(s);
      return kick();
    },
    get: (symbol) => held.get(symbol),
  };
}
