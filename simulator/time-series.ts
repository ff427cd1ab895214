import type { BarSlot } from './calendar.ts';
import { HISTORY_START_MS, isIntradayInterval, slotsDescending } from './calendar.ts';
import type { CreditLedger } from './credits.ts';
import type { ApiError } from './errors.ts';
import {
  dayCreditsExhausted,
  demoKeyRefused,
  errorBody,
  invalidApiKey,
  minuteCreditsExhausted,
  noData,
  symbolNotFound,
  symbolPlanGated,
} from './errors.ts';
import type { SimulatorFaults } from './faults.ts';
import { listsSymbol } from './faults.ts';
import { hashString } from './hash.ts';
import { findInstrument } from './instruments.ts';
import type { BarItem, Row } from './mangle.ts';
import { duplicateBars, hostileValues, shuffle } from './mangle.ts';
import type { TimeSeriesParams } from './params.ts';
import { MAX_OUTPUTSIZE, parseTimeSeriesParams, queryParams } from './params.ts';
import { formatPrice, rawBar } from './prices.ts';
import { DAY_MS, formatWallDateTime, utcToWall, wallDay, wallToUtc } from './zone-oracle.ts';

export interface ApiContext {
  now: number;
  faults: SimulatorFaults;
  ledger: CreditLedger;
}

/** What the endpoint decided, before the wire format (error style, padding, truncation) is applied. */
export interface ApiOutcome {
  body: object;
  /** Set when the whole body is one error; its code becomes the HTTP status in the "status" style. */
  error: ApiError | null;
  headers: Record<string, string>;
  symbols: string[];
  credits: number;
  /** Genuine, final bars in the body, keyed `${symbol}|${interval}`: what a correct client may store. */
  bars: Array<{ key: string; ts: number }>;
}

const DEMO_KEY = 'demo';
/** `hugeMeta`: 200 KB, which copied into every SSOT row once made 5 symbols a 300 MB table. */
const HUGE_META_CHARS = 200 * 1024;
const DEMO_SYMBOL = 'AAPL';

/** The key from `Authorization: apikey KEY` (what the official SDKs send) or `?apikey=KEY`. */
function apiKey(request: Request, query: Map<string, string>): string {
  const header = /^\s*apikey\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '');
  return (header?.[1] ?? query.get('apikey') ?? '').trim();
}

function failure(error: ApiError, ctx: ApiContext, symbols: string[] = []): ApiOutcome {
  return { body: errorBody(error), error, headers: ctx.ledger.headers(ctx.now), symbols, credits: 0, bars: [] };
}

/**
 * `GET /time_series`. Rejections of the whole request (key, parameters, credits) cost nothing;
 * an accepted request costs one credit per distinct symbol whatever each symbol's outcome, since
 * the API bills by symbol and its documentation knows no exception for symbols that fail.
 */
export function timeSeries(request: Request, ctx: ApiContext): ApiOutcome {
  const query = queryParams(new URL(request.url));
  const key = apiKey(request, query);
  if (key === '' || ctx.faults.invalidKeys.includes(key)) return failure(invalidApiKey(), ctx);

  const params = parseTimeSeriesParams(query);
  if ('code' in params) return failure(params, ctx);
  const { symbols } = params;

  if (key === DEMO_KEY && !(symbols.length === 1 && symbols[0]?.toUpperCase() === DEMO_SYMBOL)) {
    return failure(demoKeyRefused(), ctx, symbols);
  }

  const cost = symbols.length;
  const shortfall = ctx.ledger.shortfall(ctx.now, cost, { minute: ctx.faults.exhaustMinute, day: ctx.faults.exhaustDay });
  if (shortfall) {
    const limit = shortfall.limit === 'day' ? ctx.ledger.perDay : ctx.ledger.perMinute;
    const make = shortfall.limit === 'day' ? dayCreditsExhausted : minuteCreditsExhausted;
    return failure(make(shortfall.wouldUse, limit), ctx, symbols);
  }
  ctx.ledger.charge(ctx.now, cost);

  const results = symbols.map((symbol) => seriesFor(symbol, params, ctx));
  const bars = results.flatMap((r) => r.bars);
  const headers = ctx.ledger.headers(ctx.now);
  const [only] = results;
  if (symbols.length === 1 && only) {
    return { body: only.error ? errorBody(only.error) : only.body, error: only.error, headers, symbols, credits: cost, bars };
  }
  // In a batch every error entry names the whole request (seen in captured responses; docs/twelve-data.md, "Batches").
  const batchMeta = { symbol: symbols.join(','), interval: params.interval, exchange: '' };
  const body = Object.fromEntries(results.map((r, i) => [symbols[i], r.error ? errorBody({ ...r.error, meta: batchMeta }) : r.body]));
  return { body, error: null, headers: { ...headers, is_batch: 'true' }, symbols, credits: cost, bars };
}

interface SymbolResult {
  body: object;
  error: ApiError | null;
  bars: Array<{ key: string; ts: number }>;
}

function symbolError(error: ApiError): SymbolResult {
  return { body: errorBody(error), error, bars: [] };
}

function seriesFor(requested: string, params: TimeSeriesParams, ctx: ApiContext): SymbolResult {
  const { faults, now } = ctx;
  const instrument = findInstrument(requested);
  const symbolMeta = { symbol: requested, interval: params.interval, exchange: '' };
  if (!instrument || listsSymbol(faults.unknownSymbols, requested)) return symbolError({ ...symbolNotFound(requested), meta: symbolMeta });
  if (listsSymbol(faults.planGatedSymbols, requested)) return symbolError({ ...symbolPlanGated(requested), meta: symbolMeta });

  const intraday = isIntradayInterval(params.interval);
  // Daily and longer bars ignore `timezone`: they are always exchange-local dates (docs, §2.1).
  const zone = (intraday ? params.timezone : null) ?? instrument.venue.zone;
  const { start, end } = requestedRange(params, zone, now);
  const datesGiven = params.startWall !== null || params.endWall !== null || params.date !== null;
  const limit = params.outputsize ?? (datesGiven ? MAX_OUTPUTSIZE : 30);

  const item = (slot: BarSlot): BarItem => {
    const raw = rawBar(instrument, slot);
    const price = (v: number) => formatPrice(v, instrument.format, params.dp);
    const bar: BarItem = {
      datetime: intraday ? formatWallDateTime(utcToWall(zone, slot.ts)) : slot.date,
      open: price(raw.open),
      high: price(raw.high),
      low: price(raw.low),
      close: price(raw.close),
    };
    if (raw.volume !== null) bar.volume = String(raw.volume);
    return bar;
  };

  let rows: Row[] = [];
  let forming: Row | null = null;
  for (const slot of slotsDescending(instrument.venue, params.interval, Math.min(end, now + 1), start)) {
    if (rows.length >= limit) break;
    if (slot.to <= now) {
      rows.push({ ts: slot.ts, item: item(slot), genuine: true });
    } else if (faults.unfinishedLastBar && slot.from < now && rows.length === 0) {
      const elapsed = (now - slot.from) / (slot.to - slot.from);
      forming = { ts: slot.ts, item: item({ ...slot, to: now, sessions: slot.sessions * elapsed }), genuine: false };
    }
  }
  if (forming) rows = [forming, ...rows].slice(0, limit);
  if (rows.length === 0) return symbolError(noData());

  const seed = hashString(instrument.symbol);
  if (faults.duplicateBars) rows = duplicateBars(rows, seed, (v) => formatPrice(v, instrument.format, params.dp));
  if (faults.hostileValues) rows = hostileValues(rows, faults.hostileValues);
  if (params.order === 'asc') rows.reverse();
  if (faults.outOfOrder) rows = shuffle(rows, seed);

  const key = `${instrument.symbol}|${params.interval}`;
  const meta = instrument.meta(params.interval);
  // A symbol whose meta is hostile cannot be stored at all, so none of its bars count as served.
  let metaIntact = true;
  if (listsSymbol(faults.hugeMeta, requested)) {
    meta.exchange = `${meta.exchange} ${'x'.repeat(HUGE_META_CHARS)}`;
    metaIntact = false;
  }
  if (listsSymbol(faults.unknownTimezone, requested)) {
    meta.exchange_timezone = 'Mars/Olympus';
    metaIntact = false;
  }
  return {
    body: { meta, values: rows.map((r) => r.item), status: 'ok' },
    error: null,
    bars: metaIntact ? rows.filter((r) => r.genuine).map((r) => ({ key, ts: r.ts })) : [],
  };
}

/**
 * The requested `[start, end)` in UTC ms. Dates are read in `zone`: the exchange's (New York for
 * stocks, UTC for crypto) unless `timezone` names another.
 */
function requestedRange(params: TimeSeriesParams, zone: string, now: number): { start: number; end: number } {
  if (params.date !== null) {
    const today = wallDay(utcToWall(zone, now));
    const day = params.date === 'today' ? today : params.date === 'yesterday' ? today - 1 : wallDay(params.date.wall);
    return { start: wallToUtc(zone, day * DAY_MS), end: wallToUtc(zone, (day + 1) * DAY_MS) };
  }
  return {
    start: params.startWall === null ? HISTORY_START_MS : wallToUtc(zone, params.startWall),
    end: params.endWall === null ? Number.POSITIVE_INFINITY : wallToUtc(zone, params.endWall),
  };
}
