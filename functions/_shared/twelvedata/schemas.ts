import { z } from 'zod';

/**
 * Twelve Data's /time_series shapes (docs/twelve-data.md). Values stay strings
 * here: each bar is checked one by one later, so one bad bar is rejected with its reason
 * instead of failing the whole response.
 */

/** Meta strings are copied into every SSOT row: anything longer than a name is refused. */
export const MAX_META_STRING = 64;
/** Upstream error texts are kept only this long: enough to classify and show, never megabytes. */
export const MAX_ERROR_MESSAGE = 500;

const metaString = z.string().max(MAX_META_STRING);

export const errorBody = z.object({
  status: z.literal('error'),
  code: z.number().int(),
  message: z
    .string()
    .transform((text) => (text.length > MAX_ERROR_MESSAGE ? `${text.slice(0, MAX_ERROR_MESSAGE)}… (${text.length} characters)` : text)),
  meta: z.unknown().optional(),
});
export type ErrorBody = z.infer<typeof errorBody>;

export const timeSeriesMeta = z.object({
  symbol: metaString,
  interval: metaString,
  currency: metaString.optional(),
  currency_base: metaString.optional(),
  currency_quote: metaString.optional(),
  exchange_timezone: metaString.optional(),
  exchange: metaString.optional(),
  mic_code: metaString.optional(),
  type: metaString.optional(),
});
export type TimeSeriesMeta = z.infer<typeof timeSeriesMeta>;

export const timeSeriesOk = z.object({
  status: z.literal('ok'),
  meta: timeSeriesMeta,
  // Bars are not even assumed to be objects here: normalise() checks each one and rejects it
  // alone, so one malformed bar cannot sink the symbol.
  values: z.array(z.unknown()).max(50_000),
});
export type TimeSeriesOk = z.infer<typeof timeSeriesOk>;

export const timeSeriesEntry = z.union([timeSeriesOk, errorBody]);
