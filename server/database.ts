import path from 'node:path';
import { connect, type Sql } from '../functions/_shared/db.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { migrate, type MigrationReport } from './migrate.ts';

/** DATABASE_URL when given, otherwise the embedded cluster in .data/postgres; migrated either way. */

export const DATA_DIR = path.resolve('.data');

export interface Database {
  sql: Sql;
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

export async function openDatabase(databaseUrl: string | undefined, applicationName: string): Promise<Database> {
  const embedded = databaseUrl ? null : await startEmbeddedPostgres({ dataDir: path.join(DATA_DIR, 'postgres') });
  const url = databaseUrl ?? embedded!.url;
  const sql = connect(url, { applicationName, max: 10 });
  let migration: MigrationReport;
  try {
    migration = await migrate(sql);
  } catch (error) {
    await sql.end();
    await embedded?.stop();
    throw error;
  }
  return {
    sql,
    url,
    migration,
    label: embedded ? `embedded PostgreSQL in ${path.relative(process.cwd(), embedded.dataDir)} (${redactUrl(url)})` : redactUrl(url),
    async close() {
      await sql.end({ timeout: 5 });
      await embedded?.stop();
    },
  };
}
