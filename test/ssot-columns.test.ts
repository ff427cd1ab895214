import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDICATOR_COLUMNS } from '../functions/_shared/indicators.ts';
import { createDatabase, type TestDatabase } from './helpers/database.ts';

/**
 * market.ssot is the product's public surface: its columns, as PostgreSQL reports them after the
 * migrations, must be exactly the documented ones (README, "The market schema"), no more and no fewer.
 */

const ROOT = path.resolve(import.meta.dirname, '..');

const CONTRACT = [
  'symbol',
  'asset_type',
  'exchange',
  'currency',
  'interval',
  'ts',
  'open',
  'high',
  'low',
  'close',
  'volume',
  ...INDICATOR_COLUMNS,
  'rsi_avg_gain',
  'rsi_avg_loss',
  'etl_run_id',
  'last_update',
];

describe('market.ssot columns', () => {
  let db: TestDatabase;
  let columns: string[];
  beforeAll(async () => {
    db = await createDatabase();
    const rows = await db.sql<{ column_name: string }[]>`
      select column_name from information_schema.columns
       where table_schema = 'market' and table_name = 'ssot' order by ordinal_position`;
    columns = rows.map((row) => row.column_name);
  });
  afterAll(async () => db?.drop());

  it('are exactly the contract: the identifying and price columns, every indicator, the Wilder state and the lineage', () => {
    expect(columns.length).toBeGreaterThan(0);
    expect([...columns].sort()).toEqual([...CONTRACT].sort());
  });

  it('are each documented in the README', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    // Names inside code spans only (`rsi_14`, or the `symbol, asset_type, …` list), never prose words.
    const prose = readme.replace(/```[\s\S]*?```/g, '');
    const named = new Set([...prose.matchAll(/`([^`]+)`/g)].flatMap((span) => span[1]!.split(/[^a-z0-9_]+/)));
    const undocumented = columns.filter((column) => !named.has(column));
    expect(undocumented).toEqual([]);
  });
});
