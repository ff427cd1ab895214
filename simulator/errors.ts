/**
 * The API's error bodies. Messages marked "verbatim" are copied from real responses (see
 * docs/twelve-data.md, "Errors"), because clients match on them (a 429 for the minute and one
 * for the day share the code and differ only in wording). The rest have no published sample and
 * copy the style of the documented `Invalid **interval** provided` message.
 */

export interface ApiError {
  code: number;
  message: string;
  /** Some errors carry the request's symbol context (symbol not found, plan-gated symbol). */
  meta?: { symbol: string; interval: string; exchange: string };
}

export interface ErrorBody extends ApiError {
  status: 'error';
}

export function errorBody(error: ApiError): ErrorBody {
  return error.meta
    ? { code: error.code, message: error.message, status: 'error', meta: error.meta }
    : { code: error.code, message: error.message, status: 'error' };
}

const PRICING = 'https://twelvedata.com/pricing';

/** Verbatim. */
export const invalidApiKey = (): ApiError => ({
  code: 401,
  message: `**apikey** parameter is incorrect or not specified. You can get your free API key instantly following this link: ${PRICING}. If you believe that everything is correct, you can contact us at https://twelvedata.com/contact/customer`,
});

/** Verbatim. */
export const demoKeyRefused = (): ApiError => ({
  code: 401,
  message: `The 'demo' API key is only used for initial familiarity. To become a full user, you can request your own API key at ${PRICING}. It is absolutely free, and it's yours for a lifetime. It only takes 10 seconds to obtain your own API key!`,
});

/** Verbatim; code 404 as in newer captures (older ones used 400). */
export const symbolNotFound = (symbol: string): ApiError => ({
  code: 404,
  message: `**symbol** not found: ${symbol}. Please specify it correctly according to API Documentation.`,
});

/** Verbatim. */
export const symbolPlanGated = (symbol: string): ApiError => ({
  code: 404,
  message: `**symbol** ${symbol} is not available with your plan. You may select the appropriate plan at ${PRICING}`,
});

/** Verbatim. */
export const noData = (): ApiError => ({
  code: 400,
  message: 'No data is available on the specified dates. Try setting different start/end dates.',
});

/** Verbatim (the docs' example). */
export const invalidInterval = (value: string): ApiError => ({
  code: 400,
  message: `Invalid **interval** provided: ${value}. Supported intervals: 1min, 5min, 15min, 30min, 45min, 1h, 2h, 4h, 8h, 1day, 1week, 1month`,
});

/** Verbatim; `used` is what the account would reach with this request. */
export const minuteCreditsExhausted = (used: number, limit: number): ApiError => ({
  code: 429,
  message: `You have run out of API credits for the current minute. ${used} API credits were used, with the current limit being ${limit}. Wait for the next minute or consider switching to a higher tier plan at ${PRICING}`,
});

/** Verbatim. */
export const dayCreditsExhausted = (used: number, limit: number): ApiError => ({
  code: 429,
  message: `You have run out of API credits for the day. ${used} API credits were used, with the current limit being ${limit}. Wait for the next day or consider switching to a paid plan that will remove daily limits at ${PRICING}`,
});

export const missingParameter = (name: string): ApiError => ({
  code: 400,
  message: `**${name}** parameter is missing or invalid. Please provide a valid ${name} according to API documentation: https://twelvedata.com/docs`,
});

export const invalidParameter = (name: string, value: string, supported: string): ApiError => ({
  code: 400,
  message: `Invalid **${name}** provided: ${value}. Supported values: ${supported}`,
});

/** Code and meaning from the docs' error table; no sample message exists. */
export const parameterTooLong = (name: string, limit: number): ApiError => ({
  code: 414,
  message: `Parameter Too Long: **${name}** accepts at most ${limit} entries.`,
});

export const endpointNotFound = (path: string): ApiError => ({
  code: 404,
  message: `Endpoint not found: ${path}. Please specify it correctly according to API Documentation.`,
});

export const internalError = (): ApiError => ({
  code: 500,
  message: 'Internal Server Error. Please try again later or contact us at https://twelvedata.com/contact/customer',
});
