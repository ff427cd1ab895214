import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../server/embedded-postgres.ts';

/**
 * Real Deno (the `deno` devDependency) for the Edge Function: `deno check`, and the function served
 * by `deno run` as Supabase's runtime would run it, with npm packages resolved through its import map.
 */

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');

export const DENO = path.join(ROOT, 'node_modules', '.bin', 'deno');
export const FUNCTION_DIR = path.join(ROOT, 'functions', 'market-etl');
export const FUNCTION_ENTRY = path.join(FUNCTION_DIR, 'index.ts');
export const FUNCTION_IMPORT_MAP = path.join(FUNCTION_DIR, 'deno.json');
// Under node_modules (ignored, and where npm's own cache habits live) so runs share downloads.
const DENO_DIR = process.env.DENO_DIR ?? path.join(ROOT, 'node_modules', '.cache', 'deno');

export function denoMissing(): string | null {
  if (existsSync(DENO)) return null;
  const reason = `Deno not found at ${DENO}: run npm ci (deno is a devDependency)`;
  if (process.env.CI) throw new Error(`${reason}: required in CI`);
  return reason;
}

/**
 * Our environment minus the settings the function reads, so each test states those itself. The rest
 * passes through: proxies and CA bundles (SSL_CERT_FILE, DENO_CERT) are how Deno reaches npm here.
 */
function baseEnv(): Record<string, string> {
  const settings = /^(DATABASE_URL|ETL_SECRET|PORT|MARKET_|TWELVE_DATA_|SUPABASE_)/;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !settings.test(name)) env[name] = value;
  return { ...env, DENO_DIR, NO_COLOR: '1' };
}

export async function denoCheck(): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(DENO, ['check', '--config', FUNCTION_IMPORT_MAP, FUNCTION_ENTRY], {
      cwd: ROOT,
      env: baseEnv(),
      timeout: 120_000,
    });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? failed.message}` };
  }
}

export interface ServedFunction {
  /** http://127.0.0.1:<port>: the function's own paths start with /market-etl, as on Supabase. */
  url: string;
  output(): string;
  stop(): Promise<void>;
  /** Ends the process at once (SIGKILL), as the platform ends an invocation past its limits. */
  kill(): Promise<void>;
}

/** The Edge Function under `deno run`, with the environment Supabase would give it plus ours. */
export async function serveFunction(env: Record<string, string>): Promise<ServedFunction> {
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(DENO, ['run', '--allow-net', '--allow-env', '--config', FUNCTION_IMPORT_MAP, FUNCTION_ENTRY], {
    cwd: ROOT,
    env: { ...baseEnv(), ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 120_000;
  while (!output.includes('Listening on')) {
    if (child.exitCode !== null) throw new Error(`the function exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`the function did not start listening:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
