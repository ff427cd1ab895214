import { parseArgs } from 'node:util';
import { z } from 'zod';
import { PLAN_DEFAULTS } from '../functions/_shared/contract.ts';
import { startSimulator } from '../simulator/index.ts';

/**
 * `npm run sim`: the Twelve Data simulator as a standalone server for offline work and end-to-end
 * tests. Port from `--port N` or SIM_PORT (default 8788). Credit limits follow the plan the ETL is
 * configured for (TWELVE_DATA_CREDITS_PER_MINUTE / _PER_DAY) unless `--credits-per-minute` /
 * `--credits-per-day` say otherwise. Faults and the clock are driven over `/__sim/*`.
 */

const USAGE = 'usage: npm run sim -- [--port N] [--credits-per-minute N] [--credits-per-day N]';

const optionsSchema = z.object({
  port: z.coerce.number({ error: 'port must be a number' }).int().min(0).max(65535).default(8788),
  creditsPerMinute: z.coerce.number().int().positive().default(PLAN_DEFAULTS.creditsPerMinute),
  creditsPerDay: z.coerce.number().int().positive().default(PLAN_DEFAULTS.creditsPerDay),
});

function parseOptions(): z.infer<typeof optionsSchema> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'credits-per-minute': { type: 'string' },
      'credits-per-day': { type: 'string' },
    },
    strict: true,
  });
  const env = (name: string) => (process.env[name] === '' ? undefined : process.env[name]);
  return optionsSchema.parse({
    port: values.port ?? env('SIM_PORT'),
    creditsPerMinute: values['credits-per-minute'] ?? env('TWELVE_DATA_CREDITS_PER_MINUTE'),
    creditsPerDay: values['credits-per-day'] ?? env('TWELVE_DATA_CREDITS_PER_DAY'),
  });
}

async function main(): Promise<void> {
  let options: z.infer<typeof optionsSchema>;
  try {
    options = parseOptions();
  } catch (error) {
    const detail = error instanceof z.ZodError ? z.prettifyError(error) : error instanceof Error ? error.message : String(error);
    console.error(`npm run sim: ${detail}\n${USAGE}`);
    process.exit(2);
  }

  const { url, close } = await startSimulator({ ...options, control: true });
  console.log(
    `Twelve Data simulator on ${url} (${options.creditsPerMinute} credits/min, ${options.creditsPerDay}/day; control at ${url}/__sim/state)`,
  );
  // Any key but `demo` is a full key here, as with the real API.
  console.log(`Try: TWELVE_DATA_BASE_URL=${url} TWELVE_DATA_API_KEY=sim-key npm run etl -- --once`);

  const stop = async (signal: NodeJS.Signals) => {
    await close();
    console.log(`Simulator stopped (${signal}).`);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
