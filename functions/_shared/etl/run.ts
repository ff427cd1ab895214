import { isDatabaseUnavailable, type Queryable, type Sql } from '../db.ts';
import type { Interval } from '../intervals.ts';
import { TwelveDataError } from '../twelvedata/errors.ts';
import type { TwelveDataHttp } from '../twelvedata/client.ts';
import { extract, type Extraction, type SymbolCursor } from './extract.ts';
import { analyseAfterLargeLoad, type LoadTimings, loadSeries, rebuildSsot } from './load.ts';
import { closeAbandonedRuns, finishRun, recordSkippedRun, type RunOutcome, startRun } from './runs.ts';

/**
 * One ETL run is one database transaction. It opens by taking a transaction-level advisory
 * lock (a run that cannot get it is recorded as skipped), extracts while holding nothing but
 * that lock, loads, and records the outcome in the same transaction, so bars and status commit
 * together or not at all. If the connection dies (database restart, network), the transaction
 * is gone and the run is recorded as failed on a fresh connection.
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

type Outcome = RunOutcome & { ssotRows: number; rejected: number };

/** What a run has done so far, kept outside the transaction so a failure can still report it. */
interface Progress {
  runId: number | null;
  creditsUsed: number;
  /** Aborted when the transaction is gone, so the work still in flight stops touching it. */
  abort: AbortController;
}

export async function runEtl(deps: EtlDeps, trigger: string, mode: 'incremental' | 'rebuild' = 'incremental'): Promise<RunSummary> {
  try {
    return await runOnce(deps, trigger, mode);
  } catch (error) {
    // Thrown only before the run began (no row, no lock held, nothing written). After a database
    // restart the first query on a pool slot whose connection died mid-query gets that
    // connection's last error (postgres.js 3.4.9 keeps it across the reconnect): the database is
    // back, and one more try finds it so. Still unreachable, the caller hears it.
    if (!isDatabaseUnavailable(error)) throw error;
    return await runOnce(deps, trigger, mode);
  }
}

async function runOnce(deps: EtlDeps, trigger: string, mode: 'incremental' | 'rebuild'): Promise<RunSummary> {
  const started = Date.now();
  const progress: Progress = { runId: null, creditsUsed: 0, abort: new AbortController() };
  try {
    const outcome = await deps.sql.begin((tx) => unlessConnectionLost(progress, async () => {
      const [lock] = await tx<{ locked: boolean }[]>`select pg_try_advisory_xact_lock(hashtext(${LOCK_KEY})) as locked`;
      if (lock?.locked !== true) return null;
      // Run rows are written outside the transaction so 'running' is visible while it works.
      await closeAbandonedRuns(deps.sql);
      progress.runId = await startRun(deps.sql, trigger);
      const result = mode === 'rebuild' ? await rebuild(tx, deps) : await incremental(tx, deps, progress);
      await finishRun(tx, progress.runId, result);
      return result;
    }));
    if (outcome === null) {
      const reason = 'another ETL run was in progress';
      const runId = await recordSkippedRun(deps.sql, trigger, reason);
      return summary(runId, trigger, started, { status: 'skipped', barsUpserted: 0, creditsUsed: 0, error: reason, details: {}, ssotRows: 0, rejected: 0 });
    }
    // After the commit: statistics are housekeeping, not part of the run. The run has committed,
    // so a failure here must not report it failed; autovacuum analyses the tables soon anyway.
    await analyseAfterLargeLoad(deps.sql, outcome.ssotRows).catch(() => {});
    return summary(progress.runId!, trigger, started, outcome);
  } catch (error) {
    progress.abort.abort(error);
    if (progress.runId === null) throw error;
    return summary(progress.runId, trigger, started, await recordFailure(deps.sql, progress.runId, error, progress.creditsUsed));
  }
}

/** Errors that mean the transaction's connection is gone (closed, or the server shutting down). */
function connectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('CONNECTION_') || code.startsWith('57P'));
}

/**
 * Runs the transaction's work, but once its connection is gone never settles: postgres.js
 * 3.4.9 answers a rejected transaction callback with its own ROLLBACK, and writing that to a
 * closed socket throws from a timer and kills the process (porsager/postgres#1208, fixes not
 * released). begin() has already rejected with the connection error by then, and the pending
 * callback, referenced by nothing, is garbage like any other.
 */
async function unlessConnectionLost<T>(progress: Progress, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // A lost connection may be a pool connection's, not the transaction's: only a transaction
    // whose begin() rejected (which aborts `progress`) is left pending; others roll back as usual.
    if (progress.abort.signal.aborted || (connectionLost(error) && (await abortedWithin(progress.abort.signal, 5_000)))) {
      return await new Promise<never>(() => {});
    }
    throw error;
  }
}

function abortedWithin(signal: AbortSignal, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(signal.aborted), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(true);
    }, { once: true });
  });
}

interface Loaded {
  barsUpserted: number;
  ssotRows: number;
  perSymbol: Record<string, unknown>;
  rejected: number;
  /** Wall time of the run's steps, ms: where an operator looks when a run got slow. */
  timings: LoadTimings & { extract?: number };
}

async function incremental(tx: Queryable, deps: EtlDeps, progress: Progress): Promise<Outcome> {
  const { settings } = deps;
  const cursors = await readCursors(tx, settings.symbols, settings.interval);
  const extractStarted = performance.now();
  const extraction = await extract(
    {
      http: settings.http, creditsPerMinute: settings.creditsPerMinute, now: deps.now ?? Date.now,
      sleep: deps.sleep ?? defaultSleep, signal: progress.abort.signal,
      onCreditsSpent: (credits) => {
        progress.creditsUsed += credits;
      },
    },
    settings.interval,
    cursors,
  );
  // Spent even if the load fails and nothing commits (progress counted them as they were spent).
  // The connection died while we were fetching: the transaction is gone, do not touch it.
  progress.abort.signal.throwIfAborted();
  const extractMs = performance.now() - extractStarted;
  const loaded = await load(tx, settings.interval, extraction, progress.runId!);
  loaded.timings.extract = extractMs;
  return { ...outcomeOf(extraction, loaded), ssotRows: loaded.ssotRows, rejected: loaded.rejected };
}

async function rebuild(tx: Queryable, deps: EtlDeps): Promise<Outcome> {
  const { interval } = deps.settings;
  const symbols = await tx<{ symbol: string }[]>`
    select distinct a.symbol from market.asset as a join market.bar as b using (asset_id)
     where b.interval = ${interval} order by a.symbol`;
  let ssotRows = 0;
  for (const { symbol } of symbols) ssotRows += await rebuildSsot(tx, symbol, interval, null);
  return {
    status: 'succeeded', barsUpserted: 0, creditsUsed: 0, error: null, ssotRows, rejected: 0,
    details: { mode: 'rebuild', symbols: symbols.map((s) => s.symbol), ssot_rows_written: ssotRows },
  };
}

async function readCursors(sql: Queryable, symbols: readonly string[], interval: Interval): Promise<SymbolCursor[]> {
  const rows = await sql<{ symbol: string; last_ts: Date | null }[]>`
    select wanted.symbol,
           (select max(s.ts) from market.ssot as s where s.symbol = wanted.symbol and s.interval = ${interval}) as last_ts
      from unnest(${symbols as string[]}::text[]) as wanted(symbol)`;
  return rows.map((row) => ({ symbol: row.symbol, lastTs: row.last_ts?.getTime() ?? null }));
}

async function load(tx: Queryable, interval: Interval, extraction: Extraction, runId: number): Promise<Loaded> {
  const loaded: Loaded = { barsUpserted: 0, ssotRows: 0, perSymbol: {}, rejected: 0, timings: {} };
  const written = await loadSeries(tx, interval, extraction.series, runId, loaded.timings);
  for (const series of extraction.series) {
    const { symbol } = series.meta;
    const counts = written.get(symbol) ?? { barsWritten: 0, ssotRows: 0 };
    loaded.barsUpserted += counts.barsWritten;
    loaded.ssotRows += counts.ssotRows;
    loaded.rejected += series.rejected.length;
    loaded.perSymbol[symbol] = {
      received: series.bars.length,
      bars_upserted: counts.barsWritten,
      ssot_rows_written: counts.ssotRows,
      unfinished_dropped: series.unfinished,
      duplicates_dropped: series.duplicates,
      rejected: series.rejected.slice(0, 50),
      rejected_count: series.rejected.length,
    };
  }
  return loaded;
}

const MAX_FAILURES_KEPT = 100;
const MAX_FAILURE_MESSAGE = 500;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function outcomeOf(extraction: Extraction, loaded: Loaded): RunOutcome {
  const failed = extraction.failures;
  const status = failed.length === 0 ? 'succeeded' : extraction.series.length === 0 ? 'failed' : 'partial';
  const error = failed.length === 0
    ? null
    : extraction.stoppedBy === 'day-credits'
      ? `daily API credits ran out; ${failed.length} symbol(s) left for the next run`
      : clip(failed.map((f) => `${f.symbol}: ${clip(f.message, 200)}`).join('; '), 2000);
  return {
    status,
    barsUpserted: loaded.barsUpserted,
    creditsUsed: extraction.creditsUsed,
    error,
    details: {
      symbols: loaded.perSymbol,
      // Bounded: upstream texts are clipped, and a run of 500 failing symbols keeps the first 100.
      failures: failed.slice(0, MAX_FAILURES_KEPT).map((f) => ({ ...f, message: clip(f.message, MAX_FAILURE_MESSAGE) })),
      failures_count: failed.length,
      requests: extraction.requests,
      stopped_by: extraction.stoppedBy,
      ssot_rows_written: loaded.ssotRows,
      // keys appears only when a first load into empty tables rebuilt them (etl/first-load.ts).
      timings_ms: Object.fromEntries(Object.entries(loaded.timings).map(([step, ms]) => [step, Math.round(ms)])),
    },
  };
}

/**
 * Records why a run failed, on a fresh connection since the run's own may be the casualty.
 * A database that is restarting gets a few seconds to come back; if it stays away, the next
 * run finds the row still 'running' and closes it as abandoned.
 */
async function recordFailure(sql: Sql, runId: number, error: unknown, creditsUsed: number): Promise<Outcome> {
  const message = error instanceof TwelveDataError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const outcome: RunOutcome = { status: 'failed', barsUpserted: 0, creditsUsed, error: message.slice(0, 2000), details: {} };
  for (const wait of RECORD_RETRY_MS) {
    try {
      await finishRun(sql, runId, outcome);
      break;
    } catch {
      await defaultSleep(wait);
    }
  }
  return { ...outcome, ssotRows: 0, rejected: 0 };
}

const RECORD_RETRY_MS = [250, 500, 1_000, 2_000, 4_000];

function summary(runId: number, trigger: string, started: number, outcome: Outcome): RunSummary {
  const details = outcome.details as { symbols?: Record<string, unknown>; failures?: unknown[]; failures_count?: number };
  return {
    etl_run_id: runId,
    status: outcome.status,
    trigger,
    bars_upserted: outcome.barsUpserted,
    ssot_rows_written: outcome.ssotRows,
    credits_used: outcome.creditsUsed,
    symbols_loaded: Object.keys(details.symbols ?? {}).length,
    symbols_failed: details.failures_count ?? details.failures?.length ?? 0,
    bars_rejected: outcome.rejected,
    error: outcome.error,
    duration_ms: Date.now() - started,
  };
}
