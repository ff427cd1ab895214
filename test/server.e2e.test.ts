import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../functions/_shared/config.ts';
import { etlRunner } from '../server/etl-runtime.ts';
import { type LiveHub, startLiveHub } from '../server/live.ts';
import { startSimulator } from '../simulator/index.ts';
import { createDatabase, one, type TestDatabase } from './helpers/database.ts';
import { serveApp, type TestServer } from './helpers/server.ts';
import { openSse, type SseMessage } from './helpers/sse.ts';

const HOUR = 3_600_000;
const SECRET = 'e2e-secret-0123456789abcdef';
const SYMBOLS = ['AAPL', 'BTC/USD', 'SOL/USD'];
/** A run's start is announced too ('running'); these tests wait for how it ended. */
const finishedRun = (m: SseMessage) => m.event === 'run' && JSON.parse(m.data).status !== 'running';

describe('simulator -> ETL -> database -> read API -> live stream', () => {
  let db: TestDatabase;
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let live: LiveHub;
  let server: TestServer;
  let base: string;

  beforeAll(async () => {
    db = await createDatabase();
    sim = await startSimulator({ now: () => Date.parse('2026-11-20T15:10:00Z') });
    live = await startLiveHub(db.sql);
    const config = parseConfig({ MARKET_SYMBOLS: SYMBOLS.join(','), ETL_SECRET: SECRET });
    server = await serveApp({
      sql: db.sql,
      live,
      symbols: config.MARKET_SYMBOLS,
      interval: '1h',
      simulated: true,
      etlSecret: SECRET,
      runEtl: etlRunner(db.sql, config, { baseUrl: sim.url, apiKey: 'k', now: () => sim.sim.now() }),
      heartbeatMs: 500,
    });
    base = server.url;
  });
  afterAll(async () => {
    await server?.close();
    await live?.close();
    await sim?.close();
    await db?.drop();
  });

  const trigger = (headers: Record<string, string>) => fetch(`${base}/functions/v1/market-etl`, { method: 'POST', headers });

  it('refuses the trigger without the secret, or with a wrong one', async () => {
    const runs = async () => one(await db.sql<{ n: number }[]>`select count(*) as n from market.etl_run`).n;
    const before = await runs();
    expect((await trigger({})).status).toBe(401);
    expect((await trigger({ apikey: 'wrong-secret-0123456789' })).status).toBe(401);
    expect(await runs()).toBe(before);
  });

  it('runs the ETL on an authorised POST and serves the result through the read API', async () => {
    const response = await trigger({ apikey: SECRET });
    expect(response.status).toBe(200);
    const summary = await response.json();
    expect(summary).toMatchObject({ status: 'succeeded', credits_used: 3, symbols_loaded: 3 });

    const series = (await (await fetch(`${base}/api/series?symbols=AAPL,BTC/USD&max_points=500`)).json()) as {
      series: { symbol: string; ts: number[]; close: number[] }[];
    };
    expect(series.series.map((s: { symbol: string }) => s.symbol)).toEqual(['AAPL', 'BTC/USD']);
    for (const s of series.series) {
      expect(s.ts.length).toBeGreaterThan(400);
      expect(s.ts.length).toBeLessThanOrEqual(500);
      expect(s.close.length).toBe(s.ts.length);
      expect([...s.ts].sort((a: number, b: number) => a - b)).toEqual(s.ts);
    }
    const latest = (await (await fetch(`${base}/api/latest`)).json()) as { rows: { symbol: string; ts: string }[] };
    expect(latest.rows.map((r: { symbol: string }) => r.symbol)).toEqual(['AAPL', 'BTC/USD', 'SOL/USD']);
    const [btcLatest] = latest.rows.filter((r: { symbol: string }) => r.symbol === 'BTC/USD');
    // The newest closed hourly bar at the simulator's clock (15:10 when this test runs first).
    expect(btcLatest?.ts).toBe(new Date(Math.floor(sim.sim.now() / HOUR) * HOUR - HOUR).toISOString());
    const run = (await (await fetch(`${base}/api/runs/latest`)).json()) as { run: unknown };
    expect(run.run).toMatchObject({ status: 'succeeded', trigger: 'http', credits_used: 3 });
  });

  it('announces new bars over server-sent events when a later run commits', async () => {
    const stream = await openSse(`${base}/api/stream`);
    try {
      await stream.next((m) => m.event === 'hello');
      sim.sim.advanceClock(2 * HOUR);
      expect((await trigger({ authorization: `Bearer ${SECRET}` })).status).toBe(200);
      // Each statement that writes SSOT rows announces the symbols it wrote and the newest bar
      // among them (one COPY carries the new bars of every symbol); collect until all were named.
      const announced = new Set<string>();
      let newest = '';
      while (announced.size < SYMBOLS.length) {
        const payload = JSON.parse((await stream.next((m) => m.event === 'bars')).data);
        expect(payload.interval).toBe('1h');
        for (const symbol of payload.symbols) announced.add(symbol);
        if (payload.max_ts > newest) newest = payload.max_ts;
      }
      expect(newest).toMatch(/^2026-11-20T16:00:00/);
      const run = JSON.parse((await stream.next(finishedRun)).data);
      expect(run.status).toBe('succeeded');

      // What the dashboard does next: fetch only what is new.
      const fresh = (await (await fetch(`${base}/api/series?symbols=BTC/USD&from=2026-11-20T15:00:00Z`)).json()) as {
        series: { ts: number[] }[];
      };
      expect(fresh.series[0]?.ts.map((t: number) => new Date(t * 1000).toISOString())).toEqual([
        '2026-11-20T15:00:00.000Z',
        '2026-11-20T16:00:00.000Z',
      ]);
    } finally {
      stream.close();
    }
  });

  it('two triggers at once: the skipped one is neither announced nor reported as the latest run', async () => {
    const stream = await openSse(`${base}/api/stream`);
    try {
      await stream.next((m) => m.event === 'hello');
      sim.sim.advanceClock(HOUR);
      // The first run holds the lock while it waits on a slow API; the second comes in meanwhile.
      sim.sim.setFaults({ delayMs: 1_500 });
      const first = trigger({ apikey: SECRET });
      await expect.poll(async () => (await db.sql`select 1 from market.etl_run where status = 'running'`).count).toBe(1);
      // Its start is announced, so dashboards can say a run is in progress.
      const started = JSON.parse((await stream.next((m) => m.event === 'run')).data);
      expect(started).toMatchObject({ status: 'running', finished_at: null });
      const second = await trigger({ apikey: SECRET });
      sim.sim.resetFaults();
      expect(second.status).toBe(409);
      const answer = await first;
      expect(answer.status).toBe(200);
      const real = (await answer.json()) as { etl_run_id: number };
      // The skipped run's row commits first (while the other run works), so it would be announced first.
      const announced = JSON.parse((await stream.next(finishedRun)).data);
      expect(announced).toMatchObject({ etl_run_id: real.etl_run_id, status: 'succeeded' });
      expect(started.etl_run_id).toBe(real.etl_run_id);
      const latest = (await (await fetch(`${base}/api/runs/latest`)).json()) as { run: unknown };
      expect(latest.run).toMatchObject({ etl_run_id: real.etl_run_id, status: 'succeeded' });
      const { skipped } = one(
        await db.sql<{ skipped: number }[]>`select max(etl_run_id) as skipped from market.etl_run where status = 'skipped'`,
      );
      expect(skipped).toBeGreaterThan(real.etl_run_id);
    } finally {
      stream.close();
    }
  });

  it('rejects hostile read API input with a 400 and executes nothing', async () => {
    const bad = await fetch(`${base}/api/series?symbols=${encodeURIComponent("AAPL');drop table market.ssot;--")}`);
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: string };
    expect(body.error).toBe('invalid request');
    expect((await fetch(`${base}/api/series?symbols=AAPL&interval=7h`)).status).toBe(400);
    expect((await fetch(`${base}/api/series?symbols=AAPL&from=yesterday`)).status).toBe(400);
    const { ssot } = one(await db.sql<{ ssot: string | null }[]>`select to_regclass('market.ssot')::text as ssot`);
    expect(ssot).toBe('market.ssot');
  });
});
