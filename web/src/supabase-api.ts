import type { Api } from './api.ts';
import { parseBars } from './bars.ts';
import { parseLatest, parseLatestRun, parseSeries } from './parse.ts';
import { parseReturns } from './returns.ts';
import { SERIES_COLUMNS } from './types.ts';

/**
 * The read API through supabase-js: the same SQL read functions the Node server wraps, called as
 * PostgREST RPCs on the `market` schema (which must be in the project's exposed schemas):
 * `market.series(p_symbols, p_interval, p_from, p_to, p_max_points)`, `market.latest(p_interval)`
 * `market.returns(p_symbols, p_interval)` (every return the dashboard shows), and `market.latest_run()` (the newest `market.etl_run` row without `details`, or no row).
 */

export interface RpcResult {
  data: unknown;
  error: { message: string; code?: string } | null;
}

/**
 * A PostgREST call as supabase-js builds it: awaitable, and (on the real client) narrowed to some
 * columns with `select`, which PostgREST applies to what a set-returning function returns.
 */
export type RpcCall = PromiseLike<RpcResult> & { select?(columns: string): PromiseLike<RpcResult> };

/** The slice of `SupabaseClient` used here, so tests can hand in a fake. */
export interface RpcClientLike {
  schema(name: string): { rpc(fn: string, args?: Record<string, unknown>, options?: { get?: boolean }): RpcCall };
}

export interface SupabaseApiOptions {
  interval: string;
  /** The watch list; when empty, every symbol `market.latest` knows, in its order. */
  symbols: readonly string[];
}

export class RpcError extends Error {
  override name = 'RpcError';
  constructor(
    fn: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(`market.${fn}: ${message}`);
  }
}

/**
 * PostgREST caps a response at the project's max rows (1000 by default), whatever the function
 * returns, so each symbol is asked for separately and for at most that many points.
 */
export const MAX_ROWS = 1000;

export function createSupabaseApi(client: RpcClientLike, options: SupabaseApiOptions): Api {
  /**
   * Read functions are called with GET: PostgREST runs them read-only, and an HTTP cache may keep
   * the answer by its URL. GET carries arguments in the query string, where a null would arrive as
   * the text 'null', so unset arguments are left out (the functions default them).
   */
  async function call(fn: string, args?: Record<string, unknown>, columns?: readonly string[]): Promise<unknown> {
    const given = args && Object.fromEntries(Object.entries(args).filter(([, value]) => value !== null && value !== undefined));
    const rpc = client.schema('market').rpc(fn, given, { get: true });
    const { data, error } = await (columns && rpc.select ? rpc.select(columns.join(',')) : rpc);
    if (error) throw new RpcError(fn, error.code, error.message);
    return data;
  }

  const latest = async (interval: string) => parseLatest({ rows: await call('latest', { p_interval: interval }) });

  return {
    async config() {
      const symbols = options.symbols.length > 0 ? [...options.symbols] : (await latest(options.interval)).map((r) => r.symbol);
      return { symbols, interval: options.interval, simulated: false };
    },
    latest,
    async series(q) {
      // Only the columns drawn, as on the Node server's read API.
      const columns = q.columns ?? SERIES_COLUMNS;
      const perSymbol = await Promise.all(
        q.symbols.map(async (symbol) => {
          const rows = await call(
            'series',
            {
              p_symbols: [symbol],
              p_interval: q.interval,
              p_from: q.from ?? null,
              p_to: q.to ?? null,
              p_max_points: Math.min(q.maxPoints ?? MAX_ROWS, MAX_ROWS),
            },
            ['ts', ...columns],
          );
          if (!Array.isArray(rows)) return { symbol, ts: null };
          // Rows to columns, then through the same checks as the Node server's answer.
          const columnar: Record<string, unknown[]> = {
            ts: rows.map((r: { ts?: unknown }) => (typeof r.ts === 'string' ? Date.parse(r.ts) / 1000 : r.ts)),
          };
          for (const c of columns) columnar[c] = rows.map((r: Record<string, unknown>) => r[c]);
          return { symbol, ...columnar };
        }),
      );
      return parseSeries({ series: perSymbol }, columns);
    },
    async returns(symbols, interval) {
      const rows = await call('returns', { p_symbols: symbols.length > 0 ? [...symbols] : null, p_interval: interval });
      return parseReturns({ rows });
    },
    async bars(q) {
      // PostgREST returns at most MAX_ROWS rows: enough for daily and weekly bars; hourly exports are cut to the newest.
      const series = await Promise.all(
        q.symbols.map(async (symbol) => {
          const rows = await call('bars', {
            p_symbols: [symbol],
            p_resolution: q.resolution,
            p_from: q.from ?? null,
            p_to: q.to ?? null,
            p_interval: q.interval,
          });
          const list = Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
          const col = (k: string) => list.map((r) => r[k]);
          return {
            symbol,
            resolution: q.resolution,
            time_zone: list[0]?.time_zone ?? null,
            ts: list.map((r) => (typeof r.ts === 'string' ? Date.parse(r.ts) / 1000 : r.ts)),
            open: col('open'),
            high: col('high'),
            low: col('low'),
            close: col('close'),
            volume: col('volume'),
          };
        }),
      );
      return parseBars({ series });
    },
    async latestRun() {
      const data = await call('latest_run');
      const run = Array.isArray(data) ? (data[0] ?? null) : (data ?? null);
      return parseLatestRun({ run });
    },
  };
}
