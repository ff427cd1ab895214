import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../functions/_shared/db.ts';
import { BinaryCopyWriter, encodeText } from '../functions/_shared/etl/binary-copy.ts';
import { copyIn } from '../functions/_shared/etl/copy-in.ts';
import { loadSeries, type SeriesToLoad } from '../functions/_shared/etl/load.ts';
import type { AssetMeta, Bar } from '../functions/_shared/types.ts';
import { createDatabase, one, type TestDatabase } from './helpers/database.ts';

/**
 * The bulk-load path: rows newer than anything stored go in by binary COPY, the rest by
 * upsert. These tests hold the COPY encoding to what PostgreSQL reads back, and the two paths
 * to the same stored result.
 */

const HOUR = 3_600_000;
const START = Date.parse('2026-01-05T00:00:00Z');

const CRYPTO: AssetMeta = {
  symbol: 'BTC/USD',
  assetType: 'crypto',
  exchange: 'Coinbase Pro',
  currency: 'US Dollar',
  exchangeTimezone: 'UTC',
};
const STOCK: AssetMeta = { symbol: 'AAPL', assetType: 'stock', exchange: 'NASDAQ', currency: 'USD', exchangeTimezone: 'America/New_York' };

/** A deterministic random walk of `count` hourly bars from `fromMs`. */
function walk(count: number, fromMs: number, seed: number, withVolume: boolean): Bar[] {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  let close = 100 + seed;
  return Array.from({ length: count }, (_, i) => {
    const open = close;
    close = open * (1 + (next() - 0.5) / 50);
    return {
      ts: fromMs + i * HOUR,
      open,
      close,
      high: Math.max(open, close) * (1 + next() / 200),
      low: Math.min(open, close) * (1 - next() / 200),
      volume: withVolume ? Math.round(next() * 1e6) : null,
    };
  });
}

type StoredRow = Record<string, unknown>;

async function storedTables(sql: Sql): Promise<{ bars: StoredRow[]; ssot: StoredRow[] }> {
  const bars = await sql`
    select a.symbol, b.interval, b.ts, b.open, b.high, b.low, b.close, b.volume
      from market.bar as b join market.asset as a using (asset_id) order by a.symbol, b.ts`;
  const ssot = await sql`
    select symbol, asset_type, exchange, currency, interval, ts, open, high, low, close, volume, change, change_pct,
           log_return, sma_20, sma_50, ema_12, ema_26, rsi_14, macd, macd_signal, macd_hist, bb_upper, bb_middle,
           bb_lower, volatility_20, rsi_avg_gain, rsi_avg_loss
      from market.ssot order by symbol, ts`;
  return { bars: [...bars], ssot: [...ssot] };
}

async function load(sql: Sql, series: SeriesToLoad[], runId: number | null = null) {
  return await sql.begin((tx) => loadSeries(tx as unknown as Sql, '1h', series, runId));
}

describe('binary COPY encoding, read back by PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createDatabase({ migrated: false });
    await db.sql`create table copy_probe (n bigint, label text, at timestamptz, x float8)`;
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function roundTrip(rows: [number | null, string | null, number, number | null][], flushBytes?: number) {
    await db.sql`truncate copy_probe`;
    function* chunks() {
      const writer = new BinaryCopyWriter(flushBytes);
      for (const [n, label, at, x] of rows) {
        writer
          .row(4)
          .int8(n)
          .text(label === null ? null : encodeText(label))
          .timestamptz(at)
          .float8(x);
        const chunk = writer.takeIfFull();
        if (chunk) yield chunk;
      }
      yield writer.finish();
    }
    await db.sql.begin((tx) => copyIn(tx.unsafe('copy copy_probe (n, label, at, x) from stdin (format binary)'), chunks()));
    const back = await db.sql<{ n: number | null; label: string | null; at: Date; x: number | null }[]>`
      select n, label, at, x from copy_probe order by ctid`;
    return back.map((row) => [row.n, row.label, row.at.getTime(), row.x]);
  }

  it('keeps doubles bit for bit, integers, text, timestamps on either side of 2000 and nulls', async () => {
    const rows: [number | null, string | null, number, number | null][] = [
      [1, 'AAPL', START, 187.12345678901235],
      [-1, 'BTC/USD', Date.parse('1999-12-31T23:00:00Z'), -0.1],
      [Number.MAX_SAFE_INTEGER, 'Ünïcödé €', Date.parse('1970-01-01T00:00:00Z'), Number.MAX_VALUE],
      [-Number.MAX_SAFE_INTEGER, '', Date.parse('2262-01-01T00:00:00.123Z'), Number.MIN_VALUE],
      [null, null, Date.parse('1900-03-01T12:34:56.789Z'), null],
      [4_294_967_296, 'x', START + 1, 1e-300],
    ];
    expect(await roundTrip(rows)).toEqual(rows);
  });

  it('any doubles and times survive, however the stream is cut into chunks (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.double({ noNaN: true, noDefaultInfinity: true }),
            fc.integer({ min: Date.parse('1901-01-01'), max: Date.parse('2200-01-01') }),
          ),
          { minLength: 1, maxLength: 200 },
        ),
        fc.integer({ min: 16, max: 4096 }),
        async (values, flushBytes) => {
          const rows = values.map(([x, at], i): [number, string, number, number] => [i, `s${i}`, at, x]);
          // Bit for bit, -0 included.
          expect(await roundTrip(rows, flushBytes)).toEqual(rows);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('copyIn when a COPY goes wrong mid-stream', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createDatabase({ migrated: false });
    await db.sql`create table copy_guarded (x float8 check (x < 1e6))`;
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** 200,000 rows in 64 KB chunks; `bad` puts an out-of-range value at that row. */
  function* rows(bad: number | null, failAt: number | null = null) {
    const writer = new BinaryCopyWriter(64 << 10);
    for (let i = 0; i < 200_000; i++) {
      if (i === failAt) throw new Error(`encoder failed at row ${i}`);
      writer.row(1).float8(i === bad ? 1e9 : i);
      const chunk = writer.takeIfFull();
      if (chunk) yield chunk;
    }
    yield writer.finish();
  }
  const copy = (chunks: Iterable<Uint8Array>) =>
    db.sql.begin((tx) => copyIn(tx.unsafe('copy copy_guarded (x) from stdin (format binary)'), chunks));
  const count = async () => one(await db.sql<{ n: number }[]>`select count(*) as n from copy_guarded`).n;

  it('a row the server rejects while chunks are still streaming fails the COPY, and nothing is kept', async () => {
    await expect(copy(rows(10))).rejects.toThrow(/copy_guarded_x_check/);
    expect(await count()).toBe(0);
  });

  it('an exception in the row generator aborts the COPY with that error, and nothing is kept', async () => {
    await expect(copy(rows(null, 150_000))).rejects.toThrow('encoder failed at row 150000');
    expect(await count()).toBe(0);
  });

  it('after both, the same connections load a good stream whole', async () => {
    await copy(rows(null));
    expect(await count()).toBe(200_000);
  });
});

describe('loadSeries: COPY for new rows, upsert for the rest, one stored result', () => {
  let copied: TestDatabase;
  let stepwise: TestDatabase;
  const crypto = walk(1_200, START, 7, false);
  const stock = walk(900, START + 30 * 60_000, 11, true);

  beforeAll(async () => {
    [copied, stepwise] = await Promise.all([createDatabase(), createDatabase()]);
  });
  afterAll(async () => {
    await copied?.drop();
    await stepwise?.drop();
  });

  it('a backfill goes in whole and reports every bar and SSOT row as written', async () => {
    const written = await load(
      copied.sql,
      [
        { meta: CRYPTO, bars: crypto },
        { meta: STOCK, bars: stock },
      ],
      1,
    );
    expect(Object.fromEntries(written)).toEqual({
      'BTC/USD': { barsWritten: 1_200, ssotRows: 1_200 },
      AAPL: { barsWritten: 900, ssotRows: 900 },
    });
    const counts = one(
      await copied.sql<{ bars: number; ssot: number; runs: number }[]>`
      select (select count(*) from market.bar) as bars, (select count(*) from market.ssot) as ssot,
             (select count(*) from market.ssot where etl_run_id = 1) as runs`,
    );
    expect(counts).toEqual({ bars: 2_100, ssot: 2_100, runs: 2_100 });
  });

  it('the same bars loaded in overlapping pieces, as hourly runs deliver them, store exactly the same rows', async () => {
    // Pieces of 1 to 300 bars, each re-sending the last 0 to 3 bars of the one before: the overlap
    // goes through the upsert, the rest through COPY, and the indicator state is restored in between.
    let from = 0;
    let piece = 0;
    while (from < crypto.length) {
      const overlap = Math.min(from, piece % 4);
      const size = 1 + ((piece * 97) % 300);
      const until = Math.min(crypto.length, from + size);
      await load(stepwise.sql, [
        { meta: CRYPTO, bars: crypto.slice(from - overlap, until) },
        { meta: STOCK, bars: stock.slice(Math.floor((from - overlap) * 0.75), Math.floor(until * 0.75)) },
      ]);
      from = until;
      piece += 1;
    }
    await load(stepwise.sql, [{ meta: STOCK, bars: stock.slice(Math.floor(crypto.length * 0.75) - 5) }]);
    expect(piece).toBeGreaterThan(5);
    expect(await storedTables(stepwise.sql)).toEqual(await storedTables(copied.sql));
  });

  it('a revised bar inside the stored range is upserted and the indicators after it recomputed; unchanged rows are not rewritten', async () => {
    const revised = crypto
      .slice(1_000, 1_010)
      .map((bar, i) => (i === 4 ? { ...bar, close: bar.close * 1.01, high: bar.high * 1.01 } : bar));
    const written = await load(copied.sql, [{ meta: CRYPTO, bars: revised }]);
    // One raw bar changed; its SSOT row and every later one (moving windows, EMAs) changed too.
    expect(written.get('BTC/USD')).toEqual({ barsWritten: 1, ssotRows: 1_200 - 1_004 });
    const changed = one(
      await copied.sql<{ close: number }[]>`
      select close from market.ssot where symbol = 'BTC/USD' and ts = ${new Date(crypto[1_004]!.ts)}`,
    );
    expect(changed.close).toBe(crypto[1_004]!.close * 1.01);
    // The same revision loaded into the stepwise copy gives the same tables again.
    await load(stepwise.sql, [{ meta: CRYPTO, bars: revised }]);
    expect(await storedTables(stepwise.sql)).toEqual(await storedTables(copied.sql));
  });

  it('a COPY the server rejects after its last row rolls the whole load back (no hang), and the next load goes in', async () => {
    const db = await createDatabase();
    try {
      await load(db.sql, [{ meta: CRYPTO, bars: crypto.slice(0, 100) }]);
      // A constraint of the test's own that the next load breaks in its last row.
      await db.sql`alter table market.ssot add constraint ssot_close_below check (close < 1e9)`;
      const bad = crypto.slice(100, 200).map((bar, i) => (i === 99 ? { ...bar, close: 2e9, high: 2e9 } : bar));
      await expect(load(db.sql, [{ meta: CRYPTO, bars: bad }])).rejects.toThrow(/ssot_close_below/);
      const counts = one(
        await db.sql<{ bars: number; ssot: number }[]>`
        select (select count(*) from market.bar) as bars, (select count(*) from market.ssot) as ssot`,
      );
      expect(counts).toEqual({ bars: 100, ssot: 100 });
      await db.sql`alter table market.ssot drop constraint ssot_close_below`;
      expect((await load(db.sql, [{ meta: CRYPTO, bars: bad }])).get('BTC/USD')).toEqual({ barsWritten: 100, ssotRows: 100 });
    } finally {
      await db.drop();
    }
  });
});

describe('first large load into empty tables: keys built after the rows', () => {
  interface KeyState {
    table: string;
    oid: number;
    definition: string;
    index: string;
    comment: string | null;
  }
  const keyState = async (sql: Sql) => [
    ...(await sql<KeyState[]>`
    select t.relname as table, k.conindid::int as oid, pg_get_constraintdef(k.oid) as definition,
           pg_get_indexdef(k.conindid) as index, obj_description(k.conindid, 'pg_class') as comment
      from pg_constraint as k join pg_class as t on t.oid = k.conrelid
     where t.oid in ('market.bar'::regclass, 'market.ssot'::regclass) and k.contype = 'p' order by t.relname`),
  ];
  const big = walk(12_000, START, 3, false);

  it('rebuilds the keys exactly as defined and stores what a load through the kept keys stores', async () => {
    const [first, later] = await Promise.all([createDatabase(), createDatabase()]);
    try {
      const before = await keyState(first.sql);
      expect(before.map((k) => k.table)).toEqual(['bar', 'ssot']);
      await load(first.sql, [{ meta: CRYPTO, bars: big }]);
      const after = await keyState(first.sql);
      // New indexes (built after the rows), with the same definitions and comments.
      for (const [i, key] of after.entries()) expect(key.oid, key.table).not.toBe(before[i]!.oid);
      expect(after.map(({ oid: _, ...rest }) => rest)).toEqual(before.map(({ oid: _, ...rest }) => rest));
      expect(after.find((k) => k.table === 'ssot')!.comment).toMatch(/index-only/);

      // Not empty any more: the same load goes through the kept keys.
      await load(later.sql, [{ meta: STOCK, bars: stock100() }]);
      const kept = await keyState(later.sql);
      await load(later.sql, [{ meta: CRYPTO, bars: big }]);
      expect(await keyState(later.sql)).toEqual(kept);
      const crypto = async (sql: Sql) => (await storedTables(sql)).ssot.filter((row) => row.symbol === 'BTC/USD');
      expect(await crypto(later.sql)).toEqual(await crypto(first.sql));
    } finally {
      await Promise.all([first.drop(), later.drop()]);
    }
  });

  it('announces a first load once, with every symbol and the newest bar, and leaves the triggers as they were', async () => {
    const db = await createDatabase();
    try {
      const triggers = () => db.sql<{ tgname: string; tgenabled: string }[]>`
        select tgname, tgenabled from pg_trigger
         where tgrelid = 'market.ssot'::regclass and not tgisinternal order by tgname`;
      const before = [...(await triggers())];
      expect(before.filter((t) => t.tgname.startsWith('ssot_announce_')).map((t) => t.tgenabled)).toEqual(['O', 'O']);
      const heard: string[] = [];
      const listener = await db.sql.listen('market_bars', (payload) => heard.push(payload));
      await load(db.sql, [
        { meta: CRYPTO, bars: big },
        { meta: STOCK, bars: stock100() },
      ]);
      // Notifications arrive in commit order: once this marker, sent after the load committed, is
      // heard, every announcement of the load has been heard too.
      await db.sql`select pg_notify('market_bars', '"end of load"')`;
      await expect.poll(() => heard.at(-1)).toBe('"end of load"');
      expect(heard.map((text) => JSON.parse(text))).toEqual([
        {
          interval: '1h',
          symbols: ['AAPL', 'BTC/USD'],
          max_ts: new Date(big[big.length - 1]!.ts).toISOString().replace('.000Z', '+00:00'),
        },
        'end of load',
      ]);
      expect([...(await triggers())]).toEqual(before);
      await listener.unlisten();
    } finally {
      await db.drop();
    }
  });

  it('keeps the keys when another object depends on them, and the load still goes in', async () => {
    const db = await createDatabase();
    try {
      // Selecting close while grouping by the key columns is legal only through the primary key.
      await db.sql`create view public.closes_by_key as
        select symbol, interval, ts, close from market.ssot group by symbol, interval, ts`;
      const before = await keyState(db.sql);
      expect((await load(db.sql, [{ meta: CRYPTO, bars: big }])).get('BTC/USD')).toEqual({ barsWritten: 12_000, ssotRows: 12_000 });
      expect(await keyState(db.sql)).toEqual(before);
      expect(one(await db.sql<{ n: number }[]>`select count(*) as n from public.closes_by_key`).n).toBe(12_000);
    } finally {
      await db.drop();
    }
  });

  it('a first load that fails leaves the tables empty and their keys as they were', async () => {
    const db = await createDatabase();
    try {
      const before = await keyState(db.sql);
      await db.sql`alter table market.ssot add constraint ssot_close_below check (close < 1e9)`;
      const bad = big.map((bar, i) => (i === big.length - 1 ? { ...bar, close: 2e9, high: 2e9 } : bar));
      await expect(load(db.sql, [{ meta: CRYPTO, bars: bad }])).rejects.toThrow(/ssot_close_below/);
      expect(await keyState(db.sql)).toEqual(before);
      expect(one(await db.sql<{ n: number }[]>`select count(*) as n from market.ssot`).n).toBe(0);
    } finally {
      await db.drop();
    }
  });

  function stock100(): Bar[] {
    return walk(100, START - 1_000 * HOUR, 5, true);
  }
});
