import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMigrations, MIGRATIONS_DIR, MigrationError, migrate, readMigrations } from '../server/migrate.ts';
import { createDatabase, one, type TestDatabase } from './helpers/database.ts';
import { cliDatabaseUrl, supabase } from './helpers/supabase-cli.ts';

/**
 * One copy of each migration (supabase/migrations/), applied once, by either tool: `npm run migrate`
 * (server/migrate.ts) and the real Supabase CLI's `db push` record what they applied in the same
 * table, so neither applies anything twice, and an applied migration that was edited is an error.
 */

const recorded = (db: TestDatabase) =>
  db.sql<{ version: string; name: string }[]>`select version, name from supabase_migrations.schema_migrations order by version`;

/** A copy of the migrations directory with one applied file edited. */
async function editedCopy(fileName: string, edit: (sql: string) => string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'market-pulse-migrations-'));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  const file = path.join(dir, fileName);
  await writeFile(file, edit(await readFile(file, 'utf8')));
  return dir;
}

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createDatabase({ migrated: false });
  });
  afterAll(async () => db?.drop());

  it('apply every file once, in version order, and record each where the Supabase CLI does', async () => {
    const files = await readMigrations();
    expect(files.map((f) => f.version)).toEqual([...files.map((f) => f.version)].sort());
    const report = await migrate(db.sql);
    expect(report.applied).toEqual(files.map((f) => f.fileName));
    expect(await recorded(db)).toEqual(files.map((f) => ({ version: f.version, name: f.name })));
  });

  it('apply nothing the second time', async () => {
    const again = await migrate(db.sql);
    expect(again.applied).toEqual([]);
    expect(again.unchanged).toEqual((await readMigrations()).map((f) => f.fileName));
  });

  it('refuse a database whose applied migration was edited since, naming the file, and apply nothing', async () => {
    const [first] = await readMigrations();
    const dir = await editedCopy(first!.fileName, (sql) => `${sql}\ncreate table market.sneaked_in (x int);\n`);
    try {
      await expect(migrate(db.sql, dir)).rejects.toThrow(new RegExp(`edited since: ${first!.fileName}.*append-only`));
      await expect(checkMigrations(db.sql, dir)).rejects.toBeInstanceOf(MigrationError);
      const sneaked = one(await db.sql<{ exists: boolean }[]>`select to_regclass('market.sneaked_in') is not null as exists`);
      expect(sneaked.exists).toBe(false);
      // Whitespace is not an edit: the CLI stores statements re-spaced and without their semicolons.
      const respaced = await editedCopy(first!.fileName, (sql) => `\n${sql.replaceAll('\n', '\n\n')}  `);
      await expect(checkMigrations(db.sql, respaced)).resolves.toMatchObject({ pending: [] });
      await rm(respaced, { recursive: true });
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('refuse a file whose name is not <version>_<name>.sql', async () => {
    const dir = await editedCopy((await readMigrations())[0]!.fileName, (sql) => sql);
    try {
      await writeFile(path.join(dir, '42_short_version.sql'), 'select 1;');
      await expect(readMigrations(dir)).rejects.toThrow(/42_short_version\.sql: a migration is named <14-digit version>/);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('migrations shared with the Supabase CLI', () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => Promise.all(databases.map((db) => db.drop())));
  const fresh = async () => {
    const db = await createDatabase({ migrated: false });
    databases.push(db);
    return db;
  };

  it('npm run migrate, then supabase db push: the CLI finds the database up to date', async () => {
    const db = await fresh();
    await migrate(db.sql);
    const before = await recorded(db);
    const push = await supabase(['db', 'push', '--db-url', cliDatabaseUrl(db.url)]);
    expect(push.code, push.stderr).toBe(0);
    expect(push.stdout + push.stderr).toMatch(/Remote database is up to date/);
    expect(await recorded(db)).toEqual(before);
  });

  it('supabase db push, then npm run migrate: nothing applied twice, and the CLI-split statements count as unchanged', async () => {
    const db = await fresh();
    const push = await supabase(['db', 'push', '--db-url', cliDatabaseUrl(db.url)]);
    expect(push.code, push.stderr).toBe(0);
    const files = await readMigrations();
    expect((await recorded(db)).map((r) => r.version)).toEqual(files.map((f) => f.version));
    // The CLI stored each file as several statements.
    const first = one(
      await db.sql<{ statements: number }[]>`
      select cardinality(statements) as statements from supabase_migrations.schema_migrations where version = ${files[0]!.version}`,
    );
    expect(first.statements).toBeGreaterThan(1);
    const report = await migrate(db.sql);
    expect(report.applied).toEqual([]);
    expect(report.unchanged).toEqual(files.map((f) => f.fileName));

    // And an edit to a migration the CLI applied is refused by the check run before the next push.
    const dir = await editedCopy(files[1]!.fileName, (sql) => sql.replace(/create /, 'create  or replace '));
    try {
      await expect(checkMigrations(db.sql, dir)).rejects.toThrow(files[1]!.fileName);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
