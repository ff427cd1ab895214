import type { Sql } from '../functions/_shared/db.ts';
import { latestRun } from '../functions/_shared/etl/runs.ts';
import { loggable } from '../functions/_shared/log-text.ts';

/**
 * Relays the database's announcements (NOTIFY market_bars / market_runs, sent by triggers
 * on commit) to every connected dashboard. One LISTEN connection serves all clients.
 */

export type LiveEvent = { event: 'bars' | 'run'; data: string };
type Listener = (event: LiveEvent) => void;

export interface LiveHub {
  subscribe(listener: Listener): () => void;
  clients(): number;
  close(): Promise<void>;
}

export async function startLiveHub(sql: Sql): Promise<LiveHub> {
  const listeners = new Set<Listener>();
  const broadcast = (event: LiveEvent) => {
    for (const listener of listeners) listener(event);
  };

  const bars = await sql.listen('market_bars', (payload) => broadcast({ event: 'bars', data: payload }));
  const runs = await sql.listen('market_runs', (payload) => {
    // The announcement is small on purpose; clients get the full run record.
    latestRun(sql).then(
      (run) => run && broadcast({ event: 'run', data: JSON.stringify(run) }),
      (error: Error) => console.error(`[live] could not read the finished run (${loggable(payload, 100)}): ${loggable(error.message)}`),
    );
  });

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    clients: () => listeners.size,
    async close() {
      listeners.clear();
      await Promise.all([bars.unlisten(), runs.unlisten()]);
    },
  };
}
