import { expect } from 'vitest';
import { utcFromWallClock, wallClockAt } from '../../functions/_shared/time.ts';
import type { RunningProduct } from './product.ts';

const NY = 'America/New_York';

/** The next Monday 10:45 in New York after `ms`. */
export function nextMondayMorning(ms: number): number {
  for (let day = 0; day <= 8; day++) {
    const c = wallClockAt(ms + day * 86_400_000, NY);
    const at = utcFromWallClock({ ...c, hour: 10, minute: 45, second: 0 }, NY);
    if (new Date(Date.UTC(c.year, c.month - 1, c.day)).getUTCDay() === 1 && at > ms) return at;
  }
  throw new Error('no Monday within 8 days');
}

/**
 * Moves a running product's simulated market to the next Monday 10:45 New York, after its start-up
 * run has settled, and loads what the market traded meanwhile. Returns that Monday (epoch ms).
 */
export async function moveToMondayMorning(product: RunningProduct): Promise<number> {
  const first = await product.settledRun();
  const state = (await (await fetch(`${product.simulatorUrl()}/__sim/state`)).json().catch(() => null)) as { nowMs?: number } | null;
  const monday = nextMondayMorning(state?.nowMs ?? Date.now());
  const res = await fetch(`${product.simulatorUrl()}/__sim/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nowMs: monday }),
  });
  expect(res.ok).toBe(true);
  await product.runEtl();
  expect((await product.settledRun(first.etl_run_id + 1)).status).toBe('succeeded');
  return monday;
}
