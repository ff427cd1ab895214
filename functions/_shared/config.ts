import { z } from 'zod';
import { DEFAULT_SYMBOLS, INTERVALS, normaliseSymbol, PLAN_DEFAULTS, SYMBOL_PATTERN } from './contract.ts';

/**
 * The environment contract (README, "Configuration"), parsed once at start-up. Both runtimes hand in
 * their raw environment (process.env on Node, Deno.env.toObject() in the Edge Function),
 * so a bad value fails the same way everywhere, naming the variable.
 */

export { DEFAULT_SYMBOLS };

const symbolList = z
  .string()
  .transform((raw) =>
    raw
      .split(',')
      .map(normaliseSymbol)
      .filter((s) => s.length > 0),
  )
  .pipe(
    z
      .array(z.string().regex(SYMBOL_PATTERN, 'each symbol looks like AAPL or BTC/USD'))
      .min(1, 'name at least one symbol')
      .max(500)
      .refine((list) => new Set(list).size === list.length, 'symbols must not repeat'),
  );

const positiveInt = z.coerce.number().int().positive();

const postgresUrl = z.string().refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// or postgresql:// URL');

/** Hourly runs a day: the schedule (pg_cron or the Node timer) runs the ETL every hour, whatever the bar interval. */
export const RUNS_PER_DAY = 24;
/** An hourly run must be done well before the next one: minutes of credit pacing it may take. */
export const PACING_MINUTES_PER_RUN = 50;

const envSchema = z
  .object({
    DATABASE_URL: postgresUrl.optional(),
    TWELVE_DATA_API_KEY: z.string().min(1).default('demo'),
    TWELVE_DATA_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.twelvedata.com'),
    MARKET_SYMBOLS: symbolList.default(DEFAULT_SYMBOLS),
    MARKET_INTERVAL: z.enum(INTERVALS).default('1h'),
    MARKET_SOURCE: z.enum(['twelvedata', 'simulator']).default('twelvedata'),
    TWELVE_DATA_CREDITS_PER_MINUTE: positiveInt.default(PLAN_DEFAULTS.creditsPerMinute),
    TWELVE_DATA_CREDITS_PER_DAY: positiveInt.default(PLAN_DEFAULTS.creditsPerDay),
    /** The length of the API's credit minute, ms; only a simulator with a shortened minute changes it. */
    TWELVE_DATA_MINUTE_MS: z.coerce.number().int().min(1_000).max(60_000).default(60_000),
    ETL_SECRET: z.string().min(16, 'use at least 16 characters').optional(),
    /** One Edge Function invocation's budget (unset: the function's defaults; Node runs have none). */
    ETL_WALL_BUDGET_MS: positiveInt.optional(),
    ETL_CPU_BUDGET_MS: positiveInt.optional(),
    PORT: z.coerce.number().int().min(0).max(65535).default(8787),
    /**
     * `off`: `npm start` runs the ETL at start-up and when triggered, not on the hour (the tests
     * move the simulator's clock themselves, and a run on the hour would land in the middle of one).
     */
    ETL_SCHEDULE: z.enum(['hourly', 'off']).default('hourly'),
    /** Browser origins allowed to call the read API from elsewhere (a dashboard hosted apart). */
    /** `1` serves the built-in simulator's /__sim/* control routes under `npm start --simulate` (tests set it). */
    SIM_CONTROL: z
      .enum(['0', '1'])
      .default('0')
      .transform((value) => value === '1'),
    /**
     * Extra `Host` names the Node server answers to (comma-separated, e.g. a reverse proxy's domain);
     * loopback names always work. Anything else is refused, which defeats DNS rebinding.
     */
    ALLOWED_HOSTS: z
      .string()
      .transform((raw) =>
        raw
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^[a-z0-9.-]{1,253}$|^[0-9a-f:]{2,39}$/, 'a host name or IP address, without port')))
      .default([]),
    CORS_ORIGINS: z
      .string()
      .transform((raw) =>
        raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((url) => new URL(url).origin)))
      .default([]),
  })
  .superRefine((config, ctx) => {
    const problem = capacityProblem(
      config.MARKET_SYMBOLS.length,
      config.TWELVE_DATA_CREDITS_PER_MINUTE,
      config.TWELVE_DATA_CREDITS_PER_DAY,
    );
    if (problem) ctx.addIssue({ code: 'custom', path: ['MARKET_SYMBOLS'], message: problem });
  });

export type Config = z.infer<typeof envSchema>;

/**
 * Why a plan cannot keep `symbols` current every hour, or null when it can. Each run costs one
 * credit per symbol (an incremental request costs the same as a full one), every hour: the day's
 * credits must cover 24 runs, and the minute's credits must get through a run in well under an hour.
 */
export function capacityProblem(symbols: number, creditsPerMinute: number, creditsPerDay: number): string | null {
  const perDay = symbols * RUNS_PER_DAY;
  if (perDay > creditsPerDay) {
    return (
      `${symbols} symbols need ${perDay} credits a day (one per symbol per hourly run), more than TWELVE_DATA_CREDITS_PER_DAY=${creditsPerDay}: ` +
      `keep at most ${Math.floor(creditsPerDay / RUNS_PER_DAY)} symbols, or use a plan with more credits`
    );
  }
  const minutes = Math.ceil(symbols / creditsPerMinute);
  if (minutes > PACING_MINUTES_PER_RUN) {
    return (
      `${symbols} symbols take ${minutes} minutes of credits per hourly run at TWELVE_DATA_CREDITS_PER_MINUTE=${creditsPerMinute}: ` +
      `keep at most ${creditsPerMinute * PACING_MINUTES_PER_RUN} symbols, or use a plan with more credits per minute`
    );
  }
  return null;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Treats empty variables as unset, the way shells and .env files usually mean them. */
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(withoutEmpty(env));
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`);
  throw new ConfigError(`Invalid environment:\n  ${problems.join('\n  ')}`);
}
