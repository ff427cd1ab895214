import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDatabaseUnavailable, type Queryable, type Sql, transaction } from '../functions/_shared/db.ts';

/**
 * Applies supabase/migrations/ the way the Supabase CLI's `db push` does, so one copy of each
 * migration serves both targets: files named <14-digit version>_<name>.sql, applied once each in
 * version order, every applied version recorded in supabase_migrations.schema_migrations (the CLI's
 * own table and columns). A database migrated by either tool is current for the other.
 *
 * Migrations are append-only: a file whose recorded statements differ from the file is an error,
 * here and in `npm run migrate -- --check` (run it before `supabase db push`, which compares only
 * versions). The comparison ignores whitespace and semicolons, because the CLI stores a file split
 * into statements without them while this migrator stores it whole.
 */

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'supabase', 'migrations');

const FILE_NAME = /^(\d{14})_([a-z0-9_]+)\.sql$/;

export interface MigrationFile {
  /** Supabase's version: the file name's leading timestamp. */
  version: string;
  name: string;
  fileName: string;
  sql: string;
}

export interface MigrationReport {
  /** File names applied by this call, in order. */
  applied: string[];
  /** File names already applied, unchanged. */
  unchanged: string[];
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const fileNames = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  return await Promise.all(
    fileNames.map(async (fileName) => {
      const match = FILE_NAME.exec(fileName);
      if (!match) throw new MigrationError(`${fileName}: a migration is named <14-digit version>_<lower_snake_name>.sql`);
      return { version: match[1]!, name: match[2]!, fileName, sql: await readFile(path.join(dir, fileName), 'utf8') };
    }),
  );
}

/** What a migration's text must keep, however a tool split or stored it. */
export function migrationFingerprint(statements: readonly string[]): string {
  return createHash('sha256')
    .update(statements.join('').replace(/[\s;]+/g, ''))
    .digest('hex');
}

interface AppliedMigration {
  version: string;
  statements: string[] | null;
}

async function appliedMigrations(sql: Queryable): Promise<Map<string, AppliedMigration>> {
  const [history] = await sql<{ present: boolean }[]>`
    select to_regclass('supabase_migrations.schema_migrations') is not null as present`;
  if (!history?.present) return new Map();
  const rows = await sql<AppliedMigration[]>`select version, statements from supabase_migrations.schema_migrations`;
  return new Map(rows.map((row) => [row.version, row]));
}

/** The applied migrations whose files no longer say what was applied: each a line for the operator. */
function editedMigrations(files: readonly MigrationFile[], applied: Map<string, AppliedMigration>): string[] {
  return files.flatMap((file) => {
    const recorded = applied.get(file.version);
    if (!recorded?.statements) return [];
    return migrationFingerprint(recorded.statements) === migrationFingerprint([file.sql]) ? [] : [file.fileName];
  });
}

function editedError(edited: readonly string[]): MigrationError {
  return new MigrationError(
    `applied migrations were edited since: ${edited.join(', ')}. Migrations are append-only: ` +
      'restore these files and put the change in a new migration (supabase/migrations/<version>_<name>.sql).',
  );
}

/** Checks that every applied migration's file is unchanged, without applying anything. */
export async function checkMigrations(sql: Sql, dir = MIGRATIONS_DIR): Promise<{ pending: string[]; applied: string[] }> {
  const files = await readMigrations(dir);
  const applied = await appliedMigrations(sql);
  const edited = editedMigrations(files, applied);
  if (edited.length > 0) throw editedError(edited);
  return {
    pending: files.filter((file) => !applied.has(file.version)).map((file) => file.fileName),
    applied: files.filter((file) => applied.has(file.version)).map((file) => file.fileName),
  };
}

export async function migrate(sql: Sql, dir = MIGRATIONS_DIR): Promise<MigrationReport> {
  const files = await readMigrations(dir);
  const report: MigrationReport = { applied: [], unchanged: [] };
  await transaction(sql, async (tx, guard) => {
    // Two processes starting at once (server and a cron'd `etl --once`) take turns.
    await tx`select pg_advisory_xact_lock(hashtext('market-pulse:migrate'))`;
    // The CLI's history table, created as the CLI creates it.
    await tx.unsafe(`
      create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.schema_migrations (version text not null primary key);
      alter table supabase_migrations.schema_migrations add column if not exists statements text[];
      alter table supabase_migrations.schema_migrations add column if not exists name text;`);
    const applied = await appliedMigrations(tx);
    const [prerelease] = await tx<{ legacy: boolean }[]>`select to_regclass('market.schema_migration') is not null as legacy`;
    if (prerelease?.legacy && applied.size === 0) {
      throw new MigrationError(
        'schema market was made by a pre-release Market Pulse (it has market.schema_migration): ' +
          'drop schema market cascade, or delete .data/postgres for the embedded database, and start again',
      );
    }
    const edited = editedMigrations(files, applied);
    if (edited.length > 0) throw editedError(edited);
    for (const file of files) {
      if (applied.has(file.version)) {
        report.unchanged.push(file.fileName);
        continue;
      }
      // Each file in a savepoint of its own, so an error names the file that failed.
      await tx
        .savepoint((step) =>
          guard(async () => {
            await step.unsafe(file.sql);
            await step`
              insert into supabase_migrations.schema_migrations (version, name, statements)
              values (${file.version}, ${file.name}, ${[file.sql]}::text[])`;
          }),
        )
        .catch((error: Error) => {
          // A lost connection stays what it is, so the transaction's guard recognises it.
          if (isDatabaseUnavailable(error)) throw error;
          throw new MigrationError(`${file.fileName} failed: ${error.message}`, { cause: error });
        });
      report.applied.push(file.fileName);
    }
  });
  return report;
}
