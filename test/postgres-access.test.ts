import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blockedDirectory, postgresAccessProblem } from '../server/postgres-access.ts';

/**
 * Root's checkout in a private directory: the `postgres` OS user the embedded server runs as must
 * be told which directory stops it, before initdb fails with a bare EACCES. Real directories and
 * modes; the user is a uid/gid that owns none of them.
 */

const STRANGER = { uid: 54_321, gid: 54_321 };

describe('what the postgres OS user can reach', () => {
  let root: string;
  let bin: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'market-pulse-access-'));
    bin = path.join(root, 'checkout', 'node_modules', 'bin');
    await mkdir(bin, { recursive: true });
    await chmod(root, 0o755);
    await chmod(path.join(root, 'checkout'), 0o755);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('a directory of mode 700 on the way blocks it, and the message names that directory and the fixes', async () => {
    await chmod(path.join(root, 'checkout'), 0o700);
    expect(blockedDirectory(bin, STRANGER)).toBe(path.join(root, 'checkout'));
    const problem = postgresAccessProblem([bin], STRANGER);
    expect(problem).toContain(`cannot enter ${path.join(root, 'checkout')}`);
    expect(problem).toMatch(/DATABASE_URL/);
    expect(problem).toMatch(/setfacl -m u:postgres:x/);
  });

  it("passes through directories others may enter (o+x), and through its own group's (g+x)", async () => {
    expect(blockedDirectory(bin, STRANGER)).toBeNull();
    expect(postgresAccessProblem([bin, path.join(root, 'not-yet', 'pg')], STRANGER)).toBeNull();
    await chmod(path.join(root, 'checkout'), 0o710);
    const ownGroup = { uid: STRANGER.uid, gid: os.userInfo().gid };
    expect(blockedDirectory(bin, ownGroup)).toBeNull();
    expect(blockedDirectory(bin, STRANGER)).toBe(path.join(root, 'checkout'));
  });
});
