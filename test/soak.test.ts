import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEtl } from '../functions/_shared/etl/run.ts';
import { seededRandom } from '../scripts/bench/stats.ts';
import type { SimulatorFaults } from '../simulator/index.ts';
import { simulatedBar } from '../simulator/index.ts';
import { createDatabase, one, type TestDatabase } from './helpers/database.ts';
import { type SimulatedEtl, simulatedEtl } from './helpers/simulated-etl.ts';

/**
 * Fourteen simulated days of hourly runs with faults injected at random (seeded, so a
 * failure replays): afterwards the database must hold every bar the API served exactly once,
 * equal a rebuild, and market.etl_run must tell what happened to each run.
 */

const HOUR = 3_600_000;
const DAYS = 14;
const SYMBOLS = ['AAPL', 'MSFT', 'BTC/USD', 'ETH/USD'];
const START = Date.parse('2026-10-26T00:05:00Z');

interface Scenario {
  name: string;
  faults: Partial<SimulatorFaults>;
  /** The run status this fault must produce. */
  expect: 'succeeded' | 'partial' | 'failed';
  timeoutMs?: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'clean', faults: {}, expect: 'succeeded' },
  { name: 'one 502 page', faults: { badGateway: 1 }, expect: 'succeeded' },
  { name: 'two 500s', faults: { serverError: 2 }, expect: 'succeeded' },
  { name: 'API down all run', faults: { serverError: 50 }, expect: 'failed' },
  { name: 'bodies cut off', faults: { truncateBody: true }, expect: 'failed' },
  // The simulator stops waiting when the client hangs up, so the longest delay costs only the timeout.
  { name: 'slow past the timeout', faults: { delayMs: 60_000 }, expect: 'failed', timeoutMs: 100 },
  { name: 'shuffled', faults: { outOfOrder: true }, expect: 'succeeded' },
  { name: 'forming bar', faults: { unfinishedLastBar: true }, expect: 'succeeded' },
  { name: 'hostile values', faults: { hostileValues: 'negative' }, expect: 'succeeded' },
  { name: 'unknown symbol', faults: { unknownSymbols: ['MSFT'] }, expect: 'partial' },
  { name: 'minute credits gone', faults: { exhaustMinute: true }, expect: 'failed' },
  { name: 'day credits gone', faults: { exhaustDay: true }, expect: 'failed' },
];

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heapAfterGc = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

describe(`soak: ${DAYS} days of hourly runs with random faults`, () => {
  let db: TestDatabase;
  let etl: SimulatedEtl;
  const played: { scenario: Scenario; status: string; runId: number }[] = [];
  const heap: number[] = [];

  beforeAll(async () => {
    db = await createDatabase();
    etl = await simulatedEtl(db, { startAt: START, symbols: SYMBOLS });
    const next = seededRandom(20261125);
    const defaultTimeout = etl.deps.settings.http.timeoutMs;
    for (let hour = 0; hour < DAYS * 24; hour++) {
      // Clean runs half the time, faults the other half.
      const scenario = hour === 0 || next() < 0.5 ? SCENARIOS[0]! : SCENARIOS[1 + Math.floor(next() * (SCENARIOS.length - 1))]!;
      etl.sim.resetFaults();
      etl.sim.setFaults(scenario.faults);
      etl.deps.settings.http.timeoutMs = scenario.timeoutMs ?? defaultTimeout;
      const summary = await runEtl(etl.deps, 'schedule');
      played.push({ scenario, status: summary.status, runId: summary.etl_run_id });
      // Time moves to the next top of the hour, whatever the run's retries spent.
      etl.sim.setClock(START + (hour + 1) * HOUR);
      if (hour % 48 === 47) heap.push(heapAfterGc());
    }
    etl.sim.resetFaults();
    etl.deps.settings.http.timeoutMs = defaultTimeout;
  }, 600_000);
  afterAll(async () => {
    await etl?.close();
    await db?.drop();
  });

  it('every run ends as its fault says it must, and market.etl_run records it with a reason', async () => {
    for (const { scenario, status } of played) expect(status, scenario.name).toBe(scenario.expect);
    const rows = await db.sql<{ etl_run_id: number; status: string; error: string | null; finished_at: Date | null }[]>`
      select etl_run_id, status, error, finished_at from market.etl_run order by etl_run_id`;
    expect(rows.map((r) => r.etl_run_id)).toEqual(played.map((p) => p.runId));
    expect(rows.map((r) => r.status)).toEqual(played.map((p) => p.status));
    for (const row of rows) {
      expect(row.finished_at).not.toBeNull();
      expect(row.error === null, `run ${row.etl_run_id} ${row.status}`).toBe(row.status === 'succeeded');
    }
    // Every kind of fault was exercised.
    expect(new Set(played.map((p) => p.scenario.name)).size).toBe(SCENARIOS.length);
  });

  it('stores every bar the API served, exactly once, with the values it served', async () => {
    const served = etl.sim.barsServed();
    for (const symbol of SYMBOLS) {
      const stored = await db.sql<{ ts: Date; open: number; high: number; low: number; close: number; volume: number | null }[]>`
        select ts, open, high, low, close, volume from market.ssot where symbol = ${symbol} and interval = '1h' order by ts`;
      const storedTimes = stored.map((row) => row.ts.getTime());
      expect(new Set(storedTimes).size).toBe(storedTimes.length);
      expect(storedTimes).toEqual([...(served.get(`${symbol}|1h`) ?? [])].sort((a, b) => a - b));
      for (const row of stored.filter((_, i) => i % 97 === 0)) {
        const bar = simulatedBar(symbol, '1h', row.ts.getTime())!;
        expect([row.open, row.high, row.low, row.close, row.volume]).toEqual([bar.open, bar.high, bar.low, bar.close, bar.volume]);
      }
    }
    // The database caught up to the bar that had closed at the last run that got through.
    const lastGood = played.map((p) => p.status).lastIndexOf('succeeded');
    const closedThen = Math.floor((START + lastGood * HOUR) / HOUR) * HOUR - HOUR;
    const { newest } = one(await db.sql<{ newest: Date }[]>`select max(ts) as newest from market.ssot where symbol = 'BTC/USD'`);
    expect(newest.getTime()).toBeGreaterThanOrEqual(closedThen);
  });

  it('equals a full rebuild, bit for bit', async () => {
    const before = await db.sql`select * from market.ssot order by symbol, interval, ts`;
    const rebuilt = await runEtl(etl.deps, 'cli', 'rebuild');
    expect(rebuilt.status).toBe('succeeded');
    expect(rebuilt.ssot_rows_written).toBe(0);
    const after = await db.sql`select * from market.ssot order by symbol, interval, ts`;
    expect(after).toEqual(before);
  });

  it('does not grow its memory over the fortnight', () => {
    // Heap after a full GC, every two simulated days; the last may not exceed the second by much.
    expect(heap.length).toBe(DAYS / 2);
    const growth = heap[heap.length - 1]! - heap[1]!;
    expect(growth, `heap samples ${heap.map((h) => Math.round(h / 1e6)).join(', ')} MB`).toBeLessThan(15_000_000);
  });
});
