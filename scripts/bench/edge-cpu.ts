import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEFAULT_SYMBOLS } from '../../functions/_shared/config.ts';
import { startSimulator } from '../../simulator/index.ts';
import type { BenchCluster } from './cluster.ts';

/**
 * (f) The CPU time of one Edge Function invocation, measured under Deno (the function's runtime):
 * an hourly run of the 8 default symbols, and one first-load step (4 symbols' whole history, what a
 * budgeted first load does per step). Each invocation runs in a fresh Deno process, so the figure
 * includes the first call's compilation of the code it runs: the dearer, cold case. Supabase's limit
 * is 2 s of CPU per request.
 */

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DENO = path.join(ROOT, 'node_modules', '.bin', 'deno');
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-18T21:05:00Z');

interface Invocation {
  cpuMs: number;
  summary: { status: string; steps: number; bars_upserted: number; stopped_by_budget: string | null };
}

export interface EdgeCpu {
  firstLoadStep: Invocation;
  hourly: Invocation[];
}

async function invoke(databaseUrl: string, api: string, now: number, wallMs?: number): Promise<Invocation> {
  const { stdout } = await run(
    DENO,
    [
      'run',
      '--allow-net',
      '--allow-env',
      '--config',
      path.join(ROOT, 'functions', 'market-etl', 'deno.json'),
      path.join(ROOT, 'scripts', 'bench', 'edge-invocation.deno.ts'),
    ],
    {
      cwd: ROOT,
      timeout: 180_000,
      env: {
        ...process.env,
        NO_COLOR: '1',
        DENO_DIR: process.env.DENO_DIR ?? path.join(ROOT, 'node_modules', '.cache', 'deno'),
        DATABASE_URL: databaseUrl,
        BENCH_API: api,
        BENCH_NOW: String(now),
        BENCH_SYMBOLS: DEFAULT_SYMBOLS.join(','),
        ...(wallMs ? { BENCH_WALL_MS: String(wallMs) } : {}),
      },
    },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as Invocation;
}

export async function edgeCpu(cluster: BenchCluster, hourlyRuns = 3): Promise<EdgeCpu> {
  const sim = await startSimulator({ creditsPerMinute: 10_000, creditsPerDay: 1_000_000 });
  const name = 'bench_edge';
  try {
    await (await cluster.createDatabase(name)).end();
    sim.sim.setClock(T0);
    // A 1 ms wall budget: the first step always runs, the second never fits.
    const firstLoadStep = await invoke(cluster.url(name), sim.url, T0, 1);
    if (firstLoadStep.summary.steps !== 1 || firstLoadStep.summary.status !== 'running') {
      throw new Error(`expected one first-load step, got ${JSON.stringify(firstLoadStep.summary)}`);
    }
    // The rest of the first load, invocation after invocation, as the chain would.
    for (let i = 0; i < 10; i++) {
      const next = await invoke(cluster.url(name), sim.url, T0);
      if (next.summary.status !== 'running') break;
    }
    const hourly: Invocation[] = [];
    for (let hour = 1; hour <= hourlyRuns; hour++) {
      sim.sim.setClock(T0 + hour * HOUR);
      const one = await invoke(cluster.url(name), sim.url, T0 + hour * HOUR);
      if (one.summary.status !== 'succeeded') throw new Error(`hourly invocation: ${JSON.stringify(one.summary)}`);
      hourly.push(one);
    }
    return { firstLoadStep, hourly };
  } finally {
    await cluster.dropDatabase(name);
    await sim.close();
  }
}
