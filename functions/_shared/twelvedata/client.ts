import type { Interval } from '../intervals.ts';
import { classifyApiError, TwelveDataError } from './errors.ts';
import { errorBody, type TimeSeriesOk, timeSeriesEntry } from './schemas.ts';

/**
 * One HTTP call to Twelve Data's /time_series for one or more symbols. Pacing, retries and
 * paging live in the extractor; this module only speaks the protocol and says what came back.
 */

export interface TwelveDataHttp {
  baseUrl: string;
  apiKey: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Bodies past this many bytes are refused rather than parsed. */
  maxBodyBytes?: number;
  /** Cancels the request when the caller gives up. */
  signal?: AbortSignal;
}

export interface TimeSeriesRequest {
  symbols: readonly string[];
  interval: Interval;
  /** UTC `YYYY-MM-DD HH:MM:SS` (or a date for daily bars), inclusive. */
  startDate?: string;
  /** UTC, exclusive. */
  endDate?: string;
  outputsize: number;
}

export type SymbolResult = { symbol: string; ok: true; body: TimeSeriesOk } | { symbol: string; ok: false; error: TwelveDataError };

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

function timeSeriesUrl(baseUrl: string, request: TimeSeriesRequest): URL {
  const url = new URL('/time_series', baseUrl);
  url.searchParams.set('symbol', request.symbols.join(','));
  url.searchParams.set('interval', request.interval);
  url.searchParams.set('outputsize', String(request.outputsize));
  // Intraday bars then come in UTC for every asset class; daily bars ignore it (exchange dates).
  url.searchParams.set('timezone', 'UTC');
  url.searchParams.set('order', 'asc');
  if (request.startDate) url.searchParams.set('start_date', request.startDate);
  if (request.endDate) url.searchParams.set('end_date', request.endDate);
  return url;
}

/**
 * Fetches one batch. Whole-request failures (key, credits, 5xx, network, unreadable body)
 * throw a TwelveDataError; per-symbol failures come back as results so the others still load.
 */
export async function fetchTimeSeries(http: TwelveDataHttp, request: TimeSeriesRequest): Promise<SymbolResult[]> {
  const url = timeSeriesUrl(http.baseUrl, request);
  const text = await getText(http, url);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // A 200 whose body is not JSON is a gateway page or a body cut off in transit: worth a retry.
    throw new TwelveDataError('server', `Twelve Data sent a body that is not valid JSON (${text.length} bytes)`);
  }

  const topLevelError = errorBody.safeParse(body);
  if (topLevelError.success) throw classifyApiError(topLevelError.data.code, topLevelError.data.message);

  if (request.symbols.length === 1) {
    return [toResult(request.symbols[0]!, body)];
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new TwelveDataError('bad-response', 'Twelve Data sent a batch body that is not an object keyed by symbol');
  }
  // Entry by entry, so one malformed entry cannot sink the whole batch.
  const entries = body as Record<string, unknown>;
  return request.symbols.map((symbol) => {
    const key = Object.keys(entries).find((candidate) => candidate.toUpperCase() === symbol.toUpperCase());
    if (key === undefined) {
      return { symbol, ok: false, error: new TwelveDataError('bad-response', `no entry for ${symbol} in the batch response`) };
    }
    return toResult(symbol, entries[key]);
  });
}

function toResult(symbol: string, entry: unknown): SymbolResult {
  const parsed = timeSeriesEntry.safeParse(entry);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'body';
    const why = issue ? `: ${issue.message.slice(0, 120)}` : '';
    return { symbol, ok: false, error: new TwelveDataError('bad-response', `unexpected shape for ${symbol} at ${where}${why}`) };
  }
  if (parsed.data.status === 'error') {
    return { symbol, ok: false, error: classifyApiError(parsed.data.code, parsed.data.message) };
  }
  return { symbol, ok: true, body: parsed.data };
}

async function getText(http: TwelveDataHttp, url: URL): Promise<string> {
  const doFetch = http.fetch ?? fetch;
  const maxBytes = http.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const timeoutMs = http.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Held in a variable used after the await: a timeout signal reachable only through
  // AbortSignal.any() can be garbage-collected before it fires (seen on Node 20).
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await doFetch(url, {
      headers: {
        // The header keeps the key out of URLs, and so out of proxy and server logs.
        Authorization: `apikey ${http.apiKey}`,
        // Asks for real HTTP statuses on errors; bodies with status "error" are handled too.
        'X-API-Version': 'last',
        Accept: 'application/json',
      },
      signal: http.signal ? AbortSignal.any([http.signal, timeout]) : timeout,
    });
  } catch (error) {
    const reason = timeout.aborted
      ? `timed out after ${timeoutMs} ms`
      : error instanceof Error
        ? `${error.name}: ${error.message}`
        : String(error);
    throw new TwelveDataError('network', `request to ${url.origin} failed (${reason})`);
  }

  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new TwelveDataError('bad-response', `response of ${declared} bytes exceeds the ${maxBytes}-byte limit`);
  }
  const text = await readLimited(response, maxBytes, url, timeout);

  if (!response.ok) {
    const parsed = safeJson(text);
    const asError = errorBody.safeParse(parsed);
    if (asError.success) throw classifyApiError(asError.data.code, asError.data.message);
    const kind = response.status >= 500 ? 'server' : 'request';
    throw new TwelveDataError(kind, `Twelve Data answered HTTP ${response.status} ${response.statusText}`.trim(), response.status);
  }
  return text;
}

async function readLimited(response: Response, maxBytes: number, url: URL, timeout: AbortSignal): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw new TwelveDataError('bad-response', `response exceeds the ${maxBytes}-byte limit`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof TwelveDataError) throw error;
    const reason = timeout.aborted ? 'timed out' : error instanceof Error ? error.message : String(error);
    throw new TwelveDataError('network', `reading the response from ${url.origin} failed (${reason})`);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
