import { type Interval, intervalMs, isIntraday } from '../intervals.ts';
import { formatUtcDatetime } from '../time.ts';
import { fetchTimeSeries, type SymbolResult, type TwelveDataHttp } from '../twelvedata/client.ts';
import { TwelveDataError, type TwelveDataErrorKind } from '../twelvedata/errors.ts';
import { type NormalisedSeries, normaliseSeries } from '../twelvedata/normalise.ts';

/**
 * Extraction: which bars to ask for, in batches the plan's per-minute credits allow, with
 * bounded retries. Every symbol ends as loaded series or as a recorded failure.
 */

export interface ExtractDeps {
  http: TwelveDataHttp;
  creditsPerMinute: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Stops extraction (no further requests, in-flight ones cancelled) when the run is abandoned. */
  signal?: AbortSignal;
  /** Told of every credit the moment it is spent, so a run that fails later still counts it. */
  onCreditsSpent?: (credits: number) => void;
  /** Credits already spent this minute, kept across the steps of a run (a fresh one per call otherwise). */
  pacer?: CreditPacer;
  /** Length of the API's credit minute; only a simulator with a shortened minute changes it. */
  minuteMs?: number;
}

export interface SymbolCursor {
  symbol: string;
  /** Open time of the newest stored bar, or null when nothing is stored yet. */
  lastTs: number | null;
}

export interface SymbolFailure {
  symbol: string;
  kind: TwelveDataErrorKind;
  message: string;
}

export interface Extraction {
  series: NormalisedSeries[];
  failures: SymbolFailure[];
  creditsUsed: number;
  requests: number;
  /** Set when the plan's daily credits ran out: the run is partial and the next run resumes. */
  stoppedBy: 'day-credits' | null;
}

/** The deepest history one credit buys. */
export const MAX_OUTPUTSIZE = 5000;
/** Bars re-read before the newest stored one, so a revised last bar is picked up. */
const OVERLAP_BARS = 2;
/** Keeps one response's size bounded however generous the plan is. */
export const MAX_SYMBOLS_PER_REQUEST = 8;
const MAX_ATTEMPTS = 4;
const BACKOFF_MS = [1_000, 4_000, 15_000];
const MINUTE_MS = 60_000;
/** Stops paging a runaway gap; 20 pages of 5000 hourly bars is over eleven years. */
const MAX_PAGES = 20;

function startDateFor(cursor: SymbolCursor, interval: Interval): string | undefined {
  if (cursor.lastTs === null) return undefined;
  const from = cursor.lastTs - OVERLAP_BARS * intervalMs(interval);
  return isIntraday(interval) ? formatUtcDatetime(from) : formatUtcDatetime(from).slice(0, 10);
}

/** Symbols with history first, newest cursors together, so a batch's shared start_date wastes little. */
export function planBatches(cursors: readonly SymbolCursor[], size: number): SymbolCursor[][] {
  const ordered = [...cursors].sort((a, b) => (b.lastTs ?? -Infinity) - (a.lastTs ?? -Infinity));
  const batches: SymbolCursor[][] = [];
  for (let i = 0; i < ordered.length; i += size) {
    const batch = ordered.slice(i, i + size);
    // New symbols (no start date) must not share a request with incremental ones.
    const fresh = batch.filter((c) => c.lastTs === null);
    const known = batch.filter((c) => c.lastTs !== null);
    if (known.length) batches.push(known);
    if (fresh.length) batches.push(fresh);
  }
  return batches;
}

export class CreditPacer {
  private minute = -1;
  private spent = 0;
  /** Starts at the configured plan; lowered when the API states a smaller one. */
  limit: number;
  private readonly minuteMs: number;
  constructor(private readonly deps: Pick<ExtractDeps, 'creditsPerMinute' | 'now' | 'sleep' | 'minuteMs'>) {
    this.limit = deps.creditsPerMinute;
    this.minuteMs = deps.minuteMs ?? MINUTE_MS;
  }

  /** Counts credits an earlier invocation spent in the current minute (read back from its committed steps). */
  spentEarlier(credits: number): void {
    this.roll();
    this.spent += credits;
  }

  /** The start of the current credit minute, epoch ms. */
  minuteStart(): number {
    return Math.floor(this.deps.now() / this.minuteMs) * this.minuteMs;
  }

  /** How long a request for `credits` would wait for the next minute; 0 when it fits now. */
  waitNeeded(credits: number): number {
    this.roll();
    return this.spent + Math.min(credits, this.limit) > this.limit ? this.untilNextMinute() : 0;
  }

  /** Waits until `credits` fit into the current wall-clock minute's allowance. */
  async reserve(credits: number): Promise<void> {
    this.roll();
    if (this.spent + credits > this.limit) await this.waitForNextMinute();
    this.spent += credits;
  }

  async waitForNextMinute(): Promise<void> {
    await this.deps.sleep(this.untilNextMinute());
    this.roll();
  }

  private untilNextMinute(): number {
    const now = this.deps.now();
    // A margin (a second of a real minute): the API's minute and ours are different clocks.
    return this.minuteMs - (now % this.minuteMs) + Math.ceil(this.minuteMs / 60);
  }

  private roll(): void {
    const minute = Math.floor(this.deps.now() / this.minuteMs);
    if (minute !== this.minute) {
      this.minute = minute;
      this.spent = 0;
    }
  }
}

export async function extract(deps: ExtractDeps, interval: Interval, cursors: readonly SymbolCursor[]): Promise<Extraction> {
  const result: Extraction = { series: [], failures: [], creditsUsed: 0, requests: 0, stoppedBy: null };
  const pacer = deps.pacer ?? new CreditPacer(deps);
  const batchSize = Math.max(1, Math.min(MAX_SYMBOLS_PER_REQUEST, deps.creditsPerMinute));
  const pending = planBatches(cursors, batchSize);

  for (let index = 0; index < pending.length; index++) {
    const batch = pending[index]!;
    if (result.stoppedBy) {
      for (const cursor of batch)
        result.failures.push({ symbol: cursor.symbol, kind: 'day-credits', message: 'not fetched: daily credits ran out' });
      continue;
    }
    const starts = batch.map((cursor) => startDateFor(cursor, interval)).filter((s): s is string => s !== undefined);
    const startDate = starts.sort()[0];
    try {
      const results = await fetchWithRetries(deps, pacer, result, {
        symbols: batch.map((cursor) => cursor.symbol),
        interval,
        outputsize: MAX_OUTPUTSIZE,
        ...(startDate ? { startDate } : {}),
      });
      collect(results, interval, deps.now(), result);
    } catch (error) {
      if (!(error instanceof TwelveDataError)) throw error;
      if (error.kind === 'auth') throw error;
      if (error.kind === 'day-credits') result.stoppedBy = 'day-credits';
      for (const cursor of batch) result.failures.push({ symbol: cursor.symbol, kind: error.kind, message: error.message });
    }
  }
  await fillGaps(deps, pacer, interval, cursors, result);
  return result;
}

function asFailure(symbol: string, error: unknown): SymbolFailure {
  if (error instanceof TwelveDataError) return { symbol, kind: error.kind, message: error.message };
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { symbol, kind: 'bad-response', message: message.slice(0, 500) };
}

function collect(results: SymbolResult[], interval: Interval, nowMs: number, into: Extraction): void {
  for (const entry of results) {
    if (!entry.ok) {
      // "No data in range" for an incremental request just means nothing new yet.
      if (entry.error.kind !== 'no-data') {
        into.failures.push({ symbol: entry.symbol, kind: entry.error.kind, message: entry.error.message });
      }
      continue;
    }
    try {
      into.series.push(normaliseSeries(entry.symbol, interval, entry.body, nowMs));
    } catch (error) {
      // Whatever one symbol's data does to the normaliser, the other symbols still load.
      into.failures.push(asFailure(entry.symbol, error));
    }
  }
}

/**
 * A full page whose oldest bar is still newer than the symbol's cursor means bars are
 * missing in between: ask for the older ones, page by page, until the gap is closed.
 */
async function fillGaps(
  deps: ExtractDeps,
  pacer: CreditPacer,
  interval: Interval,
  cursors: readonly SymbolCursor[],
  result: Extraction,
): Promise<void> {
  for (const cursor of cursors) {
    if (cursor.lastTs === null) continue;
    const series = result.series.find((s) => s.meta.symbol === cursor.symbol);
    if (!series) continue;
    // Whether the newest page came back full decides whether an older one may exist; the series'
    // counts, by contrast, add up over every page merged into it.
    let pageReceived = series.bars.length + series.rejected.length + series.unfinished + series.duplicates;
    for (let page = 0; page < MAX_PAGES && !result.stoppedBy; page++) {
      const oldest = series.bars[0]?.ts;
      if (oldest === undefined || oldest <= cursor.lastTs || pageReceived < MAX_OUTPUTSIZE) break;
      try {
        const [older] = await fetchWithRetries(deps, pacer, result, {
          symbols: [cursor.symbol],
          interval,
          outputsize: MAX_OUTPUTSIZE,
          startDate: startDateFor(cursor, interval)!,
          endDate: isIntraday(interval) ? formatUtcDatetime(oldest) : formatUtcDatetime(oldest).slice(0, 10),
        });
        if (!older?.ok) break;
        const olderSeries = normaliseSeries(cursor.symbol, interval, older.body, deps.now());
        if (olderSeries.bars.length === 0) break;
        pageReceived = olderSeries.bars.length + olderSeries.rejected.length + olderSeries.unfinished + olderSeries.duplicates;
        // The page boundary (end_date is inclusive) repeats a bar we asked for twice: that is our
        // overlap, not an upstream duplicate, so it is dropped here without being counted.
        const known = new Set(series.bars.map((bar) => bar.ts));
        series.bars = [...olderSeries.bars.filter((bar) => !known.has(bar.ts)), ...series.bars];
        series.rejected.push(...olderSeries.rejected);
        series.duplicates += olderSeries.duplicates;
        series.unfinished += olderSeries.unfinished;
      } catch (error) {
        if (deps.signal?.aborted) throw error;
        if (error instanceof TwelveDataError && error.kind === 'day-credits') result.stoppedBy = 'day-credits';
        const failure = asFailure(cursor.symbol, error);
        result.failures.push({ ...failure, message: `filling a gap: ${failure.message}` });
        break;
      }
    }
  }
}

type Request = Parameters<typeof fetchTimeSeries>[1];

async function fetchWithRetries(deps: ExtractDeps, pacer: CreditPacer, result: Extraction, request: Request): Promise<SymbolResult[]> {
  for (let attempt = 1; ; attempt++) {
    // A batch larger than the plan's minute can never pass: the API refuses it whole.
    if (request.symbols.length > pacer.limit) return await fetchSplit(deps, pacer, result, request);
    await pacer.reserve(request.symbols.length);
    deps.signal?.throwIfAborted();
    result.requests += 1;
    try {
      const results = await fetchTimeSeries(deps.signal ? { ...deps.http, signal: deps.signal } : deps.http, request);
      result.creditsUsed += request.symbols.length;
      deps.onCreditsSpent?.(request.symbols.length);
      return results;
    } catch (error) {
      if (!(error instanceof TwelveDataError) || attempt >= MAX_ATTEMPTS) throw error;
      if (error.kind === 'minute-credits') {
        const stated = error.creditLimit;
        if (stated !== null && stated > 0 && stated < pacer.limit) pacer.limit = stated;
        await pacer.waitForNextMinute();
      } else if (error.retryable) {
        await deps.sleep(BACKOFF_MS[attempt - 1] ?? BACKOFF_MS[BACKOFF_MS.length - 1]!);
      } else {
        throw error;
      }
    }
  }
}

async function fetchSplit(deps: ExtractDeps, pacer: CreditPacer, result: Extraction, request: Request): Promise<SymbolResult[]> {
  const results: SymbolResult[] = [];
  for (let from = 0; from < request.symbols.length; from += pacer.limit) {
    const symbols = request.symbols.slice(from, from + pacer.limit);
    results.push(...(await fetchWithRetries(deps, pacer, result, { ...request, symbols })));
  }
  return results;
}
