import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Sql } from '../../functions/_shared/db.ts';

/**
 * The real Pagila sample database, loaded with psql the way its README says, and a snapshot of
 * everything in the catalog outside schema `market`, to prove our migrations leave it alone.
 */

const run = promisify(execFile);

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
/**
 * Where pagila-schema.sql and pagila-data.sql are: PAGILA_DIR, or by default a `shared/pagila`
 * beside the repository (a relative PAGILA_DIR is read from the repository's root).
 */
export const PAGILA_DIR = path.resolve(REPO_ROOT, process.env.PAGILA_DIR ?? path.join('..', 'shared', 'pagila'));
const PAGILA_FILES = ['pagila-schema.sql', 'pagila-data.sql'];

/** Why the Pagila tests cannot run here, or null when they can. In CI they must: a missing Pagila fails there. */
export function pagilaMissing(): string | null {
  const missing = PAGILA_FILES.filter((file) => !existsSync(path.join(PAGILA_DIR, file)));
  if (missing.length === 0) return null;
  const reason =
    `Pagila not found: ${missing.join(' and ')} missing in ${PAGILA_DIR}. Get them from the Pagila project ` +
    '(https://github.com/devrimgunduz/pagila, tag pagila-v3.1.0) and set PAGILA_DIR to their directory';
  if (process.env.CI) throw new Error(`${reason} (required in CI)`);
  return reason;
}

/** Loads pagila-schema.sql then pagila-data.sql (psql dumps with COPY ... FROM stdin) as a superuser. */
export async function loadPagila(databaseUrl: string): Promise<void> {
  const psql = process.env.PSQL ?? 'psql';
  const files = PAGILA_FILES.flatMap((file) => ['-f', path.join(PAGILA_DIR, file)]);
  try {
    await run(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-d', databaseUrl, ...files], {
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new Error(
      `loading Pagila with ${psql} failed (psql comes with Debian's postgresql-client; set PSQL to another path): ${stderr || message}`,
    );
  }
}

// System schemas, ours, the migration history (kept where the Supabase CLI keeps it, in a schema of
// its own), and the per-session temporary ones.
const OUTSIDE_MARKET = `
  n.nspname not in ('market', 'supabase_migrations') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
  and n.nspname not like 'pg\\_temp\\_%' and n.nspname not like 'pg\\_toast\\_temp\\_%'`;

/** Each part of the snapshot: one query, rows in a fixed order. */
const CATALOG_QUERIES: Record<string, string> = {
  database: `
    select d.datname, pg_catalog.pg_get_userbyid(d.datdba) as owner, d.datacl::text as acl
      from pg_catalog.pg_database as d where d.datname = current_database()`,
  schemas: `
    select n.oid, n.nspname, pg_catalog.pg_get_userbyid(n.nspowner) as owner, n.nspacl::text as acl,
           pg_catalog.obj_description(n.oid, 'pg_namespace') as comment
      from pg_catalog.pg_namespace as n where ${OUTSIDE_MARKET} order by n.nspname`,
  relations: `
    select c.oid, n.nspname, c.relname, c.relkind, pg_catalog.pg_get_userbyid(c.relowner) as owner,
           c.relacl::text as acl, c.reloptions::text as options, c.relpersistence, c.relispopulated,
           c.relrowsecurity, c.relforcerowsecurity, c.relreplident, c.relispartition,
           pg_catalog.pg_get_expr(c.relpartbound, c.oid) as partition_bound,
           case when c.relkind = 'p' then pg_catalog.pg_get_partkeydef(c.oid) end as partition_key,
           pg_catalog.obj_description(c.oid, 'pg_class') as comment
      from pg_catalog.pg_class as c join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
     where ${OUTSIDE_MARKET} order by n.nspname, c.relname`,
  columns: `
    select n.nspname, c.relname, a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) as type,
           a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid) as default, a.attidentity, a.attgenerated,
           a.attisdropped, co.collname, a.attacl::text as acl, pg_catalog.col_description(c.oid, a.attnum) as comment
      from pg_catalog.pg_attribute as a
      join pg_catalog.pg_class as c on c.oid = a.attrelid
      join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
      left join pg_catalog.pg_attrdef as d on d.adrelid = a.attrelid and d.adnum = a.attnum
      left join pg_catalog.pg_collation as co on co.oid = a.attcollation
     where ${OUTSIDE_MARKET} and a.attnum > 0 order by n.nspname, c.relname, a.attnum`,
  constraints: `
    select n.nspname, co.conname, co.conrelid::regclass::text as on_table, co.contypid::regtype::text as on_type,
           co.contype, pg_catalog.pg_get_constraintdef(co.oid) as definition, co.convalidated,
           co.condeferrable, co.condeferred
      from pg_catalog.pg_constraint as co join pg_catalog.pg_namespace as n on n.oid = co.connamespace
     where ${OUTSIDE_MARKET} order by n.nspname, on_table, on_type, co.conname`,
  indexes: `
    select n.nspname, c.relname, pg_catalog.pg_get_indexdef(i.indexrelid) as definition,
           i.indisvalid, i.indisready, i.indisclustered, i.indisreplident
      from pg_catalog.pg_index as i
      join pg_catalog.pg_class as c on c.oid = i.indexrelid
      join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
     where ${OUTSIDE_MARKET} order by n.nspname, c.relname`,
  views: `
    select n.nspname, c.relname, c.relkind, pg_catalog.pg_get_viewdef(c.oid, true) as definition
      from pg_catalog.pg_class as c join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
     where ${OUTSIDE_MARKET} and c.relkind in ('v', 'm') order by n.nspname, c.relname`,
  functions: `
    select p.oid, n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) as arguments,
           pg_catalog.pg_get_function_result(p.oid) as result, p.prokind, l.lanname, p.prosrc,
           case when p.prokind <> 'a' then pg_catalog.pg_get_functiondef(p.oid) end as definition,
           p.provolatile, p.prosecdef, p.proconfig::text as config, pg_catalog.pg_get_userbyid(p.proowner) as owner,
           p.proacl::text as acl, pg_catalog.obj_description(p.oid, 'pg_proc') as comment,
           ag.aggtransfn::text as aggregate_transition, ag.aggfinalfn::text as aggregate_final, ag.agginitval
      from pg_catalog.pg_proc as p
      join pg_catalog.pg_namespace as n on n.oid = p.pronamespace
      join pg_catalog.pg_language as l on l.oid = p.prolang
      left join pg_catalog.pg_aggregate as ag on ag.aggfnoid = p.oid
     where ${OUTSIDE_MARKET} order by n.nspname, p.proname, arguments`,
  triggers: `
    select n.nspname, c.relname, t.tgname, pg_catalog.pg_get_triggerdef(t.oid) as definition, t.tgenabled
      from pg_catalog.pg_trigger as t
      join pg_catalog.pg_class as c on c.oid = t.tgrelid
      join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
     where ${OUTSIDE_MARKET} and not t.tgisinternal order by n.nspname, c.relname, t.tgname`,
  sequences: `
    select s.schemaname, s.sequencename, s.sequenceowner, s.data_type::text, s.start_value, s.min_value,
           s.max_value, s.increment_by, s.cycle, s.cache_size, s.last_value
      from pg_catalog.pg_sequences as s join pg_catalog.pg_namespace as n on n.nspname = s.schemaname
     where ${OUTSIDE_MARKET} order by s.schemaname, s.sequencename`,
  types: `
    select t.oid, n.nspname, t.typname, t.typtype, pg_catalog.pg_get_userbyid(t.typowner) as owner, t.typacl::text as acl,
           pg_catalog.format_type(t.typbasetype, t.typtypmod) as base_type, t.typnotnull, t.typdefault,
           (select string_agg(e.enumlabel, ',' order by e.enumsortorder) from pg_catalog.pg_enum as e where e.enumtypid = t.oid) as labels,
           pg_catalog.obj_description(t.oid, 'pg_type') as comment
      from pg_catalog.pg_type as t join pg_catalog.pg_namespace as n on n.oid = t.typnamespace
     where ${OUTSIDE_MARKET} order by n.nspname, t.typname`,
  policies: `
    select n.nspname, c.relname, p.polname, p.polcmd, p.polpermissive, p.polroles::text as roles,
           pg_catalog.pg_get_expr(p.polqual, p.polrelid) as using, pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) as check
      from pg_catalog.pg_policy as p
      join pg_catalog.pg_class as c on c.oid = p.polrelid
      join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
     where ${OUTSIDE_MARKET} order by n.nspname, c.relname, p.polname`,
  rules: `
    select r.schemaname, r.tablename, r.rulename, r.definition
      from pg_catalog.pg_rules as r join pg_catalog.pg_namespace as n on n.nspname = r.schemaname
     where ${OUTSIDE_MARKET} order by r.schemaname, r.tablename, r.rulename`,
  default_privileges: `
    select pg_catalog.pg_get_userbyid(d.defaclrole) as role, n.nspname, d.defaclobjtype, d.defaclacl::text as acl
      from pg_catalog.pg_default_acl as d left join pg_catalog.pg_namespace as n on n.oid = d.defaclnamespace
     where d.defaclnamespace = 0 or (${OUTSIDE_MARKET}) order by role, n.nspname, d.defaclobjtype`,
  extensions: `
    select e.extname, e.extversion, n.nspname, pg_catalog.pg_get_userbyid(e.extowner) as owner
      from pg_catalog.pg_extension as e join pg_catalog.pg_namespace as n on n.oid = e.extnamespace order by e.extname`,
  publications: `
    select p.pubname, p.schemaname, p.tablename
      from pg_catalog.pg_publication_tables as p where p.schemaname <> 'market' order by 1, 2, 3`,
  operators_and_collations: `
    select 'operator' as kind, n.nspname, o.oprname || '(' || o.oprleft::regtype::text || ',' || o.oprright::regtype::text || ')' as name
      from pg_catalog.pg_operator as o join pg_catalog.pg_namespace as n on n.oid = o.oprnamespace where ${OUTSIDE_MARKET}
    union all
    select 'collation', n.nspname, c.collname
      from pg_catalog.pg_collation as c join pg_catalog.pg_namespace as n on n.oid = c.collnamespace where ${OUTSIDE_MARKET}
    order by 1, 2, 3`,
};

export type CatalogSnapshot = Record<string, unknown[]>;

/** Everything outside schema `market`: definitions, owners and ACLs, sequence values, and every table's rows. */
export async function catalogSnapshot(sql: Sql): Promise<CatalogSnapshot> {
  const snapshot: CatalogSnapshot = {};
  for (const [part, query] of Object.entries(CATALOG_QUERIES)) snapshot[part] = await sql.unsafe(query);
  const tables = await sql<{ name: string }[]>`
    select format('%I.%I', n.nspname, c.relname) as name
      from pg_catalog.pg_class as c join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
     where ${sql.unsafe(OUTSIDE_MARKET)} and (c.relkind in ('r', 'p') or (c.relkind = 'm' and c.relispopulated))
     order by 1`;
  // Row counts, and a digest of the rows themselves, so an UPDATE that keeps the count shows too.
  snapshot.rows = [];
  for (const { name } of tables) {
    const [row] = await sql.unsafe(`
      select '${name}' as table_name, count(*) as row_count,
             md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) as digest
        from ${name} as t`);
    snapshot.rows.push(row);
  }
  return snapshot;
}
