import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, readMigrations } from '../server/migrate.ts';
import { createDatabase, type TestDatabase } from './helpers/database.ts';

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createDatabase({ migrated: false });
  });
  afterAll(async () => db?.drop());

  it('creates the market schema with every SSOT column of the contract', async () => {
    const report = await migrate(db.sql);
    expect(report.applied).toEqual((await readMigrations()).map((f) => f.name));
    const columns = await db.sql<{ column_name: string }[]>`
      select column_name from information_schema.columns
       where table_schema = 'market' and table_name = 'ssot' order by ordinal_position`;
    expect(columns.map((c) => c.column_name)).toEqual(expect.arrayContaining([
      'symbol', 'asset_type', 'exchange', 'currency', 'interval', 'ts', 'open', 'high', 'low', 'close',
      'volume', 'change', 'change_pct', 'log_return', 'sma_20', 'sma_50', 'ema_12', 'ema_26', 'rsi_14',
      'macd', 'macd_signal', 'macd_hist', 'bb_upper', 'bb_middle', 'bb_lower', 'volatility_20', 'last_update',
    ]));
  });

  it('skips unchanged files and re-applies every file safely when forced', async () => {
    expect((await migrate(db.sql)).applied).toEqual([]);
    // Forget the checksums: each file must still apply cleanly on top of itself.
    await db.sql`delete from market.schema_migration`;
    const again = await migrate(db.sql);
    expect(again.applied.length).toBe((await readMigrations()).length);
  });

  it('keeps last_update with a trigger of its own', async () => {
    await db.sql`insert into market.etl_run (trigger, last_update) values ('test', '2000-01-01')`;
    await db.sql`update market.etl_run set status = 'succeeded' where trigger = 'test'`;
    const [row] = await db.sql<{ last_update: Date }[]>`select last_update from market.etl_run where trigger = 'test'`;
    expect(row!.last_update.getFullYear()).toBeGreaterThan(2000);
  });
});
