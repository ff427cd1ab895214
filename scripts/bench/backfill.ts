import type { Queryable, Sql } from '../../functions/_shared/db.ts';
import { analyseAfterLargeLoad, type LoadTimings, loadSeries } from '../../functions/_shared/etl/load.ts';
import { finishRun, startRun } from '../../functions/_shared/etl/runs.ts';
import type { ParsedSeries } from './bars.ts';
import { type CpuSample, cpuNow, cpuSince } from './cpu.ts';

/**
 * (a) Backfill: parsed API data to committed SSOT rows through the ETL's own load path (what
 * run.ts does after extracting: loadSeries and the run's outcome in one transaction), timed
 * from BEGIN to COMMIT. The ANALYZE that runEtl issues after committing a large load is timed
 * apart: it is not part of the committed data.
 */

export interface BackfillResult {
  bars: number;
  ssotRows: number;
  /** BEGIN to COMMIT. */
  totalMs: number;
  /** Wall time of loadSeries' steps, then recording the run and COMMIT. */
  phases: LoadTimings & { commit: number };
  /** CPU time of Node and of PostgreSQL from BEGIN to COMMIT. */
  cpu: CpuSample;
  /** The ANALYZE after the commit. */
  analyseMs: number;
}

export async function backfill(sql: Sql, data: readonly ParsedSeries[]): Promise<BackfillResult> {
  const runId = await startRun(sql, 'bench');
  let bars = 0;
  let ssotRows = 0;
  let loadedAt = 0;
  const timings: LoadTimings = {};
  const cpuAtStart = cpuNow();
  const start = performance.now();
  await sql.begin(async (tx: Queryable) => {
    const loaded = await loadSeries(tx, '1h', data, runId, timings);
    for (const counts of loaded.values()) {
      bars += counts.barsWritten;
      ssotRows += counts.ssotRows;
    }
    loadedAt = performance.now();
    await finishRun(tx, runId, { status: 'succeeded', barsUpserted: bars, creditsUsed: 0, error: null, details: { bench: 'backfill' } });
  });
  const end = performance.now();
  const cpu = cpuSince(cpuAtStart);
  await analyseAfterLargeLoad(sql, ssotRows);
  const analyseMs = performance.now() - end;
  return { bars, ssotRows, totalMs: end - start, phases: { ...timings, commit: end - loadedAt }, cpu, analyseMs };
}
