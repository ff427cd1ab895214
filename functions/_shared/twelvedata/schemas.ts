import { z } from 'zod';

/**
 * Twelve Data's /time_series shapes (docs/twelve-data.md). Values stay strings
 * here: each bar is checked one by one later, so one bad bar is rejected with its reason
 * instead of failing the whole response.
 */

export const errorBody = z.object({
  status: z.literal('error'),
  code: z.number().int(),
  message: z.string(),
  meta: z.unknown().optional(),
});
export type ErrorBody = z.infer<typeof errorBody>;

export const timeSeriesMeta = z.object({
  symbol: z.string(),
  interval: z.string(),
  currency: z.string().optional(),
  currency_base: z.string().optional(),
  currency_quote: z.string().optional(),
  exchange_timezone: z.string().optional(),
  exchange: z.string().optional(),
  mic_code: z.string().optional(),
  type: z.string().optional(),
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
