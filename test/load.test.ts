import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../functions/_shared/etl/run.ts';
import { liveFanout, readApiLoad } from '../scripts/bench/load.ts';
import { type LiveHub, startLiveHub } from '../server/live.ts';
import { createDatabase, type TestDatabase } from './helpers/database.ts';
import { serveApp, type TestServer } from './helpers/server.ts';

/**
 * The load benchmarks' machinery, shortened for CI: it must deliver, not be fast (timings are
 * for `npm run bench`). 1,000 live-stream clients all get the announcement of one commit.
 */

describe('under load on loopback', () => {
  let db: TestDatabase;
  let live: LiveHub;
  let server: TestServer;

  beforeAll(async () => {
    db = await createDatabase();
    await db.sql`insert into market.asset (symbol, asset_type, exchange_timezone) values ('LOAD', 'stock', 'UTC')`;
    await db.sql`
      insert into market.ssot (symbol, asset_type, interval, ts, open, high, low, close)
      select 'LOAD', 'stock', '1h', '2026-01-01'::timestamptz + i * interval '1 hour', 10, 11, 9, 10 + i % 7
        from generate_series(0, 4999) as i`;
    live = await startLiveHub(db.sql);
    server = await serveApp({
      sql: db.sql,
      live,
      symbols: ['LOAD'],
      interval: '1h',
      simulated: true,
      etlSecret: null,
      runEtl: async () => ({ status: 'failed' }) as RunSummary,
      heartbeatMs: 60_000,
      // All 1,000 clients come from 127.0.0.1; the caps themselves are tested in read-limits.test.ts.
      streamLimits: { perServer: 1_000, perAddress: 1_000 },
    });
  });
  afterAll(async () => {
    await server?.close();
    await live?.close();
    await db?.drop();
  });

  it('answers a sustained stream of read requests without errors', async () => {
    const result = await readApiLoad(server.url, ['/api/latest', '/api/series?symbols=LOAD&max_points=500', '/api/config'], {
      concurrency: 16,
      durationMs: 2_000,
    });
    // Every client got answers (how many in 2 s depends on the machine, so that is the bench's to report).
    expect(result.requests).toBeGreaterThanOrEqual(16);
    expect(result.errors).toBe(0);
  });

  it('delivers one commit to 1,000 concurrent live-stream clients', async () => {
    const result = await liveFanout(server.url, 1_000, async () => {
      await db.sql`
        insert into market.ssot (symbol, asset_type, interval, ts, open, high, low, close)
        values ('LOAD', 'stock', '1h', '2030-01-01', 10, 11, 9, 10)`;
    });
    expect(result.received).toBe(1_000);
    // Clients that hang up are forgotten: nothing accumulates per connection ever made.
    await expect.poll(() => live.clients(), { timeout: 10_000 }).toBe(0);
  });
});
