import { z } from 'zod';
import type { Sql } from '../functions/_shared/db.ts';
import type { RunSummary } from '../functions/_shared/etl/run.ts';
import { loggable } from '../functions/_shared/log-text.ts';
import { type Schedule, scheduleHourly } from './scheduler.ts';

/**
 * Who starts the hourly run for a Node server. Where the database's pg_cron has the job
 * market-etl-hourly (supabase/migrations/20260101014000_etl_schedule.sql), the job decides: with pg_net it calls the Edge
 * Function, without pg_net it NOTIFYs market_etl_request, and this process runs the ETL. Each
 * request is claimed in the database first, so of several servers exactly one runs it. Without
 * the job, the server's own hourly timer does the work.
 */

export const REQUEST_CHANNEL = 'market_etl_request';
const CRON_JOB = 'market-etl-hourly';

const requestId = z.coerce.number().int().positive();

export type HourlyTrigger = 'cron' | 'schedule';

async function cronJobExists(sql: Sql): Promise<boolean> {
  const [catalog] = await sql<{ present: boolean }[]>`select to_regclass('cron.job') is not null as present`;
  if (!catalog?.present) return false;
  const [job] = await sql<{ present: boolean }[]>`select exists (select from cron.job where jobname = ${CRON_JOB}) as present`;
  return job?.present === true;
}

/** Takes the request unless another server already did; true when this process should run it. */
export async function claimRequest(sql: Sql, id: number): Promise<boolean> {
  const claimed = await sql`
    update market.etl_request set claimed_at = clock_timestamp()
     where etl_request_id = ${id} and via = 'notify' and claimed_at is null
     returning etl_request_id`;
  return claimed.count === 1;
}

export async function startHourlyTrigger(sql: Sql, run: (trigger: HourlyTrigger) => Promise<RunSummary>): Promise<Schedule> {
  if (!(await cronJobExists(sql))) return scheduleHourly(async () => void (await run('schedule')));

  const answer = async (id: number) => {
    if (!(await claimRequest(sql, id))) return;
    const summary = await run('cron');
    await sql`update market.etl_request set etl_run_id = ${summary.etl_run_id} where etl_request_id = ${id}`;
  };

  const listener = await sql.listen(REQUEST_CHANNEL, (payload) => {
    const id = requestId.safeParse(payload);
    if (!id.success) {
      console.error(`[schedule] ignored a ${REQUEST_CHANNEL} notification that is not a request id: ${loggable(payload, 100)}`);
      return;
    }
    answer(id.data).catch((error: Error) => console.error(`[schedule] request ${id.data} failed: ${loggable(error.message)}`));
  });
  console.log(`[schedule] hourly runs come from pg_cron (job ${CRON_JOB}), which notifies ${REQUEST_CHANNEL} where it has no pg_net`);
  return {
    stop() {
      void listener.unlisten().catch(() => {});
    },
  };
}
