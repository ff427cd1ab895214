import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../functions/_shared/db.ts';
import { type EmbeddedDatabase, freePort, startEmbeddedPostgres } from '../server/embedded-postgres.ts';
import { type RunningProduct, removeWorkDir, startProduct } from './helpers/product.ts';
import { openSse } from './helpers/sse.ts';

/**
 * The database goes away under a running `npm start` and comes back: the server must answer
 * quickly and honestly meanwhile, and work again afterwards without a restart.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const HOUR = 3_600_000;
/** The bound for a read while the database is away; a request that takes longer fails the test. */
const OUTAGE_ANSWER_MS = 2_000;
const READS = ['/api/latest?interval=1h', '/api/series?symbols=AAPL,BTC/USD&interval=1h&max_points=200', '/api/runs/latest'];

describe('a database outage under a running server', () => {
  let dir: string;
  let port: number;
  let cluster: EmbeddedDatabase;
  let product: RunningProduct;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'market-pulse-outage-'));
    await chmod(dir, 0o755);
    port = await freePort();
    cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port });
    product = await startProduct({ DATABASE_URL: cluster.url });
    await product.settledRun();
  });
  afterAll(async () => {
    await product?.stop();
    if (product) await removeWorkDir(product.cwd);
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('connections dropped under the server are replaced: the next reads answer, and LISTEN is back', async () => {
    const stream = await openSse(`${product.url}/api/stream`);
    try {
      await stream.next((m) => m.event === 'hello', 10_000);
      const admin = connect(cluster.superuserUrl, { max: 1 });
      const killed = await admin`
        select pg_terminate_backend(pid) from pg_stat_activity where application_name like 'market-pulse-server%' and pid <> pg_backend_pid()`;
      await admin.end();
      expect(killed.count).toBeGreaterThan(0);
      await expect.poll(async () => (await fetch(`${product.url}${READS[0]}`)).status, { timeout: 10_000 }).toBe(200);
      for (const read of READS) expect((await fetch(`${product.url}${read}`)).status).toBe(200);
      // The LISTEN connection was among them. Waiting for its `resync` here also keeps it out of the
      // next tests' streams: it comes a moment after LISTEN is back, and a stream opened in that
      // moment would count it as its own.
      await stream.next((m) => m.event === 'resync', 15_000);
    } finally {
      stream.close();
    }
  });

  it('hears every announcement on one LISTEN connection, so the answer cache drops old answers in the same dispatch as the broadcast', async () => {
    // Two LISTEN connections (one for the live stream, one for the cache) race: a dashboard could
    // hear a commit and refetch before the cache heard it, and be served the previous answer.
    const admin = connect(cluster.superuserUrl, { max: 1 });
    try {
      await expect
        .poll(async () => {
          const rows = await admin<{ pid: number }[]>`
            select distinct pid from pg_stat_activity
            where application_name like 'market-pulse-server%' and query ilike 'listen%'`;
          return rows.length;
        })
        .toBe(1);
    } finally {
      await admin.end();
    }
  });

  it("tells the live stream to catch up once the server's own LISTEN is back, since announcements made meanwhile reached no one", async () => {
    const stream = await openSse(`${product.url}/api/stream`);
    try {
      await stream.next((m) => m.event === 'hello', 10_000);
      const admin = connect(cluster.superuserUrl, { max: 1 });
      // Every server connection, the LISTEN one included, is dropped; postgres.js listens again.
      const killed = await admin`
        select pg_terminate_backend(pid) from pg_stat_activity
        where application_name like 'market-pulse-server%' and pid <> pg_backend_pid() and query ilike 'listen%'`;
      await admin.end();
      expect(killed.count).toBeGreaterThan(0);
      await stream.next((m) => m.event === 'resync', 15_000);
      // Once, not once per channel and attempt: every resync makes every dashboard fetch everything.
      // The next run's announcement comes after any other resync the reconnect made.
      await product.advanceClock(HOUR);
      expect((await product.runEtl()).status).toBe('succeeded');
      await stream.next((m) => m.event === 'bars', 30_000);
      await expect(stream.next((m) => m.event === 'resync', 0)).rejects.toThrow(/no matching SSE message/);
    } finally {
      stream.close();
    }
  });

  it('answers 503 with Retry-After at once while the database is stopped, tells the live stream, and recovers by itself', async () => {
    const stream = await openSse(`${product.url}/api/stream`);
    try {
      await stream.next((m) => m.event === 'database' && JSON.parse(m.data).reachable === true, 10_000);
      await cluster.stop();
      // Until the server notices (its health check, or a read that reaches the database), a read may
      // still be answered from the answer cache, whose data nothing can have changed meanwhile;
      // either way, nothing hangs.
      for (const read of READS) {
        const res = await fetch(`${product.url}${read}`, { signal: AbortSignal.timeout(OUTAGE_ANSWER_MS) });
        expect([200, 503], read).toContain(res.status);
      }
      await stream.next((m) => m.event === 'database' && JSON.parse(m.data).reachable === false, 30_000);

      // More failed connection attempts than the ETL pool has connections (10): each trigger tries
      // twice (8 stay under the trigger's rate limit), while reads are turned away at once and the
      // health check keeps failing on the read pool. With the old socket factory every slot was lost
      // after the tenth failed attempt, and every route hung from then on.
      for (let round = 0; round < 8; round++) {
        for (const read of READS) {
          const res = await fetch(`${product.url}${read}`, { signal: AbortSignal.timeout(OUTAGE_ANSWER_MS) });
          expect(res.status, read).toBe(503);
          expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
          expect(((await res.json()) as { error: string }).error).toMatch(/database/);
        }
        const trigger = await fetch(`${product.url}/functions/v1/market-etl`, {
          method: 'POST',
          headers: { apikey: await product.secret() },
        });
        expect(trigger.status).toBe(503);
        expect(trigger.headers.get('retry-after')).not.toBeNull();
      }
      // The configuration needs no database, so the dashboard can still show what it is.
      expect((await fetch(`${product.url}/api/config`)).status).toBe(200);
      // The page too: with its configuration, without answers it could not read, and not kept.
      const page = await fetch(`${product.url}/?range=All`, { signal: AbortSignal.timeout(OUTAGE_ANSWER_MS) });
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toBe('no-cache');
      const html = await page.text();
      expect(html).toContain('id="market-pulse-config"');
      expect(html).not.toContain('id="market-pulse-answers"');

      cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port });
      await stream.next((m) => m.event === 'database' && JSON.parse(m.data).reachable === true, 30_000);
      await expect.poll(async () => (await fetch(`${product.url}${READS[0]}`)).status, { timeout: 30_000 }).toBe(200);
      for (const read of READS) expect((await fetch(`${product.url}${read}`)).status, read).toBe(200);
      expect(await (await fetch(`${product.url}/?range=All`)).text()).toContain('id="market-pulse-answers"');

      // A triggered run works again, and the live stream still relays what the database announces.
      await product.advanceClock(HOUR);
      const run = await product.runEtl();
      expect(run.status).toBe('succeeded');
      expect(run.bars_upserted).toBeGreaterThan(0);
      const announced = await stream.next((m) => m.event === 'run', 30_000);
      expect(JSON.parse(announced.data).etl_run_id).toBe(run.etl_run_id);
    } finally {
      stream.close();
    }
  });
});

describe('`npm run etl -- --once` beside a running `npm start`', () => {
  let product: RunningProduct;
  beforeAll(async () => {
    product = await startProduct();
    await product.settledRun();
  });
  afterAll(async () => {
    await product?.stop();
    if (product) await removeWorkDir(product.cwd);
  });

  it('uses the server’s embedded database, says so, and exits 3 while the server’s run holds the lock', async () => {
    // The server's own run waits on the simulated API, holding the ETL lock, until the test lets the
    // response go (changing the faults releases a held response).
    const sim = product.simulatorUrl();
    const setFaults = (faults: object) =>
      fetch(`${sim}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
    expect((await setFaults({ delayMs: 60_000 })).status).toBe(200);
    const before = (await product.settledRun()).etl_run_id;
    const serverRun = product.runEtl();
    serverRun.catch(() => {});
    try {
      await expect
        .poll(
          async () => {
            const { run } = (await (await fetch(`${product.url}/api/runs/latest`)).json()) as {
              run: { etl_run_id: number; status: string };
            };
            return run.etl_run_id > before && run.status === 'running';
          },
          { timeout: 30_000 },
        )
        .toBe(true);
      const { DATABASE_URL: _unset, ...env } = process.env;
      const once = spawn(
        process.execPath,
        [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'scripts', 'etl.ts'), '--once', '--simulate'],
        {
          cwd: product.cwd,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      once.stdout!.on('data', (chunk) => (output += chunk));
      once.stderr!.on('data', (chunk) => (output += chunk));
      const code = await new Promise<number | null>((resolve) => once.once('exit', resolve));
      expect(code, output).toBe(3);
      expect(output).toMatch(/Using the PostgreSQL server already running/);
      expect(output).toMatch(/skipped/);
    } finally {
      await setFaults({ delayMs: 0 });
    }
    expect((await serverRun).status).toBe('succeeded');
    // The server's cluster is still there for the server.
    expect((await fetch(`${product.url}/api/latest?interval=1h`)).status).toBe(200);
  }, 120_000);
});
