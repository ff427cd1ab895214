import type { Queryable } from '../db.ts';

/** market.etl_run bookkeeping: every run leaves one row that tells how it went. */

export type { RunStatus } from '../contract.ts';

import type { RunStatus } from '../contract.ts';

export interface RunRecord {
  etl_run_id: number;
  started_at: Date;
  finished_at: Date | null;
  status: RunStatus;
  trigger: string;
  bars_upserted: number;
  credits_used: number;
  error: string | null;
  details: Record<string, unknown>;
}

export async function startRun(sql: Queryable, trigger: string): Promise<number> {
  const [row] = await sql<{ etl_run_id: number }[]>`
    insert into market.etl_run (trigger) values (${trigger}) returning etl_run_id`;
  return row!.etl_run_id;
}

export interface RunOutcome {
  status: Exclude<RunStatus, 'running'>;
  barsUpserted: number;
  creditsUsed: number;
  error: string | null;
  details: Record<string, unknown>;
}

export async function finishRun(sql: Queryable, runId: number, outcome: RunOutcome): Promise<void> {
  await sql`
    update market.etl_run
       set finished_at = clock_timestamp(), status = ${outcome.status}, bars_upserted = ${outcome.barsUpserted},
           credits_used = ${outcome.creditsUsed}, error = ${outcome.error}, details = ${sql.json(outcome.details as never)}
     where etl_run_id = ${runId}`;
}

/** A run that found another one in progress leaves a finished 'skipped' row. */
export async function recordSkippedRun(sql: Queryable, trigger: string, reason: string): Promise<number> {
  const [row] = await sql<{ etl_run_id: number }[]>`
    insert into market.etl_run (trigger, status, finished_at, error)
    values (${trigger}, 'skipped', clock_timestamp(), ${reason}) returning etl_run_id`;
  return row!.etl_run_id;
}

/**
 * What clients get about a run (the read API, the live stream): status, times and counts, and the
 * start of the error. Never `details`, whose size follows what upstream sent; it stays in the
 * database for operators (select details from market.etl_run).
 */
export interface RunSummaryRecord extends Omit<RunRecord, 'details'> {
  symbols_loaded: number;
  symbols_failed: number;
  bars_rejected: number;
}

/** Longest error text sent to clients; the stored one (itself bounded) is in market.etl_run. */
export const CLIENT_ERROR_CHARS = 300;

/** The newest run that did something: a skipped one (another run held the lock) never hides the run that held it. */
export async function latestRun(sql: Queryable): Promise<RunSummaryRecord | null> {
  // Counts are computed in the database so the details never travel.
  const [row] = await sql<RunSummaryRecord[]>`
    select etl_run_id, started_at, finished_at, status, trigger, bars_upserted, credits_used,
           left(error, ${CLIENT_ERROR_CHARS}) as error,
           case when jsonb_typeof(details -> 'symbols') = 'object'
                then (select count(*)::int from jsonb_object_keys(details -> 'symbols')) else 0 end as symbols_loaded,
           coalesce((details ->> 'failures_count')::int,
                    case when jsonb_typeof(details -> 'failures') = 'array' then jsonb_array_length(details -> 'failures') end,
                    0) as symbols_failed,
           case when jsonb_typeof(details -> 'symbols') = 'object'
                then (select coalesce(sum((s.value ->> 'rejected_count')::int), 0)::int from jsonb_each(details -> 'symbols') as s)
                else 0 end as bars_rejected
      from market.etl_run where status <> 'skipped' order by etl_run_id desc limit 1`;
  return row ?? null;
}
