import type { Sql } from '../db.ts';
import type { Interval } from '../intervals.ts';
import { TwelveDataError } from '../twelvedata/errors.ts';
import type { TwelveDataHttp } from '../twelvedata/client.ts';
import { extract, type Extraction, type SymbolCursor } from './extract.ts';
import { analyseAfterLargeLoad, rebuildSsot, refreshSsot, upsertAsset, upsertBars } from './load.ts';
import { closeAbandonedRuns, finishRun, recordSkippedRun, type RunOutcome, startRun } from './runs.ts';

/**
 * One ETL run: take the lock, extract outside any transaction, then load everything and
 * record the outcome in one transaction. Overlapping runs are recorded as skipped.
 */

export interface EtlSettings {
  symbols: readonly string[];
  interval: Interval;
  creditsPerMinute: number;
  http: TwelveDataHttp;
}

export interface EtlDeps {
  sql: Sql;
  settings: EtlSettings;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RunSummary {
  etl_run_id: number;
  status: RunOutcome['status'];
  trigger: string;
  bars_upserted: number;
  ssot_rows_written: number;
  credits_used: number;
  symbols_loaded: number;
  symbols_failed: number;
  bars_rejected: number;
  error: string | null;
  duration_ms: number;
}

// One lock for every process that runs the ETL against this database.
const LOCK_KEY = 'market-pulse:etl';

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runEtl(deps: EtlDeps, trigger: string, mode: 'incremental' | 'rebuild' = 'incremental'): Promise<RunSummary> {
  const started = Date.now();
  const connection = await deps.sql.reserve();
  let locked = false;
  try {
    const [lock] = await connection<{ locked: boolean }[]>`select pg_try_advisory_lock(hashtext(${LOCK_KEY})) as locked`;
    locked = lock?.locked === true;
    if (!locked) {
      const runId = await recordSkippedRun(deps.sql, trigger, 'another ETL run was in progress');
      return summary(runId, trigger, started, { status: 'skipped', barsUpserted: 0, creditsUsed: 0, error: 'another ETL run was in progress', details: {} });
    }
    await closeAbandonedRuns(connection);
    const runId = await startRun(connection, trigger);
    try {
      const work = mode === 'rebuild' ? rebuild(connection, deps, runId) : incremental(connection, deps, runId);
      return summary(runId, trigger, started, await work);
    } catch (error) {
      return summary(runId, trigger, started, await recordFailure(deps.sql, runId, error));
    }
  } finally {
    if (locked) await connection`select pg_advisory_unlock(hashtext(${LOCK_KEY}))`.catch(() => {});
    connection.release();
  }
}

interface Loaded {
  barsUpserted: number;
  ssotRows: number;
  perSymbol: Record<string, unknown>;
  rejected: number;
}

async function incremental(conn: Sql, deps: EtlDeps, runId: number): Promise<RunOutcome & { ssotRows: number; rejected: number }> {
  const { settings } = deps;
  const cursors = await readCursors(conn, settings.symbols, settings.interval);
  const extraction = await extract(
    { http: settings.http, creditsPerMinute: settings.creditsPerMinute, now: deps.now ?? Date.now, sleep: deps.sleep ?? defaultSleep },
    settings.interval,
    cursors,
  );
  try {
    return await inTransaction(conn, async () => {
      const loaded = await load(conn, settings.interval, extraction, runId);
      await analyseAfterLargeLoad(conn, loaded.ssotRows);
      const outcome = outcomeOf(extraction, loaded);
      await finishRun(conn, runId, outcome);
      return { ...outcome, ssotRows: loaded.ssotRows, rejected: loaded.rejected };
    });
  } catch (error) {
    // The credits were spent even though nothing was committed.
    return await recordFailure(deps.sql, runId, error, extraction.creditsUsed);
  }
}

async function rebuild(conn: Sql, deps: EtlDeps, runId: number): Promise<RunOutcome & { ssotRows: number; rejected: number }> {
  const { interval } = deps.settings;
  return await inTransaction(conn, async () => {
    const symbols = await conn<{ symbol: string }[]>`
      select distinct a.symbol from market.asset as a join market.bar as b using (asset_id)
       where b.interval = ${interval} order by a.symbol`;
    let ssotRows = 0;
    for (const { symbol } of symbols) ssotRows += await rebuildSsot(conn, symbol, interval, runId);
    await analyseAfterLargeLoad(conn, ssotRows);
    const outcome: RunOutcome = {
      status: 'succeeded', barsUpserted: 0, creditsUsed: 0, error: null,
      details: { mode: 'rebuild', symbols: symbols.map((s) => s.symbol), ssot_rows_written: ssotRows },
    };
    await finishRun(conn, runId, outcome);
    return { ...outcome, ssotRows, rejected: 0 };
  });
}

async function readCursors(sql: Sql, symbols: readonly string[], interval: Interval): Promise<SymbolCursor[]> {
  const rows = await sql<{ symbol: string; last_ts: Date | null }[]>`
    select wanted.symbol,
           (select max(s.ts) from market.ssot as s where s.symbol = wanted.symbol and s.interval = ${interval}) as last_ts
      from unnest(${symbols as string[]}::text[]) as wanted(symbol)`;
  return rows.map((row) => ({ symbol: row.symbol, lastTs: row.last_ts?.getTime() ?? null }));
}

async function load(tx: Sql, interval: Interval, extraction: Extraction, runId: number): Promise<Loaded> {
  const loaded: Loaded = { barsUpserted: 0, ssotRows: 0, perSymbol: {}, rejected: 0 };
  for (const series of extraction.series) {
    const { symbol } = series.meta;
    await upsertAsset(tx, series.meta);
    const written = await upsertBars(tx, symbol, interval, series.bars, runId);
    const firstTs = series.bars[0]?.ts ?? null;
    const ssotRows = firstTs === null ? 0 : await refreshSsot(tx, symbol, interval, firstTs, runId);
    loaded.barsUpserted += written;
    loaded.ssotRows += ssotRows;
    loaded.rejected += series.rejected.length;
    loaded.perSymbol[symbol] = {
      received: series.bars.length,
      bars_upserted: written,
      ssot_rows_written: ssotRows,
      unfinished_dropped: series.unfinished,
      duplicates_dropped: series.duplicates,
      rejected: series.rejected.slice(0, 50),
      rejected_count: series.rejected.length,
    };
  }
  return loaded;
}

function outcomeOf(extraction: Extraction, loaded: Loaded): RunOutcome {
  const failed = extraction.failures;
  const status = failed.length === 0 ? 'succeeded' : extraction.series.length === 0 ? 'failed' : 'partial';
  const error = failed.length === 0
    ? null
    : extraction.stoppedBy === 'day-credits'
      ? `daily API credits ran out; ${failed.length} symbol(s) left for the next run`
      : failed.map((f) => `${f.symbol}: ${f.message}`).join('; ').slice(0, 2000);
  return {
    status,
    barsUpserted: loaded.barsUpserted,
    creditsUsed: extraction.creditsUsed,
    error,
    details: {
      symbols: loaded.perSymbol,
      failures: failed,
      requests: extraction.requests,
      stopped_by: extraction.stoppedBy,
      ssot_rows_written: loaded.ssotRows,
    },
  };
}

async function inTransaction<T>(conn: Sql, work: () => Promise<T>): Promise<T> {
  await conn`begin`;
  try {
    const result = await work();
    await conn`commit`;
    return result;
  } catch (error) {
    await conn`rollback`.catch(() => {});
    throw error;
  }
}

/** Records why a run failed, on a fresh connection since the run's own may be the casualty. */
async function recordFailure(sql: Sql, runId: number, error: unknown, creditsUsed = 0): Promise<RunOutcome & { ssotRows: number; rejected: number }> {
  const message = error instanceof TwelveDataError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const outcome: RunOutcome = { status: 'failed', barsUpserted: 0, creditsUsed, error: message.slice(0, 2000), details: {} };
  await finishRun(sql, runId, outcome).catch(() => {});
  return { ...outcome, ssotRows: 0, rejected: 0 };
}

function summary(runId: number, trigger: string, started: number, outcome: RunOutcome & { ssotRows?: number; rejected?: number }): RunSummary {
  const details = outcome.details as { symbols?: Record<string, unknown>; failures?: unknown[] };
  return {
    etl_run_id: runId,
    status: outcome.status,
    trigger,
    bars_upserted: outcome.barsUpserted,
    ssot_rows_written: outcome.ssotRows ?? 0,
    credits_used: outcome.creditsUsed,
    symbols_loaded: Object.keys(details.symbols ?? {}).length,
    symbols_failed: details.failures?.length ?? 0,
    bars_rejected: outcome.rejected ?? 0,
    error: outcome.error,
    duration_ms: Date.now() - started,
  };
}
