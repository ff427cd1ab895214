import { isDatabaseUnavailable, type Queryable, type Sql, transaction } from '../db.ts';

/**
 * Reads run in a read-only transaction with a statement timeout of their own, so one slow query
 * (a huge range, a cold cache, a lock) cannot hold a connection for minutes. The ETL's
 * transactions are not affected: the setting is local to the read's transaction. `transaction()`
 * keeps a read whose connection is lost from ending the process (see db.ts).
 */

export const READ_STATEMENT_TIMEOUT_MS = 10_000;

export async function withReadTimeout<T>(sql: Sql, read: (tx: Queryable) => Promise<T>, timeoutMs = READ_STATEMENT_TIMEOUT_MS): Promise<T> {
  const attempt = async () =>
    transaction(
      sql,
      async (tx) => {
        await tx`select set_config('statement_timeout', ${String(timeoutMs)}, true)`;
        return await read(tx);
      },
      { mode: 'read only' },
    );
  try {
    return await attempt();
  } catch (error) {
    // A pool slot whose connection the server dropped (restart, pg_terminate_backend) hands that
    // connection's last error to its next query (postgres.js 3.4.9) although it reconnects: a read
    // changes nothing, so it is tried once more. Still unreachable, the caller hears it (503).
    if (!isDatabaseUnavailable(error)) throw error;
    return await attempt();
  }
}

/** PostgreSQL's code for a statement cancelled by statement_timeout. */
export const QUERY_CANCELED = '57014';
