import type { Queryable } from '../db.ts';
import type { Interval } from '../intervals.ts';

/**
 * The first large load into empty tables (a fresh install's backfill) is done the way
 * PostgreSQL's documentation advises populating a database: the primary keys of market.bar and
 * market.ssot are dropped, the rows copied in, and each key built once from the sorted rows,
 * which costs a fraction of maintaining it row by row (on 2 cores, about half the load's time).
 * Triggers that keep a transition table (the live announcement, migration 20260101000200_live_notify) are paused as well:
 * they would hold a copy of every row only to find which symbols got bars up to when, which the
 * loader knows; it announces that once, at the end, through the same function.
 *
 * Only when both tables are empty (nothing to read, nothing a row could conflict with), the
 * load is large, the run's role owns both tables and no other object depends on their keys. Keys and triggers come back, as the
 * catalog held them, before the transaction commits, so nobody ever sees the tables without
 * them; a failed load rolls everything back with it. The ALTERs take an ACCESS EXCLUSIVE lock,
 * so a query of the empty tables waits for the commit instead.
 */

/** Fewer rows than this are not worth the DDL. */
const FIRST_LOAD_MIN_ROWS = 10_000;

export interface LoadedBars {
  interval: Interval;
  symbols: readonly string[];
  /** The newest bar written, epoch ms; null when none was. */
  newestTs: number | null;
}

export interface FirstLoad {
  /** Puts the keys and triggers back, then announces what was loaded. */
  finish(loaded: LoadedBars): Promise<void>;
}

interface Statements {
  undo: string;
  redo: string;
  comment: string | null;
}

/** Drops the keys and pauses the row-copying triggers if this is a first large load; null if it is not. */
export async function beginFirstLoad(tx: Queryable, rows: number): Promise<FirstLoad | null> {
  if (rows < FIRST_LOAD_MIN_ROWS) return null;
  // Also only while nothing depends on the keys (a view grouping by the key, say): the drop
  // would fail, and with it the run.
  const [state] = await tx<{ eligible: boolean }[]>`
    select not exists (select from market.bar) and not exists (select from market.ssot)
           and pg_has_role(current_user, (select relowner from pg_class where oid = 'market.bar'::regclass), 'USAGE')
           and pg_has_role(current_user, (select relowner from pg_class where oid = 'market.ssot'::regclass), 'USAGE')
           and not exists (
             select from pg_depend as d join pg_constraint as k on k.oid = d.refobjid and d.refclassid = 'pg_constraint'::regclass
              where k.conrelid in ('market.bar'::regclass, 'market.ssot'::regclass) and k.contype = 'p' and d.deptype = 'n') as eligible`;
  if (state?.eligible !== true) return null;
  const keys = await tx<Statements[]>`
    select format('alter table market.%I drop constraint %I', t.relname, k.conname) as undo,
           format('alter table market.%I add constraint %I %s', t.relname, k.conname, pg_get_constraintdef(k.oid)) as redo,
           (select format('comment on index market.%I is %L', k.conname, d) from obj_description(k.conindid, 'pg_class') as d
             where d is not null) as comment
      from pg_constraint as k
      join pg_class as t on t.oid = k.conrelid
     where t.oid in ('market.bar'::regclass, 'market.ssot'::regclass) and k.contype = 'p'
     order by t.relname`;
  // Enabled triggers that capture the rows a statement wrote (REFERENCING NEW TABLE).
  const triggers = await tx<Statements[]>`
    select format('alter table market.%I disable trigger %I', t.relname, g.tgname) as undo,
           format('alter table market.%I enable trigger %I', t.relname, g.tgname) as redo,
           null as comment
      from pg_trigger as g
      join pg_class as t on t.oid = g.tgrelid
     where t.oid in ('market.bar'::regclass, 'market.ssot'::regclass)
       and not g.tgisinternal and g.tgenabled = 'O' and g.tgnewtable is not null
     order by t.relname, g.tgname`;
  for (const statement of [...keys, ...triggers]) await tx.unsafe(statement.undo);
  return {
    async finish(loaded) {
      // Enough memory to sort each key in one pass, and for the parallel workers a build may use.
      await tx`set local maintenance_work_mem = '256MB'`;
      for (const statement of [...keys, ...triggers]) {
        await tx.unsafe(statement.redo);
        if (statement.comment !== null) await tx.unsafe(statement.comment);
      }
      if (triggers.length > 0 && loaded.newestTs !== null) {
        await tx`select market.announce_new_bars(${loaded.interval}, ${loaded.symbols as string[]}::text[], ${new Date(loaded.newestTs).toISOString()})`;
      }
    },
  };
}
