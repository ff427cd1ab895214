import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, isDatabaseUnavailable, type Sql, transaction } from '../functions/_shared/db.ts';
import { withReadTimeout } from '../functions/_shared/http/read-timeout.ts';
import { createDatabase, type TestDatabase } from './helpers/database.ts';

/**
 * A transaction whose connection is closed under it without a word from the server (a crashed
 * backend, a proxy or pooler dropping it, a failover) must end in an error its caller hears, and
 * never in an exception nobody can catch. postgres.js 3.4.9 rejects the pending query only once
 * it has let go of the socket, then answers the failed transaction callback with a ROLLBACK
 * written to that socket, which throws from a timer and ends the process (porsager/postgres#1208).
 * Unguarded, every test here records that TypeError.
 */

/** A TCP proxy in front of the test cluster that can close every connection through it. */
async function closingProxy(target: URL) {
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    client.pipe(upstream);
    upstream.pipe(client);
    open.add(client);
    const drop = () => {
      open.delete(client);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', drop);
      socket.on('close', drop);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    /** Closes every client connection (a FIN, no ErrorResponse first), as a crashed backend or a pooler does. */
    closeAll() {
      for (const client of open) client.destroy();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('a transaction whose connection is closed under it', () => {
  let db: TestDatabase;
  let proxy: Awaited<ReturnType<typeof closingProxy>>;
  let sql: Sql;
  const uncaught: unknown[] = [];
  const record = (error: unknown) => uncaught.push(error);

  beforeAll(async () => {
    db = await createDatabase();
    await db.sql`create table lost_probe (id int primary key)`;
    proxy = await closingProxy(new URL(db.url));
    process.on('uncaughtException', record);
  });
  afterEach(async () => {
    await sql?.end({ timeout: 1 });
  });
  afterAll(async () => {
    process.off('uncaughtException', record);
    await proxy?.close();
    await db?.drop();
  });

  /** Closes the proxy's connections once `query` is running on the server, seen from a direct connection. */
  async function closeWhileRunning(query: string): Promise<void> {
    await expect
      .poll(async () => (await db.sql`select count(*)::int as n from pg_stat_activity where state = 'active' and query = ${query}`)[0]!.n)
      .toBe(1);
    proxy.closeAll();
    // The server goes on sleeping for a client that is gone: ended here, which rolls it back.
    await db.sql`select pg_terminate_backend(pid) from pg_stat_activity where query = ${query}`;
  }

  /** What the caller heard: a commit, a lost connection, or another error (returned as it is). */
  const outcomeOf = (transaction: Promise<unknown>) =>
    transaction.then(
      () => 'committed',
      (error: unknown) => (isDatabaseUnavailable(error) ? 'connection lost' : error),
    );

  /** Lets every timer the driver scheduled run, by making round trips on a fresh pool. */
  async function settle(): Promise<void> {
    for (let i = 0; i < 3; i++) await sql`select 1`;
    await new Promise((resolve) => setImmediate(resolve));
  }

  it('a read retries once on a new connection and answers; nothing is thrown from a timer', async () => {
    sql = connect(proxy.url, { max: 2 });
    const sleep = 'select pg_sleep(30)';
    let attempts = 0;
    const read = withReadTimeout(sql, async (tx) => {
      attempts++;
      if (attempts === 1) await tx.unsafe(sleep);
      return (await tx<{ answer: number }[]>`select 42 as answer`)[0]!.answer;
    });
    await closeWhileRunning(sleep);
    expect(await read).toBe(42);
    expect(attempts).toBe(2);
    await settle();
    expect(uncaught).toEqual([]);
  });

  it('a write is rolled back by the server, its caller hears the connection was lost, and the pool goes on', async () => {
    sql = connect(proxy.url, { max: 2 });
    const sleep = 'select pg_sleep(31)';
    // What tells the guard the transaction's connection is gone: aborted once begin() has failed.
    const lost = new AbortController();
    const write = transaction(
      sql,
      async (tx) => {
        await tx`insert into lost_probe values (1)`;
        await tx.unsafe(sleep);
      },
      { lost },
    );
    const heard = outcomeOf(write);
    await closeWhileRunning(sleep);
    expect(await heard).toBe('connection lost');
    expect(lost.signal.aborted).toBe(true);
    await settle();
    expect(uncaught).toEqual([]);
    // The server ended the session with the transaction open: nothing of it was kept.
    await expect.poll(async () => (await db.sql`select count(*)::int as n from pg_stat_activity where query = ${sleep}`)[0]!.n).toBe(0);
    expect((await db.sql`select count(*)::int as n from lost_probe`)[0]!.n).toBe(0);
  });

  it('a transaction whose connection closed while it was idle is not committed on the closed socket', async () => {
    // The ETL's lock transaction sits idle while the run fetches from the API.
    sql = connect(proxy.url, { max: 2 });
    let idle!: () => void;
    const isIdle = new Promise<void>((resolve) => (idle = resolve));
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const held = transaction(sql, async (tx) => {
      await tx`select pg_advisory_xact_lock(42)`;
      idle();
      await finished;
      return 'done';
    });
    const heard = outcomeOf(held);
    await isIdle;
    proxy.closeAll();
    expect(await heard).toBe('connection lost');
    // The work ends normally after its connection is gone: nothing may be written for it.
    finish();
    await settle();
    expect(uncaught).toEqual([]);
  });

  it('a pool query inside a healthy transaction that loses its own connection fails the transaction, which rolls back', async () => {
    // The ETL's lock transaction runs its steps on other pool connections: losing one of those
    // is not losing the transaction's, which is rolled back as usual (after the guard has waited
    // for a failure of its own that does not come) instead of being left pending for good.
    sql = connect(db.url, { max: 2 });
    const sleep = 'select pg_sleep(34)';
    const held = transaction(sql, async (tx) => {
      await tx`select pg_advisory_xact_lock(43)`;
      await sql.unsafe(sleep);
    });
    const heard = outcomeOf(held);
    await expect
      .poll(async () => (await db.sql`select count(*)::int as n from pg_stat_activity where state = 'active' and query = ${sleep}`)[0]!.n)
      .toBe(1);
    await db.sql`select pg_terminate_backend(pid) from pg_stat_activity where query = ${sleep}`;
    expect(await heard).toBe('connection lost');
    // Rolled back, so its lock is free again.
    expect((await db.sql`select pg_try_advisory_lock(43) as free`)[0]!.free).toBe(true);
    await db.sql`select pg_advisory_unlock(43)`;
    expect(uncaught).toEqual([]);
  });

  it("a savepoint's callback is guarded alike (a migration runs each file in one)", async () => {
    sql = connect(proxy.url, { max: 2 });
    const sleep = 'select pg_sleep(32)';
    const migrated = transaction(sql, (tx, guard) => tx.savepoint((step) => guard(() => step.unsafe(sleep))));
    const heard = outcomeOf(migrated);
    await closeWhileRunning(sleep);
    expect(await heard).toBe('connection lost');
    await settle();
    expect(uncaught).toEqual([]);
  });
});
