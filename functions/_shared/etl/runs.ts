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
 * Rows still 'running' while we hold the ETL lock belong to runs whose process died
 * (killed, crashed, database restarted): their transaction was rolled back, so say so.
 */
export async function closeAbandonedRuns(sql: Queryable): Promise<number> {
  const result = await sql`
    update market.etl_run
       set status = 'failed', finished_at = clock_timestamp(),
           error = 'abandoned: the process ended before the run finished; nothing it loaded was committed'
     where status = 'running'`;
  return result.count;
}

export async function latestRun(sql: Queryable): Promise<RunRecord | null> {
  const [row] = await sql<RunRecord[]>`
    select etl_run_id, started_at, finished_at, status, trigger, bars_upserted, credits_used, error, details
      from market.etl_run order by etl_run_id desc limit 1`;
  return row ?? null;
}
