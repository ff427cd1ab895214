import { DEFAULT_SYMBOLS } from '../../functions/_shared/config.ts';
import type { Sql } from '../../functions/_shared/db.ts';
import { type EtlDeps, runEtl } from '../../functions/_shared/etl/run.ts';
import { createSimulator } from '../../simulator/index.ts';
import { percentile } from './stats.ts';

/**
 * (b) An hourly incremental run for the 8 default symbols, through the real runEtl (lock,
 * cursors, extract, validate, load, run record), against the simulator running in this process:
 * its Hono app answers the client's fetch directly, so no socket or network is involved. The
 * time the simulator spends building each response is measured and reported apart.
 */

const HOUR = 3_600_000;
// Monday 16 November 2026, after the New York close: the first run loads 5,000 bars per symbol.
const FIRST_RUN = Date.parse('2026-11-16T21:35:00Z');
// Runs 35 minutes past each hour of the New York session (14:30-21:00 UTC in November), when
// every one of the 8 symbols has exactly one new closed bar. An unmeasured run at 14:35 first
// catches up on the night's crypto bars.
const SESSION_RUNS = [15, 16, 17, 18, 19, 20, 21].map((h) => (h * 60 + 35) * 60_000);
const DAYS = ['2026-11-17', '2026-11-18'];

export interface IncrementalResult {
  firstRun: { ms: number; bars: number };
  runs: { ms: number; simulatorMs: number; bars: number }[];
  p50: number;
  p95: number;
  p50WithoutSimulator: number;
}

export async function incrementalRuns(sql: Sql): Promise<IncrementalResult> {
  let clock = FIRST_RUN;
  const sim = createSimulator({ now: () => clock, creditsPerMinute: 8, creditsPerDay: 100_000 });
  let simulatorMs = 0;
  const deps: EtlDeps = {
    sql,
    settings: {
      symbols: DEFAULT_SYMBOLS,
      interval: '1h',
      creditsPerMinute: 8,
      http: {
        baseUrl: 'http://simulator.local',
        apiKey: 'bench-key',
        fetch: async (url, init) => {
          const start = performance.now();
          const response = await sim.app.fetch(new Request(url, init));
          simulatorMs += performance.now() - start;
          return response;
        },
      },
    },
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
  };

  const run = async (at: number) => {
    clock = at;
    simulatorMs = 0;
    const start = performance.now();
    const summary = await runEtl(deps, 'bench');
    const ms = performance.now() - start;
    if (summary.status !== 'succeeded')
      throw new Error(`bench ETL run at ${new Date(at).toISOString()} ended ${summary.status}: ${summary.error}`);
    return { ms, simulatorMs, bars: summary.bars_upserted };
  };

  const first = await run(FIRST_RUN);
  const runs: IncrementalResult['runs'] = [];
  for (const day of DAYS) {
    const midnight = Date.parse(`${day}T00:00:00Z`);
    await run(midnight + 14 * HOUR + 35 * 60_000);
    for (const offset of SESSION_RUNS) runs.push(await run(midnight + offset));
  }
  for (const r of runs) {
    if (r.bars !== DEFAULT_SYMBOLS.length) throw new Error(`an hourly bench run stored ${r.bars} new bars, expected one per symbol`);
  }
  return {
    firstRun: { ms: first.ms, bars: first.bars },
    runs,
    p50: percentile(
      runs.map((r) => r.ms),
      50,
    ),
    p95: percentile(
      runs.map((r) => r.ms),
      95,
    ),
    p50WithoutSimulator: percentile(
      runs.map((r) => r.ms - r.simulatorMs),
      50,
    ),
  };
}
