import type { Queryable } from '../db.ts';
import type { RunOutcome } from './runs.ts';

/**
 * market.etl_step bookkeeping (migration 20261130002000_etl_steps): a run's progress is the set of symbols its
 * committed steps settled, so a step is either wholly there (its bars with it) or not at all.
 */

export interface OpenRun {
  runId: number;
  /** 1 for the invocation that started the run, 2 for the first that continued it, ... */
  invocation: number;
  symbols: readonly string[];
}

/**
 * The run this invocation works on: the unfinished one (a budget or a killed process stopped it),
 * or a new one for `symbols`. Unfinished rows that cannot be continued (no symbol list: a rebuild,
 * or a run from before steps) are closed as abandoned. Called with the ETL lock held.
 */
export async function openRun(sql: Queryable, trigger: string, symbols: readonly string[]): Promise<OpenRun> {
  await sql`
    update market.etl_run
       set status = 'failed', finished_at = clock_timestamp(),
           error = 'abandoned: the process ended before the run finished; what its committed steps loaded is kept'
     where status = 'running' and symbols is null`;
  const [open] = await sql<{ etl_run_id: number; invocations: number; symbols: string[] }[]>`
    update market.etl_run set invocations = invocations + 1
     where etl_run_id = (select max(etl_run_id) from market.etl_run where status = 'running')
     returning etl_run_id, invocations, symbols`;
  if (open) return { runId: open.etl_run_id, invocation: open.invocations, symbols: open.symbols };
  const [created] = await sql<{ etl_run_id: number }[]>`
    insert into market.etl_run (trigger, symbols, invocations) values (${trigger}, ${symbols as string[]}::text[], 1)
    returning etl_run_id`;
  return { runId: created!.etl_run_id, invocation: 1, symbols };
}

export async function settledSymbols(sql: Queryable, runId: number): Promise<Set<string>> {
  const rows = await sql<{ symbol: string }[]>`
    select distinct unnest(symbols) as symbol from market.etl_step where etl_run_id = ${runId}`;
  return new Set(rows.map((row) => row.symbol));
}

/** Credits the committed steps of any run spent since `sinceMs`: what an earlier invocation used of this minute. */
export async function creditsSpentSince(sql: Queryable, sinceMs: number): Promise<number> {
  const [row] = await sql<{ credits: number }[]>`
    select coalesce(sum(credits_used), 0)::int as credits from market.etl_step where fetched_at >= ${new Date(sinceMs).toISOString()}`;
  return row?.credits ?? 0;
}

export interface StepRecord {
  runId: number;
  invocation: number;
  fetchedAt: number;
  symbols: readonly string[];
  outcome: RunOutcome & { ssotRows: number };
}

/** Records a step inside its own transaction, and keeps the run's running totals with it. */
export async function recordStep(tx: Queryable, step: StepRecord): Promise<number> {
  const { outcome } = step;
  const [row] = await tx<{ step: number }[]>`
    insert into market.etl_step (etl_run_id, step, invocation, fetched_at, symbols, bars_upserted, ssot_rows_written, credits_used, details)
    select ${step.runId}, coalesce(max(s.step), 0) + 1, ${step.invocation}, ${new Date(step.fetchedAt).toISOString()},
           ${step.symbols as string[]}::text[], ${outcome.barsUpserted}, ${outcome.ssotRows}, ${outcome.creditsUsed},
           ${tx.json(outcome.details as never)}
      from market.etl_step as s where s.etl_run_id = ${step.runId}
    returning step`;
  await tx`
    update market.etl_run set bars_upserted = bars_upserted + ${outcome.barsUpserted}, credits_used = credits_used + ${outcome.creditsUsed}
     where etl_run_id = ${step.runId}`;
  return row!.step;
}

interface StepRow {
  symbols: string[];
  bars_upserted: number;
  ssot_rows_written: number;
  credits_used: number;
  details: StepDetails;
}

interface StepDetails {
  symbols?: Record<string, unknown>;
  failures?: { symbol: string; message: string }[];
  requests?: number;
  stopped_by?: string | null;
  timings_ms?: Record<string, number>;
}

export interface RunSoFar {
  steps: number;
  settled: Set<string>;
  barsUpserted: number;
  ssotRows: number;
  creditsUsed: number;
  rejected: number;
  loaded: number;
  failures: { symbol: string; message: string }[];
  details: Record<string, unknown>;
}

/** Everything the run's committed steps did, summed: what the run row says once it is finished. */
export async function runSoFar(sql: Queryable, runId: number): Promise<RunSoFar> {
  const rows = await sql<StepRow[]>`
    select symbols, bars_upserted, ssot_rows_written, credits_used, details
      from market.etl_step where etl_run_id = ${runId} order by step`;
  const symbols: Record<string, unknown> = {};
  const failures: { symbol: string; message: string }[] = [];
  const timings: Record<string, number> = {};
  let requests = 0;
  let stoppedBy: string | null = null;
  let rejected = 0;
  const sum = { barsUpserted: 0, ssotRows: 0, creditsUsed: 0 };
  for (const row of rows) {
    sum.barsUpserted += row.bars_upserted;
    sum.ssotRows += row.ssot_rows_written;
    sum.creditsUsed += row.credits_used;
    Object.assign(symbols, row.details.symbols ?? {});
    failures.push(...(row.details.failures ?? []));
    requests += row.details.requests ?? 0;
    stoppedBy = row.details.stopped_by ?? stoppedBy;
    for (const [name, ms] of Object.entries(row.details.timings_ms ?? {})) timings[name] = (timings[name] ?? 0) + ms;
    for (const one of Object.values(row.details.symbols ?? {})) rejected += (one as { rejected_count?: number }).rejected_count ?? 0;
  }
  return {
    steps: rows.length,
    settled: new Set(rows.flatMap((row) => row.symbols)),
    ...sum,
    rejected,
    loaded: Object.keys(symbols).length,
    failures,
    details: {
      symbols,
      failures,
      requests,
      stopped_by: stoppedBy,
      ssot_rows_written: sum.ssotRows,
      steps: rows.length,
      timings_ms: timings,
    },
  };
}
