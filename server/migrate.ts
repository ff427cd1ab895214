import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from '../functions/_shared/db.ts';

/**
 * Applies sql/*.sql in name order. Every file is idempotent DDL (safe on a fresh database,
 * a Pagila database or ours); a checksum table only skips files already applied as they are.
 */

export const SQL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'sql');

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = SQL_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((name) => /^\d{3}_[a-z0-9_]+\.sql$/.test(name)).sort();
  return await Promise.all(names.map(async (name) => {
    const sql = await readFile(path.join(dir, name), 'utf8');
    return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  }));
}

export interface MigrationReport {
  applied: string[];
  unchanged: string[];
}

export async function migrate(sql: Sql, dir = SQL_DIR): Promise<MigrationReport> {
  const files = await readMigrations(dir);
  const report: MigrationReport = { applied: [], unchanged: [] };
  await sql.begin(async (tx) => {
    // Two processes starting at once (server and a cron'd `etl --once`) take turns.
    await tx`select pg_advisory_xact_lock(hashtext('market-pulse:migrate'))`;
    await tx.unsafe(`
      create schema if not exists market;
      create table if not exists market.schema_migration (
        file_name text primary key,
        checksum text not null,
        applied_at timestamptz not null default now()
      );`);
    const done = new Map((await tx<{ file_name: string; checksum: string }[]>`
      select file_name, checksum from market.schema_migration`).map((row) => [row.file_name, row.checksum]));
    for (const file of files) {
      if (done.get(file.name) === file.checksum) {
        report.unchanged.push(file.name);
        continue;
      }
      await tx.unsafe(file.sql);
      await tx`
        insert into market.schema_migration (file_name, checksum) values (${file.name}, ${file.checksum})
        on conflict (file_name) do update set checksum = excluded.checksum, applied_at = now()`;
      report.applied.push(file.name);
    }
  });
  return report;
}
