import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time spent by this Node process and by every PostgreSQL process on the machine (the
 * bench's cluster is the only one it starts), in ms. Wall time alone cannot say which side a
 * load waits on; with both CPU times it can. PostgreSQL's share is read from /proc (Linux);
 * elsewhere it is null.
 */

export interface CpuSample {
  nodeMs: number;
  postgresMs: number | null;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

function postgresCpuMs(): number | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return null;
  }
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name !== 'postgres') continue;
      // Fields after the name: state is the first, utime and stime the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return ticks * TICK_MS;
}

export function cpuNow(): CpuSample {
  const usage = process.cpuUsage();
  return { nodeMs: (usage.user + usage.system) / 1000, postgresMs: postgresCpuMs() };
}

export function cpuSince(start: CpuSample): CpuSample {
  const now = cpuNow();
  return {
    nodeMs: now.nodeMs - start.nodeMs,
    postgresMs: now.postgresMs === null || start.postgresMs === null ? null : now.postgresMs - start.postgresMs,
  };
}
