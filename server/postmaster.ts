import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Who runs the embedded cluster's server right now. PostgreSQL keeps its process id and port in
 * `postmaster.pid`; Market Pulse keeps, next to the data directory, the id of the process that
 * started the server. A server whose starter is gone (`kill -9` of `npm start` leaves it running,
 * reparented) is stale and is stopped; one whose starter lives (`npm start` beside
 * `npm run etl -- --once`) is adopted: used, and left to its starter to stop.
 */

export interface RunningCluster {
  pid: number;
  port: number;
  /** The Market Pulse process that started it, if known. */
  ownerPid: number | null;
  /** True when that process still runs and is still the server's parent. */
  owned: boolean;
}

export function clusterOwnerFile(dataDir: string): string {
  return path.join(path.dirname(dataDir), `${path.basename(dataDir)}-owner.pid`);
}

export async function writeClusterOwner(dataDir: string, pid: number): Promise<void> {
  await writeFile(clusterOwnerFile(dataDir), `${pid}\n`, { mode: 0o644 });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A process's parent id, where /proc tells it (Linux); null elsewhere. */
async function parentOf(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces or parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : null;
  } catch {
    return null;
  }
}

/** Whether the process serves this data directory, where /proc tells it; true where it cannot be checked. */
async function servesDataDir(pid: number, dataDir: string): Promise<boolean> {
  if (!existsSync('/proc/self/cmdline')) return true;
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').includes(dataDir);
  } catch {
    return false;
  }
}

async function isNode(pid: number): Promise<boolean> {
  try {
    const command = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')[0] ?? '';
    return path.basename(command).startsWith('node');
  } catch {
    return false;
  }
}

async function readPid(file: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(file, 'utf8')).split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The server running on this data directory, or null when none is (a leftover postmaster.pid of a dead server included). */
export async function runningCluster(dataDir: string): Promise<RunningCluster | null> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid) || !(await servesDataDir(pid, dataDir))) return null;
  const parent = await parentOf(pid);
  let ownerPid = await readPid(clusterOwnerFile(dataDir));
  let owned = ownerPid !== null && ownerPid !== process.pid && alive(ownerPid) && (parent === null || parent === ownerPid);
  // No owner on record (a version before the record existed): a Node process that is still the
  // server's parent runs it; a server left by a killed one has been handed to init or a subreaper.
  if (ownerPid === null && parent !== null && parent !== process.pid && (await isNode(parent))) {
    ownerPid = parent;
    owned = true;
  }
  return { pid, port, ownerPid, owned };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function exited(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** Fast shutdown (SIGINT: sessions ended, work committed so far kept); immediate shutdown if it does not finish. */
export async function stopStalePostmaster(running: RunningCluster): Promise<void> {
  try {
    process.kill(running.pid, 'SIGINT');
    if (await exited(running.pid, 60_000)) return;
    process.kill(running.pid, 'SIGQUIT');
    if (await exited(running.pid, 15_000)) return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return;
    throw new Error(
      `Could not stop the PostgreSQL server (pid ${running.pid}) left running by an earlier Market Pulse process: ` +
        `${(error as Error).message}. Stop it yourself (kill ${running.pid}), then start again.`,
      { cause: error },
    );
  }
  throw new Error(
    `The PostgreSQL server (pid ${running.pid}) left running by an earlier Market Pulse process did not stop. ` +
      `Stop it yourself (kill -QUIT ${running.pid}), then start again.`,
  );
}
