import { z } from 'zod';
import { INTERVALS } from './intervals.ts';

/**
 * The environment contract (README, "Configuration"), parsed once at start-up. Both runtimes hand in
 * their raw environment (process.env on Node, Deno.env.toObject() in the Edge Function),
 * so a bad value fails the same way everywhere, naming the variable.
 */

export const DEFAULT_SYMBOLS = ['AAPL', 'MSFT', 'GOOGL', 'AMZN', 'META', 'BTC/USD', 'ETH/USD', 'SOL/USD'];

const SYMBOL = /^[A-Z0-9.]{1,12}(\/[A-Z0-9]{1,12})?$/;

const symbolList = z
  .string()
  .transform((raw) => raw.split(',').map((s) => s.trim().toUpperCase()).filter((s) => s.length > 0))
  .pipe(
    z.array(z.string().regex(SYMBOL, 'each symbol looks like AAPL or BTC/USD'))
      .min(1, 'name at least one symbol')
      .max(500)
      .refine((list) => new Set(list).size === list.length, 'symbols must not repeat'),
  );

const positiveInt = z.coerce.number().int().positive();

const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// or postgresql:// URL');

const envSchema = z.object({
  DATABASE_URL: postgresUrl.optional(),
  TWELVE_DATA_API_KEY: z.string().min(1).default('demo'),
  TWELVE_DATA_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.twelvedata.com'),
  MARKET_SYMBOLS: symbolList.default(DEFAULT_SYMBOLS),
  MARKET_INTERVAL: z.enum(INTERVALS).default('1h'),
  MARKET_SOURCE: z.enum(['twelvedata', 'simulator']).default('twelvedata'),
  TWELVE_DATA_CREDITS_PER_MINUTE: positiveInt.default(8),
  TWELVE_DATA_CREDITS_PER_DAY: positiveInt.default(800),
  ETL_SECRET: z.string().min(16, 'use at least 16 characters').optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  /** Browser origins allowed to call the read API from elsewhere (a dashboard hosted apart). */
  CORS_ORIGINS: z.string().transform((raw) => raw.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((url) => new URL(url).origin))).default([]),
});

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Treats empty variables as unset, the way shells and .env files usually mean them. */
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(withoutEmpty(env));
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`);
  throw new ConfigError(`Invalid environment:\n  ${problems.join('\n  ')}`);
}
