import type { Queryable } from '../db.ts';
import {
  computeIndicators, emptyState, INDICATOR_COLUMNS, type IndicatorRow, type IndicatorState, restoreState, RESTORE_WINDOW,
  step, type StoredTailRow,
} from '../indicators.ts';
import type { Interval } from '../intervals.ts';
import type { AssetMeta, Bar } from '../types.ts';
import { BinaryCopyWriter, encodeText } from './binary-copy.ts';
import { copyIn } from './copy-in.ts';
import { beginFirstLoad } from './first-load.ts';

/**
 * Loading, inside the run's one transaction: assets, raw bars, then the SSOT rows derived
 * from the raw bars. Everything is bulk, never row by row:
 * - rows newer than everything stored for their symbol cannot conflict with anything, so they
 *   go in by binary COPY, all symbols in one stream per table (a backfill is nothing else);
 * - rows at or before a symbol's newest stored one (the overlap an hourly run re-fetches, a
 *   revised bar) are upserted from arrays, leaving unchanged rows untouched.
 */

/** Rows per statement: large enough to amortise round trips, small enough to bound memory. */
const CHUNK = 20_000;

/**
 * Arrays go to PostgreSQL as array literals built here: several times faster than the
 * driver's element-by-element serialisation, which dominated bulk loads. Every value is a
 * finite number or null (validated upstream), so no quoting is needed.
 */
function float8Array(values: readonly (number | null)[]): string {
  return `{${values.map((value) => (value === null ? 'NULL' : String(value))).join(',')}}`;
}

function timestampArray(bars: readonly Bar[]): string {
  return `{${bars.map((bar) => new Date(bar.ts).toISOString()).join(',')}}`;
}

async function upsertAsset(tx: Queryable, meta: AssetMeta): Promise<void> {
  await tx`
    insert into market.asset (symbol, asset_type, exchange, currency, exchange_timezone)
    values (${meta.symbol}, ${meta.assetType}, ${meta.exchange}, ${meta.currency}, ${meta.exchangeTimezone})
    on conflict (symbol) do update
      set asset_type = excluded.asset_type, exchange = excluded.exchange,
          currency = excluded.currency, exchange_timezone = excluded.exchange_timezone
      where (asset.asset_type, asset.exchange, asset.currency, asset.exchange_timezone)
            is distinct from (excluded.asset_type, excluded.exchange, excluded.currency, excluded.exchange_timezone)`;
}

/** Upserts raw bars; returns how many were new or changed. */
async function upsertBars(tx: Queryable, symbol: string, interval: Interval, bars: readonly Bar[], runId: number | null): Promise<number> {
  let written = 0;
  for (let from = 0; from < bars.length; from += CHUNK) {
    const chunk = bars.slice(from, from + CHUNK);
    const result = await tx`
      insert into market.bar (asset_id, interval, ts, open, high, low, close, volume, etl_run_id)
      select a.asset_id, ${interval}, b.ts, b.open, b.high, b.low, b.close, b.volume, ${runId}
        from market.asset as a,
             unnest(${timestampArray(chunk)}::timestamptz[],
                    ${float8Array(chunk.map((b) => b.open))}::float8[], ${float8Array(chunk.map((b) => b.high))}::float8[],
                    ${float8Array(chunk.map((b) => b.low))}::float8[], ${float8Array(chunk.map((b) => b.close))}::float8[],
                    ${float8Array(chunk.map((b) => b.volume))}::float8[]) as b(ts, open, high, low, close, volume)
       where a.symbol = ${symbol}
      on conflict (asset_id, interval, ts) do update
        set open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
            volume = excluded.volume, etl_run_id = excluded.etl_run_id
        where (bar.open, bar.high, bar.low, bar.close, bar.volume)
              is distinct from (excluded.open, excluded.high, excluded.low, excluded.close, excluded.volume)`;
    written += result.count;
  }
  return written;
}

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
  tx: Queryable, interval: Interval, series: readonly SeriesToLoad[], runId: number | null, timings?: LoadTimings,
): Promise<Map<string, SymbolLoaded>> {
  const clock = stopwatch(timings);
  // Sent together: the driver pipelines them on the transaction's connection.
  await Promise.all(series.map((one) => upsertAsset(tx, one.meta)));
  const withBars = series.filter((one) => one.bars.length > 0);
  const extents = await storedExtents(tx, withBars.map((one) => one.meta.symbol), interval);
  const loaded = new Map<string, SymbolLoaded>();
  const firstLoad = await beginFirstLoad(tx, withBars.reduce((sum, one) => sum + one.bars.length, 0));
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
    const newestTs = freshSsot.reduce<number | null>((newest, one) => Math.max(newest ?? -Infinity, one.bars[one.bars.length - 1]!.ts), null);
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
  return new Map(rows.map((row) => [row.symbol, {
    assetId: row.asset_id, newestBarTs: row.newest_bar?.getTime() ?? null, newestSsotTs: row.newest_ssot?.getTime() ?? null,
  }]));
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
  tx: Queryable, series: SeriesToLoad, interval: Interval, extent: StoredExtent,
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

/** The indicator columns stored in the SSOT, in the order both write paths send them. */
const STORED_INDICATORS = [...INDICATOR_COLUMNS, 'rsi_avg_gain', 'rsi_avg_loss'] as const satisfies readonly (keyof IndicatorRow)[];

const COPY_BAR = 'copy market.bar (asset_id, interval, ts, open, high, low, close, volume, etl_run_id) from stdin (format binary)';
const BAR_FIELDS = 9;

const COPY_SSOT = `copy market.ssot (symbol, asset_type, exchange, currency, interval, ts, open, high, low, close, volume, ${
  STORED_INDICATORS.join(', ')}, etl_run_id) from stdin (format binary)`;
const SSOT_FIELDS = 12 + STORED_INDICATORS.length;

interface FreshBars {
  assetId: number;
  bars: readonly Bar[];
}

function* barCopyChunks(parts: readonly FreshBars[], interval: Interval, runId: number | null): Generator<Uint8Array> {
  const writer = new BinaryCopyWriter();
  const intervalText = encodeText(interval);
  for (const { assetId, bars } of parts) {
    for (const bar of bars) {
      writer.row(BAR_FIELDS).int8(assetId).text(intervalText).timestamptz(bar.ts)
        .float8(bar.open).float8(bar.high).float8(bar.low).float8(bar.close).float8(bar.volume)
        .int8(runId);
      const chunk = writer.takeIfFull();
      if (chunk) yield chunk;
    }
  }
  yield writer.finish();
}

interface FreshSsot {
  meta: AssetMeta;
  /** The indicator state just before `bars[0]`; advanced as the rows are written. */
  state: IndicatorState;
  bars: readonly Bar[];
}

/** SSOT rows computed as they are streamed, so the indicators of the next chunk overlap the server's insert of this one. */
function* ssotCopyChunks(parts: readonly FreshSsot[], interval: Interval, runId: number | null): Generator<Uint8Array> {
  const writer = new BinaryCopyWriter();
  const intervalText = encodeText(interval);
  const optionalText = (value: string | null) => (value === null ? null : encodeText(value));
  for (const { meta, state, bars } of parts) {
    const symbol = encodeText(meta.symbol);
    const assetType = encodeText(meta.assetType);
    const exchange = optionalText(meta.exchange);
    const currency = optionalText(meta.currency);
    for (const bar of bars) {
      const row = step(state, bar.close);
      writer.row(SSOT_FIELDS).text(symbol).text(assetType).text(exchange).text(currency).text(intervalText)
        .timestamptz(bar.ts).float8(bar.open).float8(bar.high).float8(bar.low).float8(bar.close).float8(bar.volume);
      for (const column of STORED_INDICATORS) writer.float8(row[column]);
      writer.int8(runId);
      const chunk = writer.takeIfFull();
      if (chunk) yield chunk;
    }
  }
  yield writer.finish();
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

async function upsertSsot(
  tx: Queryable, symbol: string, interval: Interval, bars: readonly Bar[], rows: readonly IndicatorRow[], runId: number | null,
): Promise<number> {
  let written = 0;
  for (let from = 0; from < bars.length; from += CHUNK) {
    const b = bars.slice(from, from + CHUNK);
    const r = rows.slice(from, from + CHUNK);
    const col = (name: keyof IndicatorRow) => float8Array(r.map((row) => row[name]));
    const result = await tx`
      insert into market.ssot (
        symbol, asset_type, exchange, currency, interval, ts, open, high, low, close, volume,
        change, change_pct, log_return, sma_20, sma_50, ema_12, ema_26, rsi_14, macd, macd_signal,
        macd_hist, bb_upper, bb_middle, bb_lower, volatility_20, rsi_avg_gain, rsi_avg_loss, etl_run_id)
      select a.symbol, a.asset_type, a.exchange, a.currency, ${interval}, u.*, ${runId}
        from market.asset as a,
             unnest(
               ${timestampArray(b)}::timestamptz[],
               ${float8Array(b.map((x) => x.open))}::float8[], ${float8Array(b.map((x) => x.high))}::float8[],
               ${float8Array(b.map((x) => x.low))}::float8[], ${float8Array(b.map((x) => x.close))}::float8[],
               ${float8Array(b.map((x) => x.volume))}::float8[],
               ${col('change')}::float8[], ${col('change_pct')}::float8[], ${col('log_return')}::float8[],
               ${col('sma_20')}::float8[], ${col('sma_50')}::float8[], ${col('ema_12')}::float8[],
               ${col('ema_26')}::float8[], ${col('rsi_14')}::float8[], ${col('macd')}::float8[],
               ${col('macd_signal')}::float8[], ${col('macd_hist')}::float8[], ${col('bb_upper')}::float8[],
               ${col('bb_middle')}::float8[], ${col('bb_lower')}::float8[], ${col('volatility_20')}::float8[],
               ${col('rsi_avg_gain')}::float8[], ${col('rsi_avg_loss')}::float8[]) as u
       where a.symbol = ${symbol}
      on conflict (symbol, interval, ts) do update set
        asset_type = excluded.asset_type, exchange = excluded.exchange, currency = excluded.currency,
        open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
        volume = excluded.volume, change = excluded.change, change_pct = excluded.change_pct,
        log_return = excluded.log_return, sma_20 = excluded.sma_20, sma_50 = excluded.sma_50,
        ema_12 = excluded.ema_12, ema_26 = excluded.ema_26, rsi_14 = excluded.rsi_14,
        macd = excluded.macd, macd_signal = excluded.macd_signal, macd_hist = excluded.macd_hist,
        bb_upper = excluded.bb_upper, bb_middle = excluded.bb_middle, bb_lower = excluded.bb_lower,
        volatility_20 = excluded.volatility_20, rsi_avg_gain = excluded.rsi_avg_gain,
        rsi_avg_loss = excluded.rsi_avg_loss, etl_run_id = excluded.etl_run_id
      -- Unchanged rows are left alone: no write, no last_update bump, no live announcement.
      where (ssot.asset_type, ssot.exchange, ssot.currency, ssot.open, ssot.high, ssot.low, ssot.close,
             ssot.volume, ssot.change, ssot.change_pct, ssot.log_return, ssot.sma_20, ssot.sma_50,
             ssot.ema_12, ssot.ema_26, ssot.rsi_14, ssot.macd, ssot.macd_signal, ssot.macd_hist,
             ssot.bb_upper, ssot.bb_middle, ssot.bb_lower, ssot.volatility_20, ssot.rsi_avg_gain,
             ssot.rsi_avg_loss)
            is distinct from
            (excluded.asset_type, excluded.exchange, excluded.currency, excluded.open, excluded.high,
             excluded.low, excluded.close, excluded.volume, excluded.change, excluded.change_pct,
             excluded.log_return, excluded.sma_20, excluded.sma_50, excluded.ema_12, excluded.ema_26,
             excluded.rsi_14, excluded.macd, excluded.macd_signal, excluded.macd_hist, excluded.bb_upper,
             excluded.bb_middle, excluded.bb_lower, excluded.volatility_20, excluded.rsi_avg_gain,
             excluded.rsi_avg_loss)`;
    written += result.count;
  }
  return written;
}
