import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { scheduleHourly } from '../server/scheduler.ts';

/** The hourly timer of `npm start` and `npm run etl`, on vitest's fake clock: no test waits an hour. */

const HOUR = 3_600_000;

describe('the hourly schedule', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.parse('2026-11-18T15:05:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts a run at the top of every hour, even while an earlier run never ends', async () => {
    const started: string[] = [];
    const logged: string[] = [];
    // The first run hangs for good (a connection that never answers); the later ones finish.
    const task = () => {
      started.push(new Date().toISOString());
      return started.length === 1 ? new Promise<void>(() => {}) : Promise.resolve();
    };
    const schedule = scheduleHourly(task, { log: (m) => logged.push(m) });
    try {
      await vi.advanceTimersByTimeAsync(3 * HOUR);
      expect(started).toEqual(['2026-11-18T16:00:00.000Z', '2026-11-18T17:00:00.000Z', '2026-11-18T18:00:00.000Z']);
      expect(logged.filter((m) => m.includes('still going'))).toHaveLength(2);
    } finally {
      schedule.stop();
    }
  });

  it('a failed run does not stop it, and stop() does', async () => {
    let runs = 0;
    const logged: string[] = [];
    const schedule = scheduleHourly(
      async () => {
        runs += 1;
        throw new Error('database unreachable');
      },
      { log: (m) => logged.push(m) },
    );
    await vi.advanceTimersByTimeAsync(2 * HOUR);
    expect(runs).toBe(2);
    expect(logged).toContain('[schedule] run failed: database unreachable');
    schedule.stop();
    await vi.advanceTimersByTimeAsync(3 * HOUR);
    expect(runs).toBe(2);
  });
});
