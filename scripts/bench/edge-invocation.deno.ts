import process from 'node:process';
import { connect } from '../../functions/_shared/db.ts';
import { EDGE_DEFAULTS } from '../../functions/_shared/etl/budget.ts';
import { runEtl } from '../../functions/_shared/etl/run.ts';
import type { Interval } from '../../functions/_shared/intervals.ts';

/**
 * One Edge Function invocation's ETL work under Deno, for `npm run bench` (scripts/bench/edge-cpu.ts):
 * the same runEtl the function calls, with the function's budget, against the bench's database and
 * simulator. Prints the CPU time of the invocation (user + system of this process, from the call to
 * its return; Deno's start-up and module loading excluded) and the run's summary, as JSON.
 */

const env = process.env;
const now = Number(env.BENCH_NOW);
const sql = connect(env.DATABASE_URL!, { max: 2, applicationName: 'market-pulse-bench-edge' });
const budget = { wallMs: env.BENCH_WALL_MS ? Number(env.BENCH_WALL_MS) : EDGE_DEFAULTS.wallMs, cpuMs: EDGE_DEFAULTS.cpuMs };
const before = process.cpuUsage();
const summary = await runEtl(
  {
    sql,
    now: () => now,
    budget,
    settings: {
      symbols: env.BENCH_SYMBOLS!.split(','),
      interval: '1h' as Interval,
      creditsPerMinute: 8,
      http: { baseUrl: env.BENCH_API!, apiKey: 'bench' },
    },
  },
  'bench',
);
const cpu = process.cpuUsage(before);
console.log(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, summary }));
await sql.end({ timeout: 5 });
