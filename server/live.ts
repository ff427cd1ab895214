import { z } from 'zod';
import type { Sql } from '../functions/_shared/db.ts';
import { latestRun } from '../functions/_shared/etl/runs.ts';
import { loggable } from '../functions/_shared/log-text.ts';

/**
 * Relays the database's announcements (NOTIFY market_bars / market_runs, sent by triggers
 * on commit) to every connected dashboard. One LISTEN connection serves all clients.
 */

/**
 * `database`: whether the database answers ({"reachable": boolean}), sent by the server app from its
 * health check. `resync` ({}): the LISTEN connection was lost and is back, so announcements made
 * meanwhile were missed; clients fetch what is new, as after a reconnect of their own.
 */
export type LiveEvent = { event: 'bars' | 'run' | 'database' | 'resync'; data: string };
type Listener = (event: LiveEvent) => void;

export interface LiveHub {
  subscribe(listener: Listener): () => void;
  clients(): number;
  close(): Promise<void>;
}

/** LISTENs completed within this long of the first after a loss make one `resync`. */
const RESYNC_COALESCE_MS = 250;

const runAnnouncement = z.object({ status: z.string() });

function skippedRun(payload: string): boolean {
  try {
    return runAnnouncement.safeParse(JSON.parse(payload)).data?.status === 'skipped';
  } catch {
    return false;
  }
}

export async function startLiveHub(sql: Sql): Promise<LiveHub> {
  const listeners = new Set<Listener>();
  const broadcast = (event: LiveEvent) => {
    for (const listener of listeners) listener(event);
  };

  // postgres.js calls `onlisten` on every LISTEN, the first and each one after a lost connection.
  // A commit made while the connection was down was announced to no one: say so once it is back
  // (the health check's "reachable" may come sooner, before announcements are heard again). Once:
  // after an outage postgres.js completes a LISTEN per channel and per attempt it queued, dozens
  // within a few milliseconds, and each `resync` makes every dashboard fetch everything again.
  const listened = new Set<string>();
  let resync: ReturnType<typeof setTimeout> | undefined;
  const relisten = (channel: string) => () => {
    if (listened.has(channel) && resync === undefined) {
      resync = setTimeout(() => {
        resync = undefined;
        broadcast({ event: 'resync', data: '{}' });
      }, RESYNC_COALESCE_MS);
    }
    listened.add(channel);
  };

  const bars = await sql.listen('market_bars', (payload) => broadcast({ event: 'bars', data: payload }), relisten('market_bars'));
  const runs = await sql.listen(
    'market_runs',
    (payload) => {
      // A skipped run changed nothing: the run that held the lock is what dashboards should show.
      if (skippedRun(payload)) return;
      // The announcement is small on purpose; clients get the full run record.
      latestRun(sql).then(
        (run) => run && broadcast({ event: 'run', data: JSON.stringify(run) }),
        (error: Error) => console.error(`[live] could not read the finished run (${loggable(payload, 100)}): ${loggable(error.message)}`),
      );
    },
    relisten('market_runs'),
  );

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    clients: () => listeners.size,
    async close() {
      clearTimeout(resync);
      listeners.clear();
      await Promise.all([bars.unlisten(), runs.unlisten()]);
    },
  };
}
