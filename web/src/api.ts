import { type BarSeries, parseBars, type Resolution } from './bars.ts';
import { parseConfig, parseLatest, parseLatestRun, parseSeries } from './parse.ts';
import { parseReturns, type ReturnRow } from './returns.ts';
import { type Config, type EtlRun, type LatestRow, SERIES_COLUMNS, type Series, type SeriesColumn } from './types.ts';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    url: string,
  ) {
    super(`GET ${url} answered ${status}`);
  }
}

export interface SeriesQuery {
  symbols: readonly string[];
  interval: string;
  /** ISO time, inclusive. */
  from?: string;
  to?: string;
  maxPoints?: number;
  /** The columns to fetch besides `ts` (what the charts draw); every column when absent. */
  columns?: readonly SeriesColumn[];
}

export interface Api {
  config(): Promise<Config>;
  latest(interval: string): Promise<LatestRow[]>;
  series(query: SeriesQuery): Promise<Series[]>;
  latestRun(): Promise<EtlRun | null>;
  /** Every period's return of the symbols (all when empty), as market.returns() defines them. */
  returns?(symbols: readonly string[], interval: string): Promise<ReturnRow[]>;
  /** Every bar at a resolution (market.bars): hourly as stored, or daily/weekly aggregated in the database. */
  bars?(query: BarsQuery): Promise<BarSeries[]>;
}

export interface BarsQuery {
  symbols: readonly string[];
  resolution: Resolution;
  interval: string;
  from?: string;
  to?: string;
}

export function barsPath(q: BarsQuery): string {
  let path = `/api/bars?symbols=${q.symbols.map(encodeURIComponent).join(',')}&resolution=${q.resolution}`;
  path += `&interval=${encodeURIComponent(q.interval)}`;
  if (q.from !== undefined) path += `&from=${encodeURIComponent(q.from)}`;
  if (q.to !== undefined) path += `&to=${encodeURIComponent(q.to)}`;
  return path;
}

export function latestPath(interval: string): string {
  return `/api/latest?interval=${encodeURIComponent(interval)}`;
}

export function returnsPath(symbols: readonly string[], interval: string): string {
  const list = symbols.length > 0 ? `symbols=${symbols.map(encodeURIComponent).join(',')}&` : '';
  return `/api/returns?${list}interval=${encodeURIComponent(interval)}`;
}

/** Symbols stay comma-separated with each one encoded (`AAPL,BTC%2FUSD`), as the server splits on the comma. */
export function seriesPath(q: SeriesQuery): string {
  let path = `/api/series?symbols=${q.symbols.map(encodeURIComponent).join(',')}`;
  path += `&interval=${encodeURIComponent(q.interval)}`;
  if (q.from !== undefined) path += `&from=${encodeURIComponent(q.from)}`;
  if (q.to !== undefined) path += `&to=${encodeURIComponent(q.to)}`;
  if (q.maxPoints !== undefined) path += `&max_points=${q.maxPoints}`;
  if (q.columns !== undefined) path += `&columns=${q.columns.join(',')}`;
  return path;
}

/** `cache` spelled out: Node's own RequestInit type (the server imports this module) does not declare it. */
type Fetch = (url: string, init: RequestInit & { cache?: 'no-cache' }) => Promise<Response>;

/** A hung request would stall the live update queue behind it, so every request has a deadline. */
const TIMEOUT_MS = 15_000;

/** Where the Node server writes the configuration into the page (a static page, as on Supabase, has none). */
export const CONFIG_ELEMENT_ID = 'market-pulse-config';
/** Where it writes its first reads' answers: one JSON object, request path to answer. */
export const ANSWERS_ELEMENT_ID = 'market-pulse-answers';

/**
 * `configInPage`: the text of the configuration the page was served with (the element above), if
 * any. Valid, it saves the page's first request, which everything else waited for.
 * `answersInPage`: the text of the answers the page was served with. Each is used once, for the
 * first read of its path; every later read of it (a catch-up, a live update) asks the server.
 */
export function createApi(
  base = '',
  fetchFn: Fetch = (url, init) => fetch(url, init),
  configInPage: () => string | null = () => null,
  answersInPage: () => string | null = () => null,
): Api {
  let inPage: Map<string, unknown> | undefined;
  /** The page's answer for a path, once; undefined when it has none (or none left). */
  function takeInPage(path: string): unknown {
    if (!inPage) {
      inPage = new Map();
      try {
        const all: unknown = JSON.parse(answersInPage() ?? '{}');
        if (all && typeof all === 'object' && !Array.isArray(all)) inPage = new Map(Object.entries(all));
      } catch {
        // Not what the server writes: everything is asked for.
      }
    }
    const answer = inPage.get(path);
    inPage.delete(path);
    return answer;
  }

  async function get<T>(path: string, parse: (body: unknown) => T): Promise<T> {
    const held = takeInPage(path);
    if (held !== undefined) {
      try {
        return parse(held);
      } catch {
        // Not a valid answer: asked for instead, and judged as that one is.
      }
    }
    const url = base + path;
    // Revalidated every time (a 304 when unchanged): a page shown by Back or Forward would otherwise
    // get its reads from the browser's cache without asking, as old as that visit.
    const res = await fetchFn(url, { headers: { accept: 'application/json' }, cache: 'no-cache', signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) throw new HttpError(res.status, url);
    return parse(await res.json());
  }

  return {
    config: () => {
      const text = configInPage();
      if (text) {
        try {
          return Promise.resolve(parseConfig(JSON.parse(text)));
        } catch {
          // Not what the server writes: asked for instead.
        }
      }
      return get('/api/config', parseConfig);
    },
    latest: (interval) => get(latestPath(interval), parseLatest),
    series: (q) => get(seriesPath(q), (body) => parseSeries(body, q.columns ?? SERIES_COLUMNS)),
    latestRun: () => get('/api/runs/latest', parseLatestRun),
    returns: (symbols, interval) => get(returnsPath(symbols, interval), parseReturns),
    bars: (q) => get(barsPath(q), parseBars),
  };
}
