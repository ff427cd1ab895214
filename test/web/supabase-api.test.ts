import { describe, expect, test } from 'vitest';
import { createSupabaseApi, MAX_ROWS, type RpcClientLike, RpcError, type RpcResult } from '../../web/src/supabase-api.ts';
import { NULLABLE_COLUMNS } from '../../web/src/types.ts';

/** PostgREST through supabase-js, without a network: records each call and answers from a table. */
function fakeClient(answer: (fn: string, args: Record<string, unknown> | undefined) => RpcResult) {
  const calls: Array<{ schema: string; fn: string; args: Record<string, unknown> | undefined }> = [];
  const client: RpcClientLike = {
    schema: (schema) => ({
      rpc: async (fn, args) => {
        calls.push({ schema, fn, args });
        return answer(fn, args);
      },
    }),
  };
  return { client, calls };
}

/** One row of market.ssot as PostgREST serialises it: timestamptz as text, every column present. */
function ssotRow(symbol: string, ts: string, close: number) {
  return {
    symbol,
    asset_type: 'crypto',
    exchange: 'Binance',
    currency: 'US Dollar',
    interval: '1h',
    ts,
    open: close,
    high: close + 1,
    low: close - 1,
    close,
    ...Object.fromEntries(NULLABLE_COLUMNS.map((c) => [c, null])),
    change: null,
    rsi_avg_gain: null,
    etl_run_id: 3,
    last_update: '2026-08-23T14:00:05+00:00',
  };
}

describe('createSupabaseApi', () => {
  test('series: one market.series call per symbol, at most max-rows points, rows turned into columns', async () => {
    const { client, calls } = fakeClient((_fn, args) => {
      const [symbol] = args!.p_symbols as string[];
      return { data: [ssotRow(symbol!, '2026-08-23T13:00:00+00:00', 10), ssotRow(symbol!, '2026-08-23T14:00:00+00:00', 11)], error: null };
    });
    const api = createSupabaseApi(client, { interval: '1h', symbols: [] });
    const series = await api.series({ symbols: ['AAPL', 'BTC/USD'], interval: '1h', from: '2026-08-01T00:00:00.000Z', maxPoints: 1800 });
    expect(calls).toEqual([
      {
        schema: 'market',
        fn: 'series',
        args: { p_symbols: ['AAPL'], p_interval: '1h', p_from: '2026-08-01T00:00:00.000Z', p_max_points: MAX_ROWS },
      },
      {
        schema: 'market',
        fn: 'series',
        args: { p_symbols: ['BTC/USD'], p_interval: '1h', p_from: '2026-08-01T00:00:00.000Z', p_max_points: MAX_ROWS },
      },
    ]);
    expect(series.map((s) => s.symbol)).toEqual(['AAPL', 'BTC/USD']);
    expect(series[1]!.ts).toEqual([Date.parse('2026-08-23T13:00:00Z') / 1000, Date.parse('2026-08-23T14:00:00Z') / 1000]);
    expect(series[1]!.close).toEqual([10, 11]);
    expect(series[1]!.high).toEqual([11, 12]);
    expect(series[1]!.sma_20).toEqual([null, null]);
  });

  test('latest, latest_run and config read the same shapes as the Node server', async () => {
    const run = {
      etl_run_id: 4,
      started_at: '2026-08-23T14:00:00+00:00',
      finished_at: null,
      status: 'running',
      trigger: 'cron',
      bars_upserted: 0,
      credits_used: 0,
      error: null,
    };
    const { client, calls } = fakeClient((fn) => {
      if (fn === 'latest')
        return { data: [{ ...ssotRow('ETH/USD', '2026-08-23T14:00:00+00:00', 3000), change: 5, change_pct: 0.2 }], error: null };
      if (fn === 'latest_run') return { data: run, error: null };
      throw new Error(fn);
    });
    const api = createSupabaseApi(client, { interval: '1h', symbols: [] });
    expect(await api.latest('1h')).toEqual([
      {
        symbol: 'ETH/USD',
        asset_type: 'crypto',
        exchange: 'Binance',
        currency: 'US Dollar',
        ts: '2026-08-23T14:00:00+00:00',
        close: 3000,
        change: 5,
        change_pct: 0.2,
      },
    ]);
    expect(calls[0]).toEqual({ schema: 'market', fn: 'latest', args: { p_interval: '1h' } });
    expect(await api.latestRun()).toEqual(run);
    expect(await api.config()).toEqual({ symbols: ['ETH/USD'], interval: '1h', simulated: false });
    expect(await createSupabaseApi(client, { interval: '4h', symbols: ['AAPL'] }).config()).toEqual({
      symbols: ['AAPL'],
      interval: '4h',
      simulated: false,
    });
  });

  test('no run yet is null, as a set or a single row', async () => {
    for (const data of [[], null]) {
      const { client } = fakeClient(() => ({ data, error: null }));
      expect(await createSupabaseApi(client, { interval: '1h', symbols: [] }).latestRun()).toBeNull();
    }
  });

  test('a PostgREST error becomes an RpcError naming the function', async () => {
    const { client } = fakeClient(() => ({
      data: null,
      error: { message: 'Could not find the function market.latest_run', code: 'PGRST202' },
    }));
    const err = await createSupabaseApi(client, { interval: '1h', symbols: [] })
      .latestRun()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe('PGRST202');
    expect((err as RpcError).message).toBe('market.latest_run: Could not find the function market.latest_run');
  });

  test('rows off the contract are rejected at the boundary', async () => {
    const { client } = fakeClient(() => ({ data: [{ ...ssotRow('AAPL', 'yesterday', 1) }], error: null }));
    await expect(createSupabaseApi(client, { interval: '1h', symbols: [] }).series({ symbols: ['AAPL'], interval: '1h' })).rejects.toThrow(
      /ts/,
    );
  });

  test('series: called with GET, asks PostgREST for the columns drawn only, unset arguments left out', async () => {
    const calls: Array<{ args: Record<string, unknown> | undefined; options: unknown; select: string | undefined }> = [];
    const client: RpcClientLike = {
      schema: () => ({
        rpc: (_fn, args, options) => {
          const call = { args, options, select: undefined as string | undefined };
          calls.push(call);
          const rows = [ssotRow('SOL/USD', '2026-08-23T13:00:00+00:00', 10)];
          const answer = (columns: string[] | null) => ({
            data: rows.map((r) => (columns ? Object.fromEntries(columns.map((c) => [c, r[c as keyof typeof r]])) : r)),
            error: null,
          });
          return {
            // biome-ignore lint/suspicious/noThenProperty: PostgREST's query builder is a thenable, and so is this stand-in for it.
            then: (resolve, reject) => Promise.resolve(answer(null)).then(resolve, reject),
            select: (columns: string) => {
              call.select = columns;
              return Promise.resolve(answer(columns.split(',')));
            },
          };
        },
      }),
    };
    const [sol] = await createSupabaseApi(client, { interval: '1h', symbols: [] }).series({
      symbols: ['SOL/USD'],
      interval: '1h',
      columns: ['close'],
    });
    expect(calls).toEqual([
      { args: { p_symbols: ['SOL/USD'], p_interval: '1h', p_max_points: MAX_ROWS }, options: { get: true }, select: 'ts,close' },
    ]);
    expect(sol!.close).toEqual([10]);
    // Columns not asked for are held as nulls: nothing is drawn from them.
    expect(sol!.high).toEqual([null]);
  });
});
