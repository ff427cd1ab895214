import type { Sql } from '../../functions/_shared/db.ts';
import { readApi } from '../../functions/_shared/http/read-api.ts';
import { FIXTURE_HOURS, FIXTURE_START, FIXTURE_SYMBOLS } from './fixture.ts';
import { profilingConnection } from './statements.ts';
import { percentile, seededRandom } from './stats.ts';

/**
 * (c) market.series for one year of hourly bars (8,760) of one symbol, downsampled to 1,000
 * points, on the 10-million-bar fixture. Measured three ways: inside the database (the function
 * runs to completion, one row comes back), as a client receiving the rows (the read API's
 * query), and through the read API's HTTP handler in process (JSON included).
 */

const HOUR = 3_600_000;
const YEAR_HOURS = 8_760;
const MAX_POINTS = 1_000;
const SAMPLES = 200;

export interface LatencyFigures {
  p50: number;
  p95: number;
  max: number;
}

export interface SeriesResult {
  database: LatencyFigures;
  client: LatencyFigures;
  http: LatencyFigures;
  latest: LatencyFigures;
  points: number;
  plan: string;
}

interface Query {
  symbol: string;
  from: Date;
  to: Date;
}

/** A random symbol and a random year inside the fixture, the same sequence every run. */
function queries(count: number): Query[] {
  const next = seededRandom(7);
  return Array.from({ length: count }, () => {
    const symbol = `F${String(Math.floor(next() * FIXTURE_SYMBOLS)).padStart(3, '0')}/USD`;
    const firstHour = Math.floor(next() * (FIXTURE_HOURS - YEAR_HOURS));
    const from = new Date(FIXTURE_START + firstHour * HOUR);
    return { symbol, from, to: new Date(from.getTime() + (YEAR_HOURS - 1) * HOUR) };
  });
}

async function measure(work: (q: Query) => Promise<unknown>): Promise<LatencyFigures> {
  const all = queries(SAMPLES);
  const times: number[] = [];
  for (const q of all) {
    const start = performance.now();
    await work(q);
    times.push(performance.now() - start);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), max: Math.max(...times) };
}

export async function seriesLatency(sql: Sql, url: string): Promise<SeriesResult> {
  // One connection, as a request would have it; the function's plan is cached per connection.
  const connection = await sql.reserve();
  const app = readApi({ sql, symbols: ['F000/USD'], interval: '1h', simulated: false });
  try {
    // Every measured query once beforehand, so each way of measuring finds the same warm cache.
    for (const q of queries(SAMPLES))
      await connection`select count(*) from market.series(${[q.symbol]}::text[], '1h', ${q.from}, ${q.to}, ${MAX_POINTS})`;
    let points = 0;
    const database = await measure(async (q) => {
      const [row] = await connection<{ n: number }[]>`
        select count(*)::int as n from market.series(${[q.symbol]}::text[], '1h', ${q.from}, ${q.to}, ${MAX_POINTS})`;
      points = row!.n;
    });
    const client = await measure(async (q) => {
      await connection`
        select symbol, ts, open, high, low, close, volume, sma_20, sma_50, ema_12, ema_26, rsi_14, macd,
               macd_signal, macd_hist, bb_upper, bb_middle, bb_lower, volatility_20
          from market.series(${[q.symbol]}::text[], '1h', ${q.from}, ${q.to}, ${MAX_POINTS})`;
    });
    const http = await measure(async (q) => {
      const response = await app.request(
        `/series?symbols=${encodeURIComponent(q.symbol)}&interval=1h&from=${q.from.toISOString()}&to=${q.to.toISOString()}&max_points=${MAX_POINTS}`,
      );
      if (response.status !== 200) throw new Error(`read API answered ${response.status}`);
      await response.arrayBuffer();
    });
    const latest = await measure(async () => {
      await connection`select symbol, ts, close, change_pct from market.latest('1h')`;
    });
    return { database, client, http, latest, points, plan: await seriesPlan(url, queries(1)[0]!) };
  } finally {
    connection.release();
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) of the statement inside market.series, as auto_explain reports it. */
async function seriesPlan(url: string, q: Query): Promise<string> {
  const plans: string[] = [];
  const { sql } = profilingConnection(url, (message) => plans.push(message));
  try {
    await sql`set auto_explain.log_nested_statements = on`;
    await sql`set auto_explain.log_analyze = on`;
    await sql`set auto_explain.log_buffers = on`;
    // Twice: the second call shows the plan a warm connection runs.
    for (let i = 0; i < 2; i++) {
      plans.length = 0;
      await sql`select count(*) from market.series(${[q.symbol]}::text[], '1h', ${q.from}, ${q.to}, ${MAX_POINTS})`;
    }
    return plans.join('\n\n');
  } finally {
    await sql.end({ timeout: 5 });
  }
}
