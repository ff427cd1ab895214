import path from 'node:path';
import { connect, type Sql } from '../functions/_shared/db.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { type MigrationReport, migrate } from './migrate.ts';

/** DATABASE_URL when given, otherwise the embedded cluster in .data/postgres; migrated either way. */

export const DATA_DIR = path.resolve('.data');

export interface Database {
  /** The ETL's pool (also migrations and LISTEN). */
  sql: Sql;
  /** The read API's pool: its own connections, so a long ETL never queues a dashboard behind it, and a statement timeout. */
  readSql: Sql;
  url: string;
  /** What to tell the operator: never the password. */
  label: string;
  migration: MigrationReport;
  close(): Promise<void>;
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable database URL)';
  }
}

/**
 * The read pool's backstop for any statement on it. Each read of the API has a shorter limit of its
 * own (READ_STATEMENT_TIMEOUT_MS in functions/_shared/http/read-timeout.ts, 10 s), set in its
 * read-only transaction; this one catches whatever else runs on the pool.
 */
export const READ_POOL_STATEMENT_TIMEOUT_MS = 15_000;
/** Generous for the largest load or rebuild, yet a statement stuck on a lock cannot hold a run for good. */
export const ETL_STATEMENT_TIMEOUT_MS = 15 * 60_000;

export async function openDatabase(databaseUrl: string | undefined, applicationName: string): Promise<Database> {
  const embedded = databaseUrl ? null : await startEmbeddedPostgres({ dataDir: path.join(DATA_DIR, 'postgres') });
  const url = databaseUrl ?? embedded!.url;
  const sql = connect(url, { applicationName, max: 10, statementTimeoutMs: ETL_STATEMENT_TIMEOUT_MS });
  let migration: MigrationReport;
  try {
    migration = await migrate(sql);
  } catch (error) {
    await sql.end();
    await embedded?.stop();
    throw error;
  }
  // A short connect timeout: a read waits for a database that does not answer at most this long.
  const readSql = connect(url, {
    applicationName: `${applicationName}-read`,
    max: 10,
    statementTimeoutMs: READ_POOL_STATEMENT_TIMEOUT_MS,
    connectTimeoutS: 3,
  });
  return {
    sql,
    readSql,
    url,
    migration,
    label: embedded ? `embedded PostgreSQL in ${path.relative(process.cwd(), embedded.dataDir)} (${redactUrl(url)})` : redactUrl(url),
    async close() {
      await Promise.all([sql.end({ timeout: 5 }), readSql.end({ timeout: 5 })]);
      await embedded?.stop();
    },
  };
}
