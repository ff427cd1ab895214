import { INDICATOR_COLUMNS, type IndicatorRow, type IndicatorState, step } from '../indicators.ts';
import type { Interval } from '../intervals.ts';
import type { AssetMeta, Bar } from '../types.ts';
import { BinaryCopyWriter, encodeText } from './binary-copy.ts';

/**
 * The rows a load appends, as binary COPY data for market.bar and market.ssot: the statements
 * and the generators that stream their chunks (etl/copy-in.ts sends them).
 */

/** The indicator columns stored in the SSOT, in the order the COPY sends them. */
const STORED_INDICATORS = [...INDICATOR_COLUMNS, 'rsi_avg_gain', 'rsi_avg_loss'] as const satisfies readonly (keyof IndicatorRow)[];

export const COPY_BAR = 'copy market.bar (asset_id, interval, ts, open, high, low, close, volume, etl_run_id) from stdin (format binary)';
const BAR_FIELDS = 9;

export const COPY_SSOT = `copy market.ssot (symbol, asset_type, exchange, currency, interval, ts, open, high, low, close, volume, ${STORED_INDICATORS.join(
  ', ',
)}, etl_run_id) from stdin (format binary)`;
const SSOT_FIELDS = 12 + STORED_INDICATORS.length;

export interface FreshBars {
  assetId: number;
  bars: readonly Bar[];
}

export function* barCopyChunks(parts: readonly FreshBars[], interval: Interval, runId: number | null): Generator<Uint8Array> {
  const writer = new BinaryCopyWriter();
  const intervalText = encodeText(interval);
  for (const { assetId, bars } of parts) {
    for (const bar of bars) {
      writer
        .row(BAR_FIELDS)
        .int8(assetId)
        .text(intervalText)
        .timestamptz(bar.ts)
        .float8(bar.open)
        .float8(bar.high)
        .float8(bar.low)
        .float8(bar.close)
        .float8(bar.volume)
        .int8(runId);
      const chunk = writer.takeIfFull();
      if (chunk) yield chunk;
    }
  }
  yield writer.finish();
}

export interface FreshSsot {
  meta: AssetMeta;
  /** The indicator state just before `bars[0]`; advanced as the rows are written. */
  state: IndicatorState;
  bars: readonly Bar[];
}

/** SSOT rows computed as they are streamed, so the indicators of the next chunk overlap the server's insert of this one. */
export function* ssotCopyChunks(parts: readonly FreshSsot[], interval: Interval, runId: number | null): Generator<Uint8Array> {
  const writer = new BinaryCopyWriter();
  const intervalText = encodeText(interval);
  const optionalText = (value: string | null) => (value === null ? null : encodeText(value));
  for (const { meta, state, bars } of parts) {
    const symbol = encodeText(meta.symbol);
    const assetType = encodeText(meta.assetType);
    const exchange = optionalText(meta.exchange);
    const currency = optionalText(meta.currency);
    for (const bar of bars) {
      const row = step(state, bar.close);
      writer
        .row(SSOT_FIELDS)
        .text(symbol)
        .text(assetType)
        .text(exchange)
        .text(currency)
        .text(intervalText)
        .timestamptz(bar.ts)
        .float8(bar.open)
        .float8(bar.high)
        .float8(bar.low)
        .float8(bar.close)
        .float8(bar.volume);
      for (const column of STORED_INDICATORS) writer.float8(row[column]);
      writer.int8(runId);
      const chunk = writer.takeIfFull();
      if (chunk) yield chunk;
    }
  }
  yield writer.finish();
}
