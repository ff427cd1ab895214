import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type MigrationFile, readMigrations } from '../server/migrate.ts';

/**
 * `npm run supabase:migrations`: writes supabase/migrations/ from sql/, the one source of DDL.
 * Each sql/NNN_name.sql becomes <version>_name.sql, the version derived from NNN alone (2026-01-01
 * plus NNN minutes), so it never changes between runs or machines and sorts in the same order.
 */

export const SUPABASE_MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'supabase', 'migrations');

const EPOCH_MS = Date.UTC(2026, 0, 1);
const GENERATED = /^-- Generated from sql\//;

export interface SupabaseMigration {
  fileName: string;
  content: string;
}

/** NNN -> the 14-digit YYYYMMDDHHMMSS version Supabase orders migrations by. */
export function supabaseVersion(fileNumber: number): string {
  if (!Number.isInteger(fileNumber) || fileNumber < 0 || fileNumber > 999) throw new Error(`file number out of range: ${fileNumber}`);
  return new Date(EPOCH_MS + fileNumber * 60_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export function toSupabaseMigration(file: MigrationFile): SupabaseMigration {
  const [, number, name] = /^(\d{3})_(.+)\.sql$/.exec(file.name) ?? [];
  if (!number || !name) throw new Error(`not a migration file name: ${file.name}`);
  return {
    fileName: `${supabaseVersion(Number(number))}_${name}.sql`,
    content: `-- Generated from sql/${file.name} by \`npm run supabase:migrations\`: edit that file, not this one.\n\n${file.sql}`,
  };
}

export async function renderSupabaseMigrations(sqlDir?: string): Promise<SupabaseMigration[]> {
  return (await readMigrations(sqlDir)).map(toSupabaseMigration);
}

/** The migrations committed in supabase/migrations/, to compare with what sql/ renders. */
export async function readSupabaseMigrations(dir = SUPABASE_MIGRATIONS_DIR): Promise<SupabaseMigration[]> {
  const names = (await readdir(dir).catch(() => [])).filter((name) => name.endsWith('.sql')).sort();
  return await Promise.all(names.map(async (fileName) => ({ fileName, content: await readFile(path.join(dir, fileName), 'utf8') })));
}

async function main(): Promise<void> {
  const wanted = await renderSupabaseMigrations();
  await mkdir(SUPABASE_MIGRATIONS_DIR, { recursive: true });
  const keep = new Set(wanted.map((m) => m.fileName));
  // Only files this script wrote are ever removed; anything else is left for the drift test to flag.
  for (const existing of await readSupabaseMigrations()) {
    if (!keep.has(existing.fileName) && GENERATED.test(existing.content)) await rm(path.join(SUPABASE_MIGRATIONS_DIR, existing.fileName));
  }
  for (const migration of wanted) await writeFile(path.join(SUPABASE_MIGRATIONS_DIR, migration.fileName), migration.content);
  console.log(`supabase/migrations: ${wanted.length} migrations from sql/ (${wanted.map((m) => m.fileName).join(', ')})`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: Error) => {
    console.error(`supabase:migrations failed: ${error.message}`);
    process.exit(1);
  });
}
