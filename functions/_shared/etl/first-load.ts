import type { Queryable } from '../db.ts';

/**
 * The first large load into empty tables (a fresh install's backfill) is done the way
 * PostgreSQL's documentation advises populating a database: the primary keys of market.bar and
 * market.ssot are dropped, the rows copied in, and each key built once from the sorted rows,
 * which costs a fraction of maintaining it row by row (on 2 cores, about half the load's time).
 *
 * Only when both tables are empty (nothing to read, nothing a row could conflict with), the
 * load is large, and the run's role owns both tables. The keys come back, with the definitions
 * and comments the catalog held, before the transaction commits, so nobody ever sees the tables
 * without them; a failed load rolls the drop back with everything else. The ALTERs take an
 * ACCESS EXCLUSIVE lock, so a query of the empty tables waits for the commit instead.
 */

/** Fewer rows than this are not worth the DDL. */
const FIRST_LOAD_MIN_ROWS = 10_000;

interface KeyDefinition {
  drop: string;
  add: string;
  comment: string | null;
}

/** Drops the keys if this is a first large load; returns what puts them back, or null. */
export async function dropKeysForFirstLoad(tx: Queryable, rows: number): Promise<(() => Promise<void>) | null> {
  if (rows < FIRST_LOAD_MIN_ROWS) return null;
  const [state] = await tx<{ eligible: boolean }[]>`
    select not exists (select from market.bar) and not exists (select from market.ssot)
           and pg_has_role(current_user, (select relowner from pg_class where oid = 'market.bar'::regclass), 'USAGE')
           and pg_has_role(current_user, (select relowner from pg_class where oid = 'market.ssot'::regclass), 'USAGE') as eligible`;
  if (state?.eligible !== true) return null;
  const keys = await tx<KeyDefinition[]>`
    select format('alter table market.%I drop constraint %I', t.relname, k.conname) as drop,
           format('alter table market.%I add constraint %I %s', t.relname, k.conname, pg_get_constraintdef(k.oid)) as add,
           (select format('comment on index market.%I is %L', k.conname, d) from obj_description(k.conindid, 'pg_class') as d
             where d is not null) as comment
      from pg_constraint as k
      join pg_class as t on t.oid = k.conrelid
     where t.oid in ('market.bar'::regclass, 'market.ssot'::regclass) and k.contype = 'p'
     order by t.relname`;
  for (const key of keys) await tx.unsafe(key.drop);
  return async () => {
    // Enough memory to sort each key in one pass, and for the parallel workers a build may use.
    await tx`set local maintenance_work_mem = '256MB'`;
    for (const key of keys) {
      await tx.unsafe(key.add);
      if (key.comment !== null) await tx.unsafe(key.comment);
    }
  };
}
