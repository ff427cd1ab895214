import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from '../../server/embedded-postgres.ts';
import { launchChromium } from './browser.ts';

/**
 * The product as a user starts it: `tsx scripts/start.ts --simulate` in its own process,
 * in a scratch working directory so its .data/ is fresh.
 */

export interface RunningProduct {
  url: string;
  cwd: string;
  /** Everything every process printed so far, restarts included. */
  output(): string;
  secret(): Promise<string>;
  stop(): Promise<void>;
  /** Stops the product and starts it again on the same port and working directory (same database). */
  restart(): Promise<void>;
  /** The running simulator's base URL, as start.ts printed it (it changes with each start). */
  simulatorUrl(): string;
  /** Moves the simulated market's clock forward, so the next ETL run finds new bars. */
  advanceClock(ms: number): Promise<void>;
  /** Triggers an ETL run the way the hourly trigger does and returns its summary. */
  runEtl(): Promise<{ etl_run_id: number; status: string; bars_upserted: number }>;
  /** Waits until the newest recorded run exists and has finished; returns it. */
  settledRun(minId?: number): Promise<{ etl_run_id: number; status: string }>;
}

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SIMULATOR_LINE = /built-in Twelve Data simulator \((http:\/\/[^)]+)\)/g;

export async function startProduct(env: Record<string, string> = {}, cwd?: string): Promise<RunningProduct> {
  const workDir = cwd ?? (await mkdtemp(path.join(os.tmpdir(), 'market-pulse-product-')));
  // Started by root, PostgreSQL runs as the postgres user, which must be able to reach .data/.
  await chmod(workDir, 0o755);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  let child: ChildProcess;

  async function launch(): Promise<void> {
    const startedAt = output.length;
    child = spawn(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'scripts', 'start.ts'), '--simulate'],
      {
        cwd: workDir,
        // No run on the hour: a test that crossed one would find a run it did not start.
        env: { ...process.env, PORT: String(port), SIM_CONTROL: '1', ETL_SCHEDULE: 'off', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const deadline = Date.now() + 90_000;
    while (!output.slice(startedAt).includes('Market Pulse dashboard:')) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function stop(): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }

  const simulatorUrl = () => {
    const all = [...output.matchAll(SIMULATOR_LINE)];
    const last = all.at(-1)?.[1];
    if (!last) throw new Error(`start.ts printed no simulator URL:\n${output}`);
    return last;
  };
  const secret = async () => (await readFile(path.join(workDir, '.data', 'etl-secret'), 'utf8')).trim();

  await launch();
  return {
    url,
    cwd: workDir,
    output: () => output,
    secret,
    stop,
    async restart() {
      await stop();
      await launch();
    },
    simulatorUrl,
    async advanceClock(ms) {
      const res = await fetch(`${simulatorUrl()}/__sim/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceMs: ms }),
      });
      if (!res.ok) throw new Error(`advancing the simulator clock answered ${res.status}: ${await res.text()}`);
    },
    async runEtl() {
      const res = await fetch(`${url}/functions/v1/market-etl`, { method: 'POST', headers: { apikey: await secret() } });
      if (!res.ok) throw new Error(`the ETL trigger answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as Awaited<ReturnType<RunningProduct['runEtl']>>;
    },
    async settledRun(minId = 0) {
      const deadline = Date.now() + 90_000;
      for (;;) {
        const { run } = (await (await fetch(`${url}/api/runs/latest`)).json()) as { run: { etl_run_id: number; status: string } | null };
        if (run && run.etl_run_id >= minId && run.status !== 'running') return run;
        if (Date.now() > deadline) throw new Error(`no finished ETL run (id >= ${minId}):\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
  };
}

export async function removeWorkDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** The started product and a Chromium to look at it, for a browser test file. */
export interface ProductInBrowser {
  product: RunningProduct;
  browser: Browser;
}

/**
 * Registers the hooks a browser test file needs: `npm start --simulate` in a work directory of
 * its own, Chromium, and the start-up ETL run settled before any test looks at the page. The
 * fields are filled in by `beforeAll`; everything is stopped and removed by `afterAll`.
 */
export function productInBrowser(): ProductInBrowser {
  const context = {} as ProductInBrowser;
  beforeAll(async () => {
    context.product = await startProduct();
    context.browser = await launchChromium();
    await context.product.settledRun();
  });
  afterAll(async () => {
    await context.browser?.close();
    await context.product?.stop();
    if (context.product) await removeWorkDir(context.product.cwd);
  });
  return context;
}
