import { isDatabaseUnavailable, type Sql } from '../functions/_shared/db.ts';

/**
 * Whether the database answers, as the server last saw it. A trivial query every few seconds
 * (every second while the database is away) keeps it current, and a request that failed for want
 * of the database says so at once. While it is away, reads are answered 503 without waiting on a
 * connection attempt, and dashboards are told (the live stream's `database` event), so they stop
 * claiming to be live; once a check succeeds, both learn it is back.
 */

export interface DatabaseHealth {
  reachable(): boolean;
  /** Reports a failed query; one that failed because the database is away marks it unreachable. */
  failed(error: unknown): void;
  /** Called with every change, true when the database answers again. */
  subscribe(listener: (reachable: boolean) => void): () => void;
  stop(): void;
}

export interface HealthOptions {
  /** Between checks while the database answers, ms. */
  everyMs?: number;
  /** Between checks while it does not, ms. */
  whileDownMs?: number;
  /** A check that takes longer counts as a failure, ms. */
  timeoutMs?: number;
  log?: (message: string) => void;
}

export function watchDatabase(sql: Sql, options: HealthOptions = {}): DatabaseHealth {
  const everyMs = options.everyMs ?? 5_000;
  const whileDownMs = options.whileDownMs ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const log = options.log ?? ((message: string) => console.error(message));
  const listeners = new Set<(reachable: boolean) => void>();
  let up = true;
  let stopped = false;
  let checking = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let slowChecks = 0;

  const set = (next: boolean, why: string) => {
    if (next === up) return;
    up = next;
    log(next ? '[database] reachable again' : `[database] unreachable: ${why}`);
    for (const listener of listeners) listener(next);
  };

  const schedule = (ms: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(check, ms);
    timer.unref?.();
  };

  const timedOut = new Error(`no answer within ${timeoutMs} ms, twice in a row`);

  async function check(): Promise<void> {
    if (stopped || checking) return;
    checking = true;
    let deadline: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        sql`select 1`,
        new Promise((_, reject) => {
          deadline = setTimeout(() => reject(timedOut), timeoutMs);
        }),
      ]);
      slowChecks = 0;
      set(true, '');
    } catch (error) {
      // A refused or dropped connection says the database is away; one slow answer only that it is
      // busy (a large load on a small machine), so it takes two in a row.
      if (error === timedOut) slowChecks += 1;
      if (error !== timedOut || slowChecks >= 2) set(false, (error as Error).message);
    } finally {
      clearTimeout(deadline);
      checking = false;
      schedule(up ? everyMs : whileDownMs);
    }
  }

  schedule(everyMs);
  return {
    reachable: () => up,
    failed(error) {
      if (!isDatabaseUnavailable(error)) return;
      set(false, String((error as { code?: unknown }).code));
      schedule(whileDownMs);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      listeners.clear();
    },
  };
}
