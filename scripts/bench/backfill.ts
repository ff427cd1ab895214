import type { Queryable, Sql } from '../../functions/_shared/db.ts';
import { analyseAfterLargeLoad, refreshSsot, upsertAsset, upsertBars } from '../../functions/_shared/etl/load.ts';
import { finishRun, startRun } from '../../functions/_shared/etl/runs.ts';
import type { ParsedSeries } from './bars.ts';

/**
 * (a) Backfill: parsed API data to committed SSOT rows through the ETL's own load path (the
 * calls run.ts makes for each symbol, in one transaction), timed from BEGIN to COMMIT.
 */

export interface BackfillResult {
  bars: number;
  ssotRows: number;
  totalMs: number;
  /** Wall time inside each load function, summed over symbols. */
  phases: Record<'upsertAsset' | 'upsertBars' | 'refreshSsot' | 'analyse' | 'commit', number>;
}

export async function backfill(sql: Sql, data: readonly ParsedSeries[]): Promise<BackfillResult> {
  const phases: BackfillResult['phases'] = { upsertAsset: 0, upsertBars: 0, refreshSsot: 0, analyse: 0, commit: 0 };
  const time = async <T>(phase: keyof BackfillResult['phases'], work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      phases[phase] += performance.now() - start;
    }
  };
  const runId = await startRun(sql, 'bench');
  let bars = 0;
  let ssotRows = 0;
  let commitStarted = 0;
  const start = performance.now();
  await sql.begin(async (tx: Queryable) => {
    for (const series of data) {
      const { symbol } = series.meta;
      await time('upsertAsset', () => upsertAsset(tx, series.meta));
      bars += await time('upsertBars', () => upsertBars(tx, symbol, '1h', series.bars, runId));
      ssotRows += await time('refreshSsot', () => refreshSsot(tx, symbol, '1h', series.bars[0]!.ts, runId));
    }
    await time('analyse', () => analyseAfterLargeLoad(tx, ssotRows));
    await finishRun(tx, runId, { status: 'succeeded', barsUpserted: bars, creditsUsed: 0, error: null, details: { bench: 'backfill' } });
    commitStarted = performance.now();
  });
  const end = performance.now();
  phases.commit = end - commitStarted;
  return { bars, ssotRows, totalMs: end - start, phases };
}
