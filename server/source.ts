import type { Config } from '../functions/_shared/config.ts';
import { startSimulator } from '../simulator/index.ts';
import type { Source } from './etl-runtime.ts';

/** Where the ETL gets prices: the live API, or the built-in simulator in this process. */
export async function openSource(config: Config): Promise<Source & { simulated: boolean; close(): Promise<void> }> {
  if (config.MARKET_SOURCE !== 'simulator') {
    return {
      baseUrl: config.TWELVE_DATA_BASE_URL,
      apiKey: config.TWELVE_DATA_API_KEY,
      now: Date.now,
      simulated: false,
      close: async () => {},
    };
  }
  const simulator = await startSimulator({
    creditsPerMinute: config.TWELVE_DATA_CREDITS_PER_MINUTE,
    creditsPerDay: config.TWELVE_DATA_CREDITS_PER_DAY,
    control: config.SIM_CONTROL,
  });
  // The simulator, like the real API, limits the `demo` key; any other key is a valid one there.
  // Whether a bar has closed is judged by the simulated market's clock, which demos and tests fast-forward.
  return { baseUrl: simulator.url, apiKey: 'simulator-key', now: () => simulator.sim.now(), simulated: true, close: simulator.close };
}
