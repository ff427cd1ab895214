import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/** The real Supabase CLI from node_modules, run against this repository's supabase/ directory. */

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SUPABASE_CLI = path.join(ROOT, 'node_modules', '.bin', 'supabase');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `supabase <args> --workdir <repo> --yes`; a failure is returned, not thrown, so tests can assert on it. */
export async function supabase(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(SUPABASE_CLI, [...args, '--workdir', ROOT, '--yes'], {
      cwd: ROOT,
      env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: '1', ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? String(error) };
  }
}

/** The CLI needs `sslmode` spelled out for a local server without TLS. */
export function cliDatabaseUrl(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('sslmode', 'disable');
  return parsed.toString();
}
