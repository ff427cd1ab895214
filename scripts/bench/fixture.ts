import type { Sql } from '../../functions/_shared/db.ts';

/**
 * The 10-million-bar table for the read bench, generated in the database with set-based SQL.
 * Prices are smooth synthetic curves and the indicator columns are filled with plausible
 * values; only their presence (row width) matters to the reads. Rows are written hour by
 * hour across all symbols, the order in which hourly ETL runs lay them down, so one symbol's
 * year is spread over thousands of heap pages as it would be in production.
 */

export const FIXTURE_SYMBOLS = 100;
export const FIXTURE_HOURS = 100_000;
export const FIXTURE_START = Date.parse('2015-01-01T00:00:00Z');

const FIXTURE_ASSETS = `
  insert into market.asset (symbol, asset_type, exchange, currency, exchange_timezone)
  select format('F%s/USD', lpad(k::text, 3, '0')), 'crypto', 'Bench', 'USD', 'UTC'
    from generate_series(0, ${FIXTURE_SYMBOLS - 1}) as k`;

/** One price curve for every symbol, scaled per symbol: the trigonometry runs 100,000 times, not 10 million. */
const FIXTURE_CURVE = `
  create temporary table curve on commit drop as
  select i, timestamptz '${new Date(FIXTURE_START).toISOString()}' + make_interval(hours => i) as ts,
         exp(0.3 * sin((i - 1) / 2000.0) + 0.05 * sin((i - 1) / 37.0)) as open,
         exp(0.3 * sin(i / 2000.0) + 0.05 * sin(i / 37.0)) as close,
         1.001 + 0.002 * sin(i * 0.37) as up,
         0.999 - 0.002 * cos(i * 0.53) as down,
         50 + 30 * sin(i / 40.0) as rsi,
         0.01 + 0.005 * sin(i / 300.0) as volatility
    from generate_series(0, ${FIXTURE_HOURS - 1}) as i`;

// The lateral subquery reads the hour (c.i) and offset 0 keeps it from being flattened into a
// join the planner could reorder: so the hours are the outer loop, and rows come out hour by hour
// without a sort.
const fixtureSsot = (fromHour: number, toHour: number) => `
  insert into market.ssot (symbol, asset_type, exchange, currency, interval, ts, open, high, low, close, volume,
    change, change_pct, log_return, sma_20, sma_50, ema_12, ema_26, rsi_14, macd, macd_signal, macd_hist,
    bb_upper, bb_middle, bb_lower, volatility_20, rsi_avg_gain, rsi_avg_loss)
  select a.symbol, a.asset_type, a.exchange, a.currency, '1h', c.ts,
         a.scale * c.open, a.scale * greatest(c.open, c.close) * c.up, a.scale * least(c.open, c.close) * c.down,
         a.scale * c.close, null, a.scale * (c.close - c.open), 100 * (c.close / c.open - 1), ln(c.close / c.open),
         a.scale * c.close * 0.995, a.scale * c.close * 0.99, a.scale * c.close * 0.997, a.scale * c.close * 0.993,
         c.rsi, a.scale * c.close * 0.004, a.scale * c.close * 0.003, a.scale * c.close * 0.001,
         a.scale * c.close * 1.02, a.scale * c.close * 0.995, a.scale * c.close * 0.97, c.volatility, 0.5, 0.5
    from curve as c
   cross join lateral (select asset.*, (10 + asset.asset_id)::float8 as scale, c.i as hour from market.asset offset 0) as a
   where c.i >= ${fromHour} and c.i < ${toHour}`;

const fixtureBars = (fromHour: number, toHour: number) => `
  insert into market.bar (asset_id, interval, ts, open, high, low, close, volume)
  select a.asset_id, '1h', c.ts, a.scale * c.open, a.scale * greatest(c.open, c.close) * c.up,
         a.scale * least(c.open, c.close) * c.down, a.scale * c.close, null
    from curve as c
   cross join lateral (select asset.asset_id, (10 + asset.asset_id)::float8 as scale, c.i as hour from market.asset offset 0) as a
   where c.i >= ${fromHour} and c.i < ${toHour}`;

interface IndexDefinition {
  table: string;
  index: string;
  constraint: string | null;
  definition: string;
}

/** Bulk-loads the fixture. Returns how long it took, in ms. */
export async function loadFixture(sql: Sql, log: (line: string) => void): Promise<number> {
  const start = performance.now();
  await sql.unsafe(FIXTURE_ASSETS);
  // Indexes are dropped for the load and rebuilt afterwards exactly as the migrations define them.
  const indexes = await sql<IndexDefinition[]>`
    select c.relname as table, i.relname as index, con.conname as constraint,
           coalesce(pg_get_constraintdef(con.oid), pg_get_indexdef(i.oid)) as definition
      from pg_index as x
      join pg_class as i on i.oid = x.indexrelid
      join pg_class as c on c.oid = x.indrelid
      left join pg_constraint as con on con.conindid = i.oid and con.contype in ('p', 'u')
     where c.relnamespace = 'market'::regnamespace and c.relname in ('ssot', 'bar')`;
  for (const index of indexes) {
    await sql.unsafe(
      index.constraint ? `alter table market.${index.table} drop constraint ${index.constraint}` : `drop index market.${index.index}`,
    );
  }
  // Two workers, one per core, each writing half the hours; triggers (the live NOTIFY, foreign
  // key checks) are off for this fixture, as replication would load it.
  const half = FIXTURE_HOURS / 2;
  await Promise.all(
    [
      [0, half],
      [half, FIXTURE_HOURS],
    ].map(([from, to]) =>
      sql.begin(async (tx) => {
        await tx`set local session_replication_role = replica`;
        await tx.unsafe(FIXTURE_CURVE);
        await tx.unsafe(fixtureSsot(from!, to!));
        log(`  market.ssot: hours ${from} to ${to} written`);
        await tx.unsafe(fixtureBars(from!, to!));
        log(`  market.bar: hours ${from} to ${to} written`);
      }),
    ),
  );
  const connection = await sql.reserve();
  try {
    await connection`set maintenance_work_mem = '512MB'`;
    for (const index of indexes) {
      await connection.unsafe(
        index.constraint ? `alter table market.${index.table} add constraint ${index.constraint} ${index.definition}` : index.definition,
      );
      log(`  index ${index.index} built`);
    }
    // What autovacuum would do next: statistics, and the visibility map that index-only scans rely on.
    await connection`vacuum (analyze) market.ssot`;
    await connection`analyze market.bar, market.asset`;
  } finally {
    connection.release();
  }
  return performance.now() - start;
}
