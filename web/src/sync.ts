import type { Api } from './api.ts';
import { isoFromEpochSeconds, lastTs, mergeSeries } from './series.ts';
import type { LatestRow, Series } from './types.ts';

/** The server downsamples to this many points; enough for a card-sized chart. */
export const MAX_POINTS = 1000;

export interface SyncSink {
  series(symbol: string, series: Series): void;
  latest(rows: LatestRow[]): void;
  error(err: unknown): void;
}

export interface Sync {
  /**
   * Brings the given symbols up to date and refetches the latest prices. A symbol with no bars yet
   * gets its whole (downsampled) series; otherwise only bars from its newest one on, inclusive,
   * because that bar may have been revised. Resolves once everything asked for so far is applied.
   */
  refresh(symbols: readonly string[]): Promise<void>;
  /** The merged series held for a symbol. */
  get(symbol: string): Series | undefined;
}

/**
 * Keeps the dashboard's copy of each series. Refreshes run one at a time, and requests arriving
 * meanwhile are folded into the next one, so a slow, stale answer can never overwrite a newer one.
 */
export function createSync(api: Pick<Api, 'series' | 'latest'>, interval: string, sink: SyncSink): Sync {
  const held = new Map<string, Series>();
  const pending = new Set<string>();
  let running: Promise<void> | undefined;

  async function fetchNew(symbols: string[]): Promise<void> {
    const byFrom = new Map<number | undefined, string[]>();
    for (const symbol of symbols) {
      const from = lastTs(held.get(symbol));
      byFrom.set(from, [...(byFrom.get(from) ?? []), symbol]);
    }
    const answers = await Promise.all([
      api.latest(interval),
      ...[...byFrom].map(([from, group]) =>
        api.series({
          symbols: group,
          interval,
          maxPoints: MAX_POINTS,
          ...(from === undefined ? {} : { from: isoFromEpochSeconds(from) }),
        }),
      ),
    ]);
    const [rows, ...seriesLists] = answers as [LatestRow[], ...Series[][]];
    const asked = new Set(symbols);
    for (const incoming of seriesLists.flat()) {
      if (!asked.has(incoming.symbol)) continue;
      const merged = mergeSeries(held.get(incoming.symbol), incoming);
      held.set(incoming.symbol, merged);
      sink.series(incoming.symbol, merged);
    }
    sink.latest(rows);
  }

  async function drain(): Promise<void> {
    while (pending.size > 0) {
      const batch = [...pending];
      pending.clear();
      try {
        await fetchNew(batch);
      } catch (err) {
        // Not retried here: the next bars event or reconnect asks again from the newest bar held.
        sink.error(err);
      }
    }
    // Cleared in the same tick as the final emptiness check, so no request can slip between them.
    running = undefined;
  }

  return {
    refresh(symbols) {
      for (const s of symbols) pending.add(s);
      // drain() always awaits before clearing `running`, so this assignment happens first.
      if (!running && pending.size > 0) running = drain();
      return running ?? Promise.resolve();
    },
    get: (symbol) => held.get(symbol),
  };
}
