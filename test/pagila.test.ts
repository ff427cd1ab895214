import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, readMigrations } from '../server/migrate.ts';
import { createDatabase, type TestDatabase } from './helpers/database.ts';
import { type CatalogSnapshot, catalogSnapshot, loadPagila, pagilaMissing } from './helpers/pagila.ts';

/**
 * Coexistence: our migrations in a real Pagila database (schema and data from PAGILA_DIR, loaded
 * by psql as the cluster's superuser) change nothing of Pagila's, however often they run.
 *
 * beforeAll loads Pagila, snapshots it and migrates once; every test starts from that state and
 * leaves it as it was (the one that changes Pagila does so in a database of its own), so each
 * passes alone and in any order.
 */

const skip = pagilaMissing();

describe.skipIf(skip !== null)(`next to Pagila${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let db: TestDatabase;
  let pristine: CatalogSnapshot;
  let firstMigration: Awaited<ReturnType<typeof migrate>>;

  beforeAll(async () => {
    db = await createDatabase({ migrated: false });
    await loadPagila(db.url);
    pristine = await catalogSnapshot(db.sql);
    firstMigration = await migrate(db.sql);
  });
  afterAll(async () => db?.drop());

  it('starts from the real Pagila: its tables, views, functions and rows', () => {
    const relations = pristine.relations as { relname: string; relkind: string }[];
    expect(relations.filter((r) => r.relkind === 'p').map((r) => r.relname)).toEqual(['payment']);
    expect(relations.filter((r) => r.relkind === 'v').length).toBe(7);
    expect(relations.filter((r) => r.relkind === 'm').map((r) => r.relname)).toEqual(['rental_by_category']);
    const rows = Object.fromEntries((pristine.rows as { table_name: string; row_count: number }[]).map((r) => [r.table_name, r.row_count]));
    expect(rows).toMatchObject({ 'public.actor': 200, 'public.film': 1000, 'public.rental': 16044, 'public.payment': 16049 });
    expect((pristine.triggers as unknown[]).length).toBe(15);
    expect((pristine.schemas as { nspname: string }[]).map((s) => s.nspname)).toEqual(['public']);
  });

  it('migrating changes nothing outside schema market', async () => {
    expect(firstMigration.applied).toEqual((await readMigrations()).map((f) => f.fileName));
    expect(await catalogSnapshot(db.sql)).toEqual(pristine);
  });

  it('migrating again applies nothing and changes nothing either', async () => {
    expect((await migrate(db.sql)).applied).toEqual([]);
    expect(await catalogSnapshot(db.sql)).toEqual(pristine);
  });

  it('loads and reads market data beside Pagila without touching it', async () => {
    // Pagila owns public.last_day(), public.group_concat() and a type called year; ours must not resolve to them.
    await db.sql`
      insert into market.asset (symbol, asset_type, exchange, currency, exchange_timezone)
      values ('AAPL', 'stock', 'NASDAQ', 'USD', 'America/New_York')`;
    await db.sql`
      insert into market.ssot (symbol, asset_type, interval, ts, open, high, low, close, volume)
      select 'AAPL', 'stock', '1h', ts, 100 + n, 101 + n, 99 + n, 100.5 + n, 1000
        from generate_series(0, 99) as n, lateral (select timestamptz '2026-11-02 14:30Z' + n * interval '1 day' as ts) as t`;
    expect(await db.sql`select ts from market.series(array['AAPL'], '1h', null, null, 10)`).toHaveLength(10);
    expect(await db.sql`select * from market.latest('1h')`).toHaveLength(1);
    expect(await db.sql`select * from market.daily_summary where symbol = 'AAPL'`).toHaveLength(100);
    expect(await db.sql`select * from market.comparison`).toHaveLength(1);
    expect(await catalogSnapshot(db.sql)).toEqual(pristine);
  });

  it('would notice a change to Pagila', async () => {
    const changes = [
      ['sequence value', `select setval('public.actor_actor_id_seq', 5000)`],
      ['column default', `alter table public.film alter column rental_duration set default 4`],
      ['grant', `grant select on public.customer to public`],
      ['row content', `update public.actor set last_name = 'GUINESS' where actor_id = 2`],
      [
        'function body',
        `create or replace function public.last_day(timestamptz) returns date language sql immutable as $$ select null::date $$`,
      ],
      ['comment', `comment on table public.store is 'changed'`],
    ];
    // A Pagila of its own: these changes must not reach the database the other tests compare.
    const scratch = await createDatabase({ migrated: false });
    try {
      await loadPagila(scratch.url);
      let previous = await catalogSnapshot(scratch.sql);
      for (const [what, statement] of changes) {
        await scratch.sql.unsafe(statement!);
        const now = await catalogSnapshot(scratch.sql);
        expect(now, what).not.toEqual(previous);
        previous = now;
      }
    } finally {
      await scratch.drop();
    }
  });
});
