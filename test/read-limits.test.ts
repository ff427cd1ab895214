import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../functions/_shared/etl/run.ts';
import { type LiveHub, startLiveHub } from '../server/live.ts';
import { createDatabase, type TestDatabase } from './helpers/database.ts';
import { serveApp, type TestServer } from './helpers/server.ts';

/**
 * The read API's limits: heavy reads queue briefly and then get 503 with Retry-After, a read the
 * database cannot answer is cut off by its statement timeout, and live streams are capped per
 * server and per client address.
 */

let db: TestDatabase;
let live: LiveHub;
let server: TestServer;

beforeAll(async () => {
  db = await createDatabase();
  live = await startLiveHub(db.sql);
  server = await serveApp({
    sql: db.sql,
    live,
    symbols: ['AAPL'],
    interval: '1h',
    simulated: true,
    etlSecret: null,
    runEtl: async () => ({}) as RunSummary,
    readConcurrency: { max: 1, queue: 1, waitMs: 200 },
    streamLimits: { perServer: 3, perAddress: 2 },
  });
});
afterAll(async () => {
  await server?.close();
  await live?.close();
  await db?.drop();
});

/** A GET from a chosen local address (any 127.x address reaches a server on 127.0.0.1). */
function get(path: string, localAddress = '127.0.0.1'): Promise<{ status: number; headers: http.IncomingHttpHeaders; close: () => void }> {
  return new Promise((resolve, reject) => {
    const request = http.get(new URL(path, server.url), { localAddress }, (response) => {
      resolve({ status: response.statusCode ?? 0, headers: response.headers, close: () => request.destroy() });
    });
    request.on('error', reject);
  });
}

describe('read API limits', () => {
  it('queues a burst of reads briefly, answers 503 with Retry-After past the queue, and never blocks /api/config', async () => {
    // Hold a lock every SSOT read waits for, so the first read keeps its slot.
    const locker = await db.sql.reserve();
    await locker`begin`;
    await locker`lock table market.ssot in access exclusive mode`;
    try {
      const first = fetch(`${server.url}/api/series?symbols=AAPL`);
      await expect
        .poll(
          async () =>
            (
              await db.sql<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%market.series%'`
            )[0]!.n,
        )
        .toBe(1);
      // One may wait for the slot (it gives up after 200 ms); past that, 503 at once.
      const queued = fetch(`${server.url}/api/latest`);
      const refused = await fetch(`${server.url}/api/series?symbols=AAPL`);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect((await queued).status).toBe(503);
      // Routes without the database answer throughout.
      expect((await fetch(`${server.url}/api/config`)).status).toBe(200);
      // The held read is cut off by its statement timeout instead of waiting for ever.
      const timedOut = await first;
      expect(timedOut.status).toBe(503);
      expect(timedOut.headers.get('retry-after')).toBe('5');
    } finally {
      await locker`rollback`;
      locker.release();
    }
    // Afterwards reads work again.
    expect((await fetch(`${server.url}/api/series?symbols=AAPL`)).status).toBe(200);
  }, 30_000);

  it('caps live streams per client address and per server, and frees a slot when a client leaves', async () => {
    const a1 = await get('/api/stream');
    const a2 = await get('/api/stream');
    expect([a1.status, a2.status]).toEqual([200, 200]);
    const a3 = await get('/api/stream');
    expect(a3.status).toBe(429);
    a3.close();
    const b1 = await get('/api/stream', '127.0.0.2');
    expect(b1.status).toBe(200);
    // The server's three slots are taken: a new address is refused too.
    const c1 = await get('/api/stream', '127.0.0.3');
    expect(c1.status).toBe(503);
    expect(c1.headers['retry-after']).toBe('30');
    c1.close();
    a1.close();
    await expect
      .poll(async () => {
        const attempt = await get('/api/stream', '127.0.0.3');
        attempt.close();
        return attempt.status;
      })
      .toBe(200);
    for (const stream of [a2, b1]) stream.close();
  });
});
