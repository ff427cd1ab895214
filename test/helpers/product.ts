import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../server/embedded-postgres.ts';

/**
 * The product as a user starts it: `tsx scripts/start.ts --simulate` in its own process,
 * in a scratch working directory so its .data/ is fresh.
 */

export interface RunningProduct {
  url: string;
  cwd: string;
  output(): string;
  secret(): Promise<string>;
  stop(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export async function startProduct(env: Record<string, string> = {}, cwd?: string): Promise<RunningProduct> {
  const workDir = cwd ?? (await mkdtemp(path.join(os.tmpdir(), 'market-pulse-product-')));
  // Started by root, PostgreSQL runs as the postgres user, which must be able to reach .data/.
  await chmod(workDir, 0o755);
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'scripts', 'start.ts'), '--simulate'], {
    cwd: workDir,
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (!output.includes('Market Pulse dashboard:')) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    cwd: workDir,
    output: () => output,
    secret: async () => (await readFile(path.join(workDir, '.data', 'etl-secret'), 'utf8')).trim(),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export async function removeWorkDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
