import { isDatabaseUnavailable, type Queryable, type Sql, transaction } from '../db.ts';
import type { Interval } from '../intervals.ts';
import type { TwelveDataHttp } from '../twelvedata/client.ts';
import { TwelveDataError } from '../twelvedata/errors.ts';
import { type BudgetLimits, InvocationBudget, UNLIMITED } from './budget.ts';
import { CreditPacer, type Extraction, extract, MAX_SYMBOLS_PER_REQUEST, planBatches, type SymbolCursor } from './extract.ts';
import { analyseAfterLargeLoad, type LoadTimings, loadSeries, rebuildSsot } from './load.ts';
import { finishRun, type RunOutcome, recordSkippedRun, startRun } from './runs.ts';
import { creditsSpentSince, type OpenRun, openRun, type RunSoFar, recordStep, runSoFar } from './steps.ts';

/**
 * One ETL run brings every configured symbol up to date, in steps of a few symbols. Each step
 * fetches its symbols with no transaction open, then commits their bars, SSOT rows and its
 * market.etl_step row together; a step redone after a crash writes the same rows again (upserts),
 * so nothing is lost or doubled wherever an invocation is killed. An invocation holds a session
 * advisory lock (a run that cannot get it is recorded as skipped) and does steps while its budget
 * (etl/budget.ts: the Edge Function's CPU and wall-clock limits, none under Node) allows; if symbols
 * are left, the run stays 'running' and the next invocation carries on where it stopped.
 */

export interface EtlSettings {
  symbols: readonly string[];
  interval: Interval;
  creditsPerMinute: number;
  http: TwelveDataHttp;
  /** Length of the API's credit minute; only a simulator with a shortened minute changes it. */
  minuteMs?: number;
}

export interface EtlDeps {
  sql: Sql;
  settings: EtlSettings;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** What one invocation may spend; unlimited when absent (Node). */
  budget?: BudgetLimits;
  /** Asks for the next invocation when this one stopped with symbols left (the Edge Function chains through pg_net). */
  continueLater?: (runId: number) => Promise<void>;
  /** Told what the invocation is doing, so a killed one can say where it was (the function's beforeunload log). */
  onActivity?: (activity: string) => void;
}

export interface RunSummary {
  etl_run_id: number;
  /** 'running': this invocation stopped at its budget; the next one continues the run. */
  status: RunOutcome['status'] | 'running';
  trigger: string;
  bars_upserted: number;
  ssot_rows_written: number;
  credits_used: number;
  symbols_loaded: number;
  symbols_failed: number;
  bars_rejected: number;
  error: string | null;
  duration_ms: number;
  /** This invocation: which one of the run it was, the steps it committed, why it stopped early (null: it did not). */
  invocation: number;
  steps: number;
  stopped_by_budget: string | null;
}

// One lock for every process that runs the ETL against this database.
const LOCK_KEY = 'market-pulse:etl';
/** A first load writes a symbol's whole history (up to 5,000 bars, ~0.15 s of CPU): fewer of them per step under a budget. */
const FIRST_LOAD_SYMBOLS_PER_BUDGETED_STEP = 4;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Outcome = RunOutcome & { ssotRows: number; rejected: number };

/** What an invocation has done so far, kept outside its transactions so a failure can still report it. */
interface Progress {
  /** Credits spent on the step in flight, not yet committed with it. */
  uncommitted: number;
  /** Aborted when the lock's connection is gone: the invocation no longer holds the lock and must stop. */
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
  const budget = new InvocationBudget(deps.budget ?? UNLIMITED);
  const progress: Progress = { uncommitted: 0, abort: new AbortController() };
  let runId: number | null = null;
  try {
    // The lock is held by a transaction that does nothing else: steps commit on their own
    // connections while it stays open, and it ends (releasing the lock) with the invocation, or
    // with the connection if the process dies.
    const result = await transaction(
      deps.sql,
      async (lockTx) => {
        const [lock] = await lockTx<{ locked: boolean }[]>`select pg_try_advisory_xact_lock(hashtext(${LOCK_KEY})) as locked`;
        if (lock?.locked !== true) return null;
        if (mode === 'rebuild') {
          runId = await startRun(deps.sql, trigger);
          const id = runId;
          const outcome = await transaction(deps.sql, (tx) => rebuild(tx, deps, id));
          await finishRun(deps.sql, runId, outcome);
          return {
            writtenNow: outcome.ssotRows,
            summary: (t: string, s: number) => summary(id, t, s, outcome, { invocation: 1, steps: 1, stoppedByBudget: null }),
          };
        }
        const run = await openRun(deps.sql, trigger, deps.settings.symbols);
        runId = run.runId;
        return await stepThrough(deps, run, budget, progress);
      },
      { lost: progress.abort },
    );
    if (result === null) {
      const reason = 'another ETL run was in progress';
      const skippedId = await recordSkippedRun(deps.sql, trigger, reason);
      const outcome: Outcome = { status: 'skipped', barsUpserted: 0, creditsUsed: 0, error: reason, details: {}, ssotRows: 0, rejected: 0 };
      return summary(skippedId, trigger, started, outcome, { invocation: 1, steps: 0, stoppedByBudget: null });
    }
    // After the commits: statistics are housekeeping, not part of the run. The run has committed,
    // so a failure here must not report it failed; autovacuum analyses the tables soon anyway.
    await analyseAfterLargeLoad(deps.sql, result.writtenNow).catch(() => {});
    const done = result.summary(trigger, started);
    if (done.status === 'running' && deps.continueLater) {
      await deps.continueLater(done.etl_run_id).catch((error: Error) => {
        console.error(`[etl] run ${done.etl_run_id} stopped at its budget, and asking for the next invocation failed: ${error.message}`);
      });
    }
    return done;
  } catch (error) {
    progress.abort.abort(error);
    if (runId === null) throw error;
    const outcome = await recordFailure(deps.sql, runId, error, progress.uncommitted);
    return summary(runId, trigger, started, outcome, { invocation: 1, steps: 0, stoppedByBudget: null });
  }
}

interface Stepped {
  /** Rows written by this invocation, for the ANALYZE that follows a large load. */
  writtenNow: number;
  summary(trigger: string, started: number): RunSummary;
}

/** Does steps until every symbol of the run is settled or the budget says stop; finishes the run if it is done. */
async function stepThrough(deps: EtlDeps, run: OpenRun, budget: InvocationBudget, progress: Progress): Promise<Stepped> {
  const { settings } = deps;
  const now = deps.now ?? Date.now;
  const pacer = new CreditPacer({
    creditsPerMinute: settings.creditsPerMinute,
    now,
    sleep: deps.sleep ?? defaultSleep,
    minuteMs: settings.minuteMs,
  });
  // Credits an invocation before this one spent in the current minute count against it too.
  pacer.spentEarlier(await creditsSpentSince(deps.sql, pacer.minuteStart()));
  let steps = 0;
  let writtenNow = 0;
  let stoppedByBudget: string | null = null;
  let sofar: RunSoFar = await runSoFar(deps.sql, run.runId);
  for (;;) {
    const remaining = run.symbols.filter((symbol) => !sofar.settled.has(symbol));
    if (remaining.length === 0) break;
    // The lock's connection is gone: another invocation may hold the lock by now.
    progress.abort.signal.throwIfAborted();
    if (sofar.details.stopped_by === 'day-credits') {
      // The plan's daily credits ran out in an earlier step: the rest waits for the next run.
      await transaction(deps.sql, (tx) => settleUnfetched(tx, run, now(), remaining));
    } else {
      const cursors = await readCursors(deps.sql, remaining, settings.interval);
      const chosen = nextStep(cursors, settings.creditsPerMinute, !budget.unlimited);
      stoppedByBudget = budget.refusal(pacer.waitNeeded(chosen.length));
      if (stoppedByBudget !== null) break;
      deps.onActivity?.(`run ${run.runId}, step for ${chosen.map((c) => c.symbol).join(',')}`);
      writtenNow += await budget.measure(() => step(deps, run, chosen, pacer, progress));
      steps += 1;
    }
    sofar = await runSoFar(deps.sql, run.runId);
  }
  deps.onActivity?.(`run ${run.runId}, between steps`);
  const done = stoppedByBudget === null;
  const outcome = outcomeOfRun(sofar, done);
  if (done) await finishRun(deps.sql, run.runId, outcome);
  return {
    writtenNow,
    summary: (trigger, started) => summary(run.runId, trigger, started, outcome, { invocation: run.invocation, steps, stoppedByBudget }),
  };
}

/** The symbols of the next step: one request's worth, and fewer whole histories when a budget applies. */
function nextStep(cursors: readonly SymbolCursor[], creditsPerMinute: number, budgeted: boolean): SymbolCursor[] {
  const perRequest = Math.max(1, Math.min(MAX_SYMBOLS_PER_REQUEST, creditsPerMinute));
  const first = planBatches(cursors, perRequest)[0] ?? [];
  return budgeted && first[0]?.lastTs === null ? first.slice(0, FIRST_LOAD_SYMBOLS_PER_BUDGETED_STEP) : first;
}

/** One step: fetch with no transaction open, then load and record it in one transaction. Returns the SSOT rows written. */
async function step(
  deps: EtlDeps,
  run: OpenRun,
  cursors: readonly SymbolCursor[],
  pacer: CreditPacer,
  progress: Progress,
): Promise<number> {
  const { settings } = deps;
  const now = deps.now ?? Date.now;
  const extractStarted = performance.now();
  const extraction = await extract(
    {
      http: settings.http,
      creditsPerMinute: settings.creditsPerMinute,
      now,
      sleep: deps.sleep ?? defaultSleep,
      pacer,
      minuteMs: settings.minuteMs,
      signal: progress.abort.signal,
      // Counted the moment they are spent, so a step that fails later (or throws mid-extraction) still counts them.
      onCreditsSpent: (credits) => {
        progress.uncommitted += credits;
      },
    },
    settings.interval,
    cursors,
  );
  // Spent even if the load fails and nothing commits (onCreditsSpent counted them as they were spent).
  const fetchedAt = now();
  const extractMs = performance.now() - extractStarted;
  // The lock's connection died while we were fetching: stop before writing anything.
  progress.abort.signal.throwIfAborted();
  const written = await transaction(deps.sql, async (tx) => {
    const loaded = await load(tx, settings.interval, extraction, run.runId);
    loaded.timings.extract = extractMs;
    const outcome = { ...outcomeOf(extraction, loaded), ssotRows: loaded.ssotRows };
    await recordStep(tx, { runId: run.runId, invocation: run.invocation, fetchedAt, symbols: cursors.map((c) => c.symbol), outcome });
    return loaded.ssotRows;
  });
  progress.uncommitted = 0;
  return written;
}

/** Symbols left when the daily credits ran out: settled as failed for this run, which the next run retries. */
async function settleUnfetched(tx: Queryable, run: OpenRun, fetchedAt: number, symbols: readonly string[]): Promise<void> {
  const failures = symbols.map((symbol) => ({ symbol, kind: 'day-credits', message: 'not fetched: daily credits ran out' }));
  await recordStep(tx, {
    runId: run.runId,
    invocation: run.invocation,
    fetchedAt,
    symbols,
    outcome: {
      status: 'partial',
      barsUpserted: 0,
      creditsUsed: 0,
      error: null,
      ssotRows: 0,
      details: { failures, stopped_by: 'day-credits' },
    },
  });
}

/** The run's outcome from its committed steps: the same status rules as one extraction's. */
function outcomeOfRun(sofar: RunSoFar, done: boolean): Outcome {
  const failed = sofar.failures;
  const status = !done ? 'partial' : failed.length === 0 ? 'succeeded' : sofar.loaded === 0 ? 'failed' : 'partial';
  const error =
    failed.length === 0
      ? null
      : sofar.details.stopped_by === 'day-credits'
        ? `daily API credits ran out; ${failed.filter((f) => (f as { kind?: string }).kind === 'day-credits').length} symbol(s) left for the next run`
        : failed
            .map((f) => `${f.symbol}: ${f.message}`)
            .join('; ')
            .slice(0, 2000);
  return {
    status,
    barsUpserted: sofar.barsUpserted,
    creditsUsed: sofar.creditsUsed,
    error,
    details: sofar.details,
    ssotRows: sofar.ssotRows,
    rejected: sofar.rejected,
  };
}

async function rebuild(tx: Queryable, deps: EtlDeps, runId: number): Promise<Outcome> {
  const { interval } = deps.settings;
  const symbols = await tx<{ symbol: string }[]>`
    select distinct a.symbol from market.asset as a join market.bar as b using (asset_id)
     where b.interval = ${interval} order by a.symbol`;
  let ssotRows = 0;
  for (const { symbol } of symbols) ssotRows += await rebuildSsot(tx, symbol, interval, runId);
  return {
    status: 'succeeded',
    barsUpserted: 0,
    creditsUsed: 0,
    error: null,
    ssotRows,
    rejected: 0,
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

interface Loaded {
  barsUpserted: number;
  ssotRows: number;
  perSymbol: Record<string, unknown>;
  rejected: number;
  /** Wall time of the run's steps, ms: where an operator looks when a run got slow. */
  timings: LoadTimings & { extract?: number };
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
  const error =
    failed.length === 0
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
 * Records why a run failed, on a fresh connection since the run's own may be the casualty. What its
 * committed steps loaded stays (and stays counted); the credits of the step in flight are added.
 * A database that is restarting gets a few seconds to come back; if it stays away, the next
 * invocation finds the run still 'running' and continues it.
 */
async function recordFailure(sql: Sql, runId: number, error: unknown, uncommittedCredits: number): Promise<Outcome> {
  const message = (
    error instanceof TwelveDataError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  ).slice(0, 2000);
  for (const wait of RECORD_RETRY_MS) {
    try {
      const [row] = await sql<{ bars_upserted: number; credits_used: number }[]>`
        update market.etl_run
           set status = 'failed', finished_at = clock_timestamp(), error = ${message}, credits_used = credits_used + ${uncommittedCredits}
         where etl_run_id = ${runId}
        returning bars_upserted, credits_used`;
      return {
        status: 'failed',
        barsUpserted: row?.bars_upserted ?? 0,
        creditsUsed: row?.credits_used ?? uncommittedCredits,
        error: message,
        details: {},
        ssotRows: 0,
        rejected: 0,
      };
    } catch {
      await defaultSleep(wait);
    }
  }
  return { status: 'failed', barsUpserted: 0, creditsUsed: uncommittedCredits, error: message, details: {}, ssotRows: 0, rejected: 0 };
}

const RECORD_RETRY_MS = [250, 500, 1_000, 2_000, 4_000];

interface InvocationFacts {
  invocation: number;
  steps: number;
  stoppedByBudget: string | null;
}

function summary(runId: number, trigger: string, started: number, outcome: Outcome, facts: InvocationFacts): RunSummary {
  const details = outcome.details as { symbols?: Record<string, unknown>; failures?: unknown[]; failures_count?: number };
  return {
    etl_run_id: runId,
    status: facts.stoppedByBudget !== null ? 'running' : outcome.status,
    trigger,
    bars_upserted: outcome.barsUpserted,
    ssot_rows_written: outcome.ssotRows,
    credits_used: outcome.creditsUsed,
    symbols_loaded: Object.keys(details.symbols ?? {}).length,
    symbols_failed: details.failures_count ?? details.failures?.length ?? 0,
    bars_rejected: outcome.rejected,
    error: outcome.error,
    duration_ms: Date.now() - started,
    invocation: facts.invocation,
    steps: facts.steps,
    stopped_by_budget: facts.stoppedByBudget,
  };
}
