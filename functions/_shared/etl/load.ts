import type { Queryable } from '../db.ts';
import {
  computeIndicators,
  emptyState,
  type IndicatorState,
  RESTORE_WINDOW,
  restoreState,
  type StoredTailRow,
  step,
} from '../indicators.ts';
import type { Interval } from '../intervals.ts';
import type { AssetMeta, Bar } from '../types.ts';
import { copyIn } from './copy-in.ts';
import { barCopyChunks, COPY_BAR, COPY_SSOT, type FreshBars, type FreshSsot, ssotCopyChunks } from './copy-rows.ts';
import { beginFirstLoad } from './first-load.ts';
import { upsertAsset, upsertBars, upsertSsot } from './upsert.ts';

/**
 * Loading, inside the run's one transaction: assets, raw bars, then the SSOT rows derived
 * from the raw bars. Everything is bulk, never row by row:
 * - rows newer than everything stored for their symbol cannot conflict with anything, so they
 *   go in by binary COPY, all symbols in one stream per table (a backfill is nothing else);
 * - rows at or before a symbol's newest stored one (the overlap an hourly run re-fetches, a
 *   revised bar) are upserted from arrays, leaving unchanged rows untouched.
 */

async function barsFrom(tx: Queryable, symbol: string, interval: Interval, fromTs: number | null): Promise<Bar[]> {
  // The asset is looked up first so the primary key (asset_id, interval, ts) drives the scan
  // whatever the planner's statistics say right after a bulk load.
  const rows = await tx<{ ts: Date; open: number; high: number; low: number; close: number; volume: number | null }[]>`
    select b.ts, b.open, b.high, b.low, b.close, b.volume
      from market.bar as b
     where b.asset_id = (select asset_id from market.asset where symbol = ${symbol}) and b.interval = ${interval}
       ${fromTs === null ? tx`` : tx`and b.ts >= ${new Date(fromTs).toISOString()}`}
     order by b.ts`;
  return rows.map((row) => ({ ...row, ts: row.ts.getTime() }));
}

/** One symbol's validated bars from this run, oldest first, unique by time. */
export interface SeriesToLoad {
  meta: AssetMeta;
  bars: readonly Bar[];
}

/** What a run wrote for one symbol: raw bars and SSOT rows that were new or changed. */
export interface SymbolLoaded {
  barsWritten: number;
  ssotRows: number;
}

/**
 * Loads a run's series: assets, raw bars, and the SSOT from each series' first bar on, the
 * indicator state before it restored from the stored rows so the numbers equal a rebuild's.
 */
export async function loadSeries(
  tx: Queryable,
  interval: Interval,
  series: readonly SeriesToLoad[],
  runId: number | null,
  timings?: LoadTimings,
): Promise<Map<string, SymbolLoaded>> {
  const clock = stopwatch(timings);
  // Sent together: the driver pipelines them on the transaction's connection.
  await Promise.all(series.map((one) => upsertAsset(tx, one.meta)));
  const withBars = series.filter((one) => one.bars.length > 0);
  const extents = await storedExtents(
    tx,
    withBars.map((one) => one.meta.symbol),
    interval,
  );
  const loaded = new Map<string, SymbolLoaded>();
  const firstLoad = await beginFirstLoad(
    tx,
    withBars.reduce((sum, one) => sum + one.bars.length, 0),
  );
  clock.lap('assets');

  const freshBars: FreshBars[] = [];
  for (const { meta, bars } of withBars) {
    const extent = extents.get(meta.symbol)!;
    const { stored, fresh } = splitAfter(bars, extent.newestBarTs);
    const upserted = stored.length > 0 ? await upsertBars(tx, meta.symbol, interval, stored, runId) : 0;
    if (fresh.length > 0) freshBars.push({ assetId: extent.assetId, bars: fresh });
    loaded.set(meta.symbol, { barsWritten: upserted + fresh.length, ssotRows: 0 });
  }
  // In key order, so each row lands next to the one before it in the key's index (or, on a
  // first load, the key is built from rows already sorted).
  freshBars.sort((a, b) => a.assetId - b.assetId);
  if (freshBars.length > 0) await copyIn(tx.unsafe(COPY_BAR), barCopyChunks(freshBars, interval, runId));
  clock.lap('bars');

  const freshSsot: FreshSsot[] = [];
  for (const one of withBars) {
    const extent = extents.get(one.meta.symbol)!;
    const { state, bars } = await ssotInputs(tx, one, interval, extent);
    const { stored, fresh } = splitAfter(bars, extent.newestSsotTs);
    const rows = stored.map((bar) => step(state, bar.close));
    const upserted = stored.length > 0 ? await upsertSsot(tx, one.meta.symbol, interval, stored, rows, runId) : 0;
    // The state has advanced past the upserted rows; the COPY stream carries on from there.
    if (fresh.length > 0) freshSsot.push({ meta: one.meta, state, bars: fresh });
    loaded.get(one.meta.symbol)!.ssotRows = upserted + fresh.length;
  }
  freshSsot.sort((a, b) => (a.meta.symbol < b.meta.symbol ? -1 : a.meta.symbol > b.meta.symbol ? 1 : 0));
  if (freshSsot.length > 0) await copyIn(tx.unsafe(COPY_SSOT), ssotCopyChunks(freshSsot, interval, runId));
  clock.lap('ssot');
  if (firstLoad) {
    const symbols = freshSsot.map((one) => one.meta.symbol);
    const newestTs = freshSsot.reduce<number | null>(
      (newest, one) => Math.max(newest ?? -Infinity, one.bars[one.bars.length - 1]!.ts),
      null,
    );
    await firstLoad.finish({ interval, symbols, newestTs });
    clock.lap('keys');
  }
  return loaded;
}

/** Wall time of loadSeries' steps, in ms: assets and cursors, raw bars, SSOT rows, keys rebuilt after a first load. */
export type LoadTimings = Partial<Record<'assets' | 'bars' | 'ssot' | 'keys', number>>;

function stopwatch(into: LoadTimings | undefined): { lap(step: keyof LoadTimings): void } {
  let last = performance.now();
  return {
    lap(step) {
      const now = performance.now();
      if (into) into[step] = (into[step] ?? 0) + now - last;
      last = now;
    },
  };
}

/** What is stored for a symbol before the run writes its bars. */
interface StoredExtent {
  assetId: number;
  newestBarTs: number | null;
  newestSsotTs: number | null;
}

async function storedExtents(tx: Queryable, symbols: readonly string[], interval: Interval): Promise<Map<string, StoredExtent>> {
  const rows = await tx<{ symbol: string; asset_id: number; newest_bar: Date | null; newest_ssot: Date | null }[]>`
    select a.symbol, a.asset_id,
           (select max(b.ts) from market.bar as b where b.asset_id = a.asset_id and b.interval = ${interval}) as newest_bar,
           (select max(s.ts) from market.ssot as s where s.symbol = a.symbol and s.interval = ${interval}) as newest_ssot
      from market.asset as a
     where a.symbol = any(${symbols as string[]}::text[])`;
  return new Map(
    rows.map((row) => [
      row.symbol,
      {
        assetId: row.asset_id,
        newestBarTs: row.newest_bar?.getTime() ?? null,
        newestSsotTs: row.newest_ssot?.getTime() ?? null,
      },
    ]),
  );
}

/** Bars up to and including `newestStored` (may conflict with stored rows), and those after it (cannot). */
function splitAfter(bars: readonly Bar[], newestStored: number | null): { stored: readonly Bar[]; fresh: readonly Bar[] } {
  if (newestStored === null) return { stored: [], fresh: bars };
  let at = bars.length;
  while (at > 0 && bars[at - 1]!.ts > newestStored) at--;
  return { stored: bars.slice(0, at), fresh: bars.slice(at) };
}

/**
 * Where the SSOT recomputation of a series starts: the indicator state just before its first
 * bar, and every stored bar from there on. A history too short to restore the state from is
 * recomputed from its first bar. The bars are the batch itself when nothing stored lies in
 * that range (a backfill, or a run with no overlap), so they are not read back.
 */
async function ssotInputs(
  tx: Queryable,
  series: SeriesToLoad,
  interval: Interval,
  extent: StoredExtent,
): Promise<{ state: IndicatorState; bars: readonly Bar[] }> {
  const firstTs = series.bars[0]!.ts;
  const restored = extent.newestSsotTs === null ? null : await restoreStateBefore(tx, series.meta.symbol, interval, firstTs);
  const start = restored === null ? null : firstTs;
  const batchIsEverything = extent.newestBarTs === null || (start !== null && extent.newestBarTs < start);
  const bars = batchIsEverything ? series.bars : await barsFrom(tx, series.meta.symbol, interval, start);
  return { state: restored ?? emptyState(), bars };
}

/** The indicator state after the last stored SSOT row before `ts`, or null when it cannot be restored. */
async function restoreStateBefore(tx: Queryable, symbol: string, interval: Interval, ts: number): Promise<IndicatorState | null> {
  const before = new Date(ts).toISOString();
  const [counted] = await tx<{ count: number }[]>`
    select count(*) as count from market.ssot
     where symbol = ${symbol} and interval = ${interval} and ts < ${before}`;
  const tail = await tx<StoredTailRow[]>`
    select close, log_return, ema_12, ema_26, macd_signal, rsi_avg_gain, rsi_avg_loss from (
      select * from market.ssot
       where symbol = ${symbol} and interval = ${interval} and ts < ${before}
       order by ts desc limit ${RESTORE_WINDOW}) as newest
     order by ts`;
  return restoreState(tail, counted?.count ?? 0);
}

/**
 * Fresh statistics after a large load, so the next queries are planned for the rows that
 * are there now rather than for the empty tables autovacuum last saw. Run after the commit,
 * on the pool: it is housekeeping, and autovacuum would get there too, only later.
 */
export async function analyseAfterLargeLoad(sql: Queryable, rowsWritten: number): Promise<void> {
  if (rowsWritten >= LARGE_LOAD_ROWS) await sql`analyze market.bar, market.ssot`;
}

const LARGE_LOAD_ROWS = 10_000;

/** Rebuild: every SSOT row of a symbol from its raw bars, and nothing the raw bars do not back. */
export async function rebuildSsot(tx: Queryable, symbol: string, interval: Interval, runId: number | null): Promise<number> {
  const bars = await barsFrom(tx, symbol, interval, null);
  // NOT IN over one symbol's bar times becomes a hashed subplan: linear, whatever the
  // planner's statistics say right after a bulk load (NOT EXISTS went quadratic on stale ones).
  await tx`
    delete from market.ssot as s
     where s.symbol = ${symbol} and s.interval = ${interval}
       and s.ts not in (select b.ts from market.bar as b
                         where b.asset_id = (select asset_id from market.asset where symbol = ${symbol})
                           and b.interval = ${interval})`;
  const rows = computeIndicators(bars.map((bar) => bar.close));
  return await upsertSsot(tx, symbol, interval, bars, rows, runId);
}
