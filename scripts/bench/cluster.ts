import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { connect, type Sql } from '../../functions/_shared/db.ts';
import { startEmbeddedPostgres } from '../../server/embedded-postgres.ts';
import { migrate } from '../../server/migrate.ts';

/** The bench's own PostgreSQL: the product's embedded server, in a temporary directory, default settings. */

export interface BenchCluster {
  /** Superuser URL of `database` in this cluster. */
  url(database: string): string;
  /** A new database with the product's migrations applied. */
  createDatabase(name: string): Promise<Sql>;
  /** Drops a database once measured, so autovacuum does not work through it during later measures. */
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchCluster(): Promise<BenchCluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'market-pulse-bench-'));
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), ephemeral: true });
  const url = (database: string) => {
    const parsed = new URL(cluster.superuserUrl);
    parsed.pathname = `/${database}`;
    return parsed.toString();
  };
  const admin = connect(cluster.superuserUrl, { max: 1, applicationName: 'market-pulse-bench' });
  return {
    url,
    async createDatabase(name) {
      await admin.unsafe(`create database ${name}`);
      const sql = connect(url(name), { max: 4, applicationName: 'market-pulse-bench' });
      await migrate(sql);
      return sql;
    },
    async dropDatabase(name) {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
    },
    async stop() {
      await admin.end({ timeout: 5 });
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
