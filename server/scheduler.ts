import { loggable } from '../functions/_shared/log-text.ts';

/**
 * The server's own hourly timer, at the top of every hour like the Supabase cron job
 * ('0 * * * *'). Runs never overlap here, and the database lock covers other processes.
 */

const HOUR_MS = 3_600_000;

function msUntilNextHour(nowMs: number): number {
  return HOUR_MS - (nowMs % HOUR_MS);
}

export interface Schedule {
  stop(): void;
}

export function scheduleHourly(task: () => Promise<void>, now: () => number = Date.now): Schedule {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const arm = () => {
    if (stopped) return;
    timer = setTimeout(async () => {
      await task().catch((error: Error) => console.error(`[schedule] run failed: ${loggable(error.message)}`));
      arm();
    }, msUntilNextHour(now()));
  };
  arm();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
