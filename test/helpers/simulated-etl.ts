import type { EtlDeps } from '../../functions/_shared/etl/run.ts';
import type { Interval } from '../../functions/_shared/intervals.ts';
import type { TwelveDataHttp } from '../../functions/_shared/twelvedata/client.ts';
import { type SimulatorOptions, startSimulator } from '../../simulator/index.ts';
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
