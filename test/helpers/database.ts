import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { connect, type Sql } from '../../functions/_shared/db.ts';
import { migrate } from '../../server/migrate.ts';

/** A new, migrated database in the test cluster, so test files never see each other's rows. */

export interface TestDatabase {
  url: string;
  sql: Sql;
  drop(): Promise<void>;
}

export function clusterUrl(): string {
  return inject('clusterUrl');
}

export function databaseUrl(name: string): string {
  const url = new URL(clusterUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export async function createDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = connect(clusterUrl(), { max: 1 });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = databaseUrl(name);
  const sql = connect(url, { max: 10 });
  if (options.migrated !== false) await migrate(sql);
  return {
    url,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      const cleanup = connect(clusterUrl(), { max: 1 });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/** The single row a query must return. */
export function one<T>(rows: readonly T[]): T {
  if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}`);
  return rows[0]!;
}
