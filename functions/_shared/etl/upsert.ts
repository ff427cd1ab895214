import type { Queryable } from '../db.ts';
import type { IndicatorRow } from '../indicators.ts';
import type { Interval } from '../intervals.ts';
import type { AssetMeta, Bar } from '../types.ts';

/**
 * Upserts from arrays, for rows that may already be stored: assets, the overlap an hourly run
 * re-fetches, revised bars, a rebuild. A row whose values are unchanged is left alone (no
 * write, no last_update bump, no live announcement). New rows go in by COPY instead
 * (etl/copy-rows.ts).
 */

/** Rows per statement: large enough to amortise round trips, small enough to bound memory. */
const CHUNK = 20_000;

/**
 * Arrays go to PostgreSQL as array literals built here: several times faster than the
 * driver's element-by-element serialisation, which dominated bulk loads. Every value is a
 * finite number or null (validated upstream), so no quoting is needed.
 */
function float8Array(values: readonly (number | null)[]): string {
  return `{${values.map((value) => (value === null ? 'NULL' : String(value))).join(',')}}`;
}

function timestampArray(bars: readonly Bar[]): string {
  return `{${bars.map((bar) => new Date(bar.ts).toISOString()).join(',')}}`;
}

export async function upsertAsset(tx: Queryable, meta: AssetMeta): Promise<void> {
  await tx`
    insert into market.asset (symbol, asset_type, exchange, currency, exchange_timezone)
    values (${meta.symbol}, ${meta.assetType}, ${meta.exchange}, ${meta.currency}, ${meta.exchangeTimezone})
    on conflict (symbol) do update
      set asset_type = excluded.asset_type, exchange = excluded.exchange,
          currency = excluded.currency, exchange_timezone = excluded.exchange_timezone
      where (asset.asset_type, asset.exchange, asset.currency, asset.exchange_timezone)
            is distinct from (excluded.asset_type, excluded.exchange, excluded.currency, excluded.exchange_timezone)`;
}

/** Upserts raw bars; returns how many were new or changed. */
export async function upsertBars(
  tx: Queryable,
  symbol: string,
  interval: Interval,
  bars: readonly Bar[],
  runId: number | null,
): Promise<number> {
  let written = 0;
  for (let from = 0; from < bars.length; from += CHUNK) {
    const chunk = bars.slice(from, from + CHUNK);
    const result = await tx`
      insert into market.bar (asset_id, interval, ts, open, high, low, close, volume, etl_run_id)
      select a.asset_id, ${interval}, b.ts, b.open, b.high, b.low, b.close, b.volume, ${runId}
        from market.asset as a,
             unnest(${timestampArray(chunk)}::timestamptz[],
                    ${float8Array(chunk.map((b) => b.open))}::float8[], ${float8Array(chunk.map((b) => b.high))}::float8[],
                    ${float8Array(chunk.map((b) => b.low))}::float8[], ${float8Array(chunk.map((b) => b.close))}::float8[],
                    ${float8Array(chunk.map((b) => b.volume))}::float8[]) as b(ts, open, high, low, close, volume)
       where a.symbol = ${symbol}
      on conflict (asset_id, interval, ts) do update
        set open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
            volume = excluded.volume, etl_run_id = excluded.etl_run_id
        where (bar.open, bar.high, bar.low, bar.close, bar.volume)
              is distinct from (excluded.open, excluded.high, excluded.low, excluded.close, excluded.volume)`;
    written += result.count;
  }
  return written;
}

/** Upserts SSOT rows for `bars` with their indicator `rows`; returns how many were new or changed. */
export async function upsertSsot(
  tx: Queryable,
  symbol: string,
  interval: Interval,
  bars: readonly Bar[],
  rows: readonly IndicatorRow[],
  runId: number | null,
): Promise<number> {
  let written = 0;
  for (let from = 0; from < bars.length; from += CHUNK) {
    const b = bars.slice(from, from + CHUNK);
    const r = rows.slice(from, from + CHUNK);
    const col = (name: keyof IndicatorRow) => float8Array(r.map((row) => row[name]));
    const result = await tx`
      insert into market.ssot (
        symbol, asset_type, exchange, currency, interval, ts, open, high, low, close, volume,
        change, change_pct, log_return, sma_20, sma_50, ema_12, ema_26, rsi_14, macd, macd_signal,
        macd_hist, bb_upper, bb_middle, bb_lower, volatility_20, rsi_avg_gain, rsi_avg_loss, etl_run_id)
      select a.symbol, a.asset_type, a.exchange, a.currency, ${interval}, u.*, ${runId}
        from market.asset as a,
             unnest(
               ${timestampArray(b)}::timestamptz[],
               ${float8Array(b.map((x) => x.open))}::float8[], ${float8Array(b.map((x) => x.high))}::float8[],
               ${float8Array(b.map((x) => x.low))}::float8[], ${float8Array(b.map((x) => x.close))}::float8[],
               ${float8Array(b.map((x) => x.volume))}::float8[],
               ${col('change')}::float8[], ${col('change_pct')}::float8[], ${col('log_return')}::float8[],
               ${col('sma_20')}::float8[], ${col('sma_50')}::float8[], ${col('ema_12')}::float8[],
               ${col('ema_26')}::float8[], ${col('rsi_14')}::float8[], ${col('macd')}::float8[],
               ${col('macd_signal')}::float8[], ${col('macd_hist')}::float8[], ${col('bb_upper')}::float8[],
               ${col('bb_middle')}::float8[], ${col('bb_lower')}::float8[], ${col('volatility_20')}::float8[],
               ${col('rsi_avg_gain')}::float8[], ${col('rsi_avg_loss')}::float8[]) as u
       where a.symbol = ${symbol}
      on conflict (symbol, interval, ts) do update set
        asset_type = excluded.asset_type, exchange = excluded.exchange, currency = excluded.currency,
        open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
        volume = excluded.volume, change = excluded.change, change_pct = excluded.change_pct,
        log_return = excluded.log_return, sma_20 = excluded.sma_20, sma_50 = excluded.sma_50,
        ema_12 = excluded.ema_12, ema_26 = excluded.ema_26, rsi_14 = excluded.rsi_14,
        macd = excluded.macd, macd_signal = excluded.macd_signal, macd_hist = excluded.macd_hist,
        bb_upper = excluded.bb_upper, bb_middle = excluded.bb_middle, bb_lower = excluded.bb_lower,
        volatility_20 = excluded.volatility_20, rsi_avg_gain = excluded.rsi_avg_gain,
        rsi_avg_loss = excluded.rsi_avg_loss, etl_run_id = excluded.etl_run_id
      -- Unchanged rows are left alone: no write, no last_update bump, no live announcement.
      where (ssot.asset_type, ssot.exchange, ssot.currency, ssot.open, ssot.high, ssot.low, ssot.close,
             ssot.volume, ssot.change, ssot.change_pct, ssot.log_return, ssot.sma_20, ssot.sma_50,
             ssot.ema_12, ssot.ema_26, ssot.rsi_14, ssot.macd, ssot.macd_signal, ssot.macd_hist,
             ssot.bb_upper, ssot.bb_middle, ssot.bb_lower, ssot.volatility_20, ssot.rsi_avg_gain,
             ssot.rsi_avg_loss)
            is distinct from
            (excluded.asset_type, excluded.exchange, excluded.currency, excluded.open, excluded.high,
             excluded.low, excluded.close, excluded.volume, excluded.change, excluded.change_pct,
             excluded.log_return, excluded.sma_20, excluded.sma_50, excluded.ema_12, excluded.ema_26,
             excluded.rsi_14, excluded.macd, excluded.macd_signal, excluded.macd_hist, excluded.bb_upper,
             excluded.bb_middle, excluded.bb_lower, excluded.volatility_20, excluded.rsi_avg_gain,
             excluded.rsi_avg_loss)`;
    written += result.count;
  }
  return written;
}
