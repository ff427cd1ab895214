import { loggable } from '../functions/_shared/log-text.ts';

/**
 * The server's own hourly timer, at the top of every hour like the Supabase cron job
 * ('0 * * * *'). The next hour is booked before each run starts, so a run that never ends (a
 * connection that hangs, an API that never answers) cannot stop the schedule. A run still going
 * at the next hour does not hold the next one back either: both ask the database's ETL lock, so
 * a run that still holds it makes the new one a recorded 'skipped', and one whose connection
 * died has lost it, so the new run goes ahead.
 */

const HOUR_MS = 3_600_000;
/** A timer that fires a moment early must not book the same hour again. */
const EARLY_SLACK_MS = 1_000;

function msUntilNextHour(nowMs: number): number {
  const wait = HOUR_MS - (nowMs % HOUR_MS);
  return wait < EARLY_SLACK_MS ? wait + HOUR_MS : wait;
}

export interface Schedule {
  stop(): void;
}

export interface ScheduleOptions {
  now?: () => number;
  log?: (message: string) => void;
}

export function scheduleHourly(task: () => Promise<void>, options: ScheduleOptions = {}): Schedule {
  const now = options.now ?? Date.now;
  const log = options.log ?? ((message: string) => console.error(message));
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let running = 0;
  const arm = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      arm();
      if (running > 0) log(`[schedule] ${running} earlier run(s) still going; starting this hour's run anyway (the ETL lock decides)`);
      running += 1;
      task()
        .catch((error: Error) => log(`[schedule] run failed: ${loggable(error.message)}`))
        .finally(() => (running -= 1));
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
