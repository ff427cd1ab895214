import postgres from 'postgres';
import type { Sql } from '../../functions/_shared/db.ts';

/**
 * A one-connection client whose every statement is explained by auto_explain (shipped with
 * PostgreSQL): each plan, with its executor time, reaches the client as a notice and is handed
 * to `onPlan`. For showing plans in the bench's output only; the timed runs go through the
 * product's own connection settings.
 */
export function profilingConnection(url: string, onPlan: (message: string) => void): { sql: Sql } {
  const sql = postgres(url, {
    max: 1,
    types: { bigint: { to: 20, from: [20], serialize: (value: number) => String(value), parse: (value: string) => Number(value) } },
    connection: {
      application_name: 'market-pulse-bench-profile',
      session_preload_libraries: 'auto_explain',
      'auto_explain.log_min_duration': '0',
      client_min_messages: 'log',
    },
    onnotice: (notice) => onPlan(notice.message ?? ''),
  });
  return { sql };
}
