import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../functions/_shared/config.ts';
import { sslFromUrl } from '../functions/_shared/db.ts';
import { InvocationBudget } from '../functions/_shared/etl/budget.ts';

/** What keeps a run inside an Edge Function's limits, and a configuration inside the plan's credits. */

const symbols = (n: number) => Array.from({ length: n }, (_, i) => `S${String(i).padStart(3, '0')}`).join(',');

describe('the plan must keep every symbol current every hour', () => {
  it('accepts 33 symbols on the free plan (792 credits a day) and refuses 34, naming the limit', () => {
    expect(parseConfig({ MARKET_SYMBOLS: symbols(33) }).MARKET_SYMBOLS).toHaveLength(33);
    expect(() => parseConfig({ MARKET_SYMBOLS: symbols(34) })).toThrow(ConfigError);
    expect(() => parseConfig({ MARKET_SYMBOLS: symbols(34) })).toThrow(/34 symbols need 816 credits a day.*keep at most 33 symbols/);
  });

  it('on a plan without a practical daily limit, the minute bounds it: 50 minutes of pacing per hourly run', () => {
    const paid = { TWELVE_DATA_CREDITS_PER_DAY: '10000000', TWELVE_DATA_CREDITS_PER_MINUTE: '8' };
    expect(parseConfig({ ...paid, MARKET_SYMBOLS: symbols(400) }).MARKET_SYMBOLS).toHaveLength(400);
    expect(() => parseConfig({ ...paid, MARKET_SYMBOLS: symbols(401) })).toThrow(/401 symbols take 51 minutes.*keep at most 400 symbols/);
  });
});

describe('sslmode of SUPABASE_DB_URL / DATABASE_URL', () => {
  it('maps libpq modes to what postgres.js does: none, TLS if offered, TLS unchecked, TLS with the host checked', () => {
    expect(sslFromUrl('postgresql://u:p@h:5432/db?sslmode=disable')).toBe(false);
    expect(sslFromUrl('postgresql://u:p@h:5432/db')).toBe('prefer');
    expect(sslFromUrl('postgresql://u:p@h:5432/db?sslmode=prefer')).toBe('prefer');
    expect(sslFromUrl('postgresql://u:p@h:5432/db?sslmode=require')).toBe('require');
    expect(sslFromUrl('postgresql://u:p@h:5432/db?sslmode=verify-ca')).toBe('verify-full');
    expect(sslFromUrl('postgresql://u:p@h:5432/db?sslmode=verify-full')).toBe('verify-full');
  });
});

describe('an invocation budget', () => {
  it('always lets the first step run, then refuses one that would not fit the wall clock with its wait', async () => {
    const budget = new InvocationBudget({ wallMs: 1_000, cpuMs: Number.POSITIVE_INFINITY });
    expect(budget.refusal(5_000)).toBeNull();
    await budget.measure(async () => {});
    expect(budget.refusal(0)).toBeNull();
    expect(budget.refusal(2_000)).toMatch(/^wall clock: \d+ ms needed of 1000$/);
  });

  it('refuses a step predicted, from the dearest so far, to exceed the CPU budget', async () => {
    const budget = new InvocationBudget({ wallMs: Number.POSITIVE_INFINITY, cpuMs: 5 });
    await budget.measure(async () => {
      const until = performance.now() + 20;
      while (performance.now() < until) Math.sqrt(Math.random());
    });
    expect(budget.refusal(0)).toMatch(/^CPU: \d+ ms needed of 5$/);
    expect(new InvocationBudget({ wallMs: Number.POSITIVE_INFINITY, cpuMs: Number.POSITIVE_INFINITY }).unlimited).toBe(true);
  });
});
