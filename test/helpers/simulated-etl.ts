import { type EtlDeps, type RunSummary, runEtl } from '../../functions/_shared/etl/run.ts';
import type { Interval } from '../../functions/_shared/intervals.ts';
import type { TwelveDataHttp } from '../../functions/_shared/twelvedata/client.ts';
import { createSimulator, type SimulatorOptions, startSimulator } from '../../simulator/index.ts';
import type { TestDatabase } from './database.ts';

/**
 * The ETL wired to a simulator over real HTTP, on one simulated clock: when the ETL waits
 * (credits, backoff), time passes for both instead of the test sleeping.
 */

export interface SimulatedEtl {
  deps: EtlDeps;
  sim: Awaited<ReturnType<typeof startSimulator>>['sim'];
  url: string;
  /** Milliseconds the ETL asked to sleep, in order. */
  sleeps: number[];
  advance(ms: number): void;
  close(): Promise<void>;
}

export interface SimulatedEtlOptions {
  startAt: number;
  symbols: string[];
  interval?: Interval;
  creditsPerMinute?: number;
  simulator?: Omit<SimulatorOptions, 'now'>;
  http?: Partial<TwelveDataHttp>;
}

export async function simulatedEtl(db: TestDatabase, options: SimulatedEtlOptions): Promise<SimulatedEtl> {
  const started = await startSimulator({ ...options.simulator });
  const { sim } = started;
  sim.setClock(options.startAt);
  const sleeps: number[] = [];
  const deps: EtlDeps = {
    sql: db.sql,
    settings: {
      symbols: options.symbols,
      interval: options.interval ?? '1h',
      creditsPerMinute: options.creditsPerMinute ?? 8,
      http: { baseUrl: started.url, apiKey: 'test-key', ...options.http },
    },
    now: () => sim.now(),
    sleep: async (ms) => {
      sleeps.push(ms);
      sim.advanceClock(ms);
    },
  };
  return { deps, sim, url: started.url, sleeps, advance: (ms) => sim.advanceClock(ms), close: started.close };
}

/**
 * One ETL run against the simulator in this process (no sockets, the same HTTP code path), its
 * clock fixed at `nowMs` and credits generous enough that nothing waits: for tests that only need
 * the database filled with exactly what the simulator serves.
 */
export async function loadFromSimulator(db: TestDatabase, symbols: readonly string[], nowMs: number): Promise<RunSummary> {
  const sim = createSimulator({ now: () => nowMs, creditsPerMinute: 100, creditsPerDay: 10_000 });
  return await runEtl(
    {
      sql: db.sql,
      settings: {
        symbols,
        interval: '1h',
        creditsPerMinute: 100,
        http: {
          baseUrl: 'http://simulator.local',
          apiKey: 'test-key',
          fetch: async (url, init) => await sim.app.fetch(new Request(url, init)),
        },
      },
      now: () => nowMs,
    },
    'test',
  );
}
