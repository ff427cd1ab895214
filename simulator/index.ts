import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { PLAN_DEFAULTS } from '../functions/_shared/contract.ts';
import type { Interval } from '../functions/_shared/intervals.ts';
import { slotAt } from './calendar.ts';
import { controlRoutes } from './control.ts';
import { CreditLedger } from './credits.ts';
import type { ApiError } from './errors.ts';
import { endpointNotFound, errorBody, internalError } from './errors.ts';
import type { SimulatorFaults } from './faults.ts';
import { mergeFaults, noFaults } from './faults.ts';
import { findInstrument } from './instruments.ts';
import { expandMarks, padErrorMessages, padJson, truncate } from './mangle.ts';
import { formatPrice, rawBar } from './prices.ts';
import type { ApiOutcome } from './time-series.ts';
import { timeSeries } from './time-series.ts';

export type { SimulatorFaults } from './faults.ts';

export interface SimulatorOptions {
  /** Simulated clock, epoch ms (default Date.now); tests fast-forward it. */
  now?: () => number;
  /** Default 8 (free plan). */
  creditsPerMinute?: number;
  /** Default 800 (free plan). */
  creditsPerDay?: number;
  /**
   * Shortens the credit minute to this many ms of wall-clock time, so tests of the pacing across
   * invocations need not wait real minutes (give the ETL the same TWELVE_DATA_MINUTE_MS).
   */
  creditMinuteMs?: number;
  faults?: Partial<SimulatorFaults>;
  /**
   * Serve the `/__sim/*` control routes. Off by default: only `npm run sim` and tests turn them
   * on, so the simulator inside `npm start --simulate` cannot be driven by anyone who finds its port.
   */
  control?: boolean;
}

export interface RequestLogEntry {
  at: number;
  path: string;
  symbols: string[];
  /** HTTP status sent; 499 when the client hung up before a delayed response went out. */
  status: number;
  credits: number;
}

export interface Simulator {
  app: Hono;
  setFaults(f: Partial<SimulatorFaults>): void;
  resetFaults(): void;
  /** Freezes the clock at `nowMs`; from then on `options.now` is no longer consulted. */
  setClock(nowMs: number): void;
  advanceClock(ms: number): void;
  now(): number;
  /** Credits used in the current wall-clock minute and UTC day of the simulated clock. */
  usage(): { minute: number; day: number };
  /** Every API request (not `/__sim/*`), newest last. */
  requests: RequestLogEntry[];
  /**
   * `${symbol}|${interval}` (canonical upper-case symbol) -> open times (UTC epoch ms) of every bar
   * served with its true, final values in a body the client received whole. Forming, corrupted,
   * duplicated-with-other-values and truncated bars are left out: a correct client stores exactly these.
   */
  barsServed(): Map<string, Set<number>>;
}

// The page Cloudflare serves when the origin is unreachable (twelvedata-python#26 saw such bodies).
const BAD_GATEWAY_HTML = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>cloudflare</center>
</body>
</html>
`;

/**
 * Legacy callers get HTTP 200 with the error in the body; callers sending `X-API-Version: last`
 * (as the 2026 official SDKs do) get the real status (docs/twelve-data.md, "Errors").
 */
function httpStatus(error: ApiError, request: Request, style: SimulatorFaults['errorStyle']): number {
  const wantsStatus = style === 'auto' ? request.headers.get('x-api-version')?.trim().toLowerCase() === 'last' : style === 'status';
  return wantsStatus ? error.code : 200;
}

function notFound(path: string): ApiOutcome {
  const error = endpointNotFound(path);
  return { body: errorBody(error), error, headers: {}, symbols: [], credits: 0, bars: [] };
}

export function createSimulator(opts: SimulatorOptions = {}): Simulator {
  const baseNow = opts.now ?? Date.now;
  let frozenAt: number | null = null;
  let faults = mergeFaults(noFaults(), opts.faults ?? {});
  const ledger = new CreditLedger(
    opts.creditsPerMinute ?? PLAN_DEFAULTS.creditsPerMinute,
    opts.creditsPerDay ?? PLAN_DEFAULTS.creditsPerDay,
    opts.creditMinuteMs ? { ms: opts.creditMinuteMs, now: Date.now } : undefined,
  );
  const requests: RequestLogEntry[] = [];
  const served = new Map<string, Set<number>>();

  const now = () => frozenAt ?? baseNow();
  // A response held by `delayMs` is let go as soon as the faults change, so a test can hold a
  // request for as long as it needs and release it, instead of racing a fixed delay.
  let faultsChanged = new AbortController();
  const changeFaults = (next: SimulatorFaults) => {
    faults = next;
    faultsChanged.abort();
    faultsChanged = new AbortController();
  };

  const sim: Simulator = {
    app: new Hono(),
    setFaults: (patch) => changeFaults(mergeFaults(faults, patch)),
    resetFaults: () => changeFaults(noFaults()),
    setClock: (nowMs) => {
      frozenAt = nowMs;
    },
    advanceClock: (ms) => {
      frozenAt = now() + ms;
    },
    now,
    usage: () => ledger.usage(now()),
    requests,
    barsServed: () => served,
  };

  if (opts.control) {
    sim.app.route(
      '/__sim',
      controlRoutes({
        ...sim,
        faults: () => faults,
        limits: { creditsPerMinute: ledger.perMinute, creditsPerDay: ledger.perDay },
      }),
    );
  }

  sim.app.all('*', async (c) => {
    const request = c.req.raw;
    const path = new URL(request.url).pathname;
    const at = now();
    // One snapshot per request, so switching faults mid-flight cannot half-apply.
    const f = faults;

    const render = (plain: object, headers: Record<string, string>, status: number): Response => {
      const body = f.errorTextBytes > 0 ? padErrorMessages(plain, f.errorTextBytes) : plain;
      let text = expandMarks(f.hugeBody > 0 ? padJson(body, f.hugeBody) : JSON.stringify(body));
      if (f.truncateBody) text = truncate(text);
      return new Response(text, { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
    };

    // Null for gateway and server faults, which fail before the API sees the request.
    let outcome: ApiOutcome | null = null;
    let response: Response;
    if (f.badGateway > 0) {
      faults = { ...faults, badGateway: faults.badGateway - 1 };
      response = new Response(BAD_GATEWAY_HTML, { status: 502, headers: { 'content-type': 'text/html' } });
    } else if (f.serverError > 0) {
      faults = { ...faults, serverError: faults.serverError - 1 };
      response = render(errorBody(internalError()), {}, 500);
    } else {
      outcome = request.method === 'GET' && path === '/time_series' ? timeSeries(request, { now: at, faults: f, ledger }) : notFound(path);
      response = render(outcome.body, outcome.headers, outcome.error ? httpStatus(outcome.error, request, f.errorStyle) : 200);
    }

    // The wait ends early when the faults change (a test releases a held response) or the client
    // hangs up (nobody is left to answer), so no test's outcome depends on the delay's length.
    if (f.delayMs > 0) {
      await sleep(f.delayMs, undefined, { signal: AbortSignal.any([faultsChanged.signal, request.signal]) }).catch(() => undefined);
    }
    const hungUp = request.signal.aborted;
    if (outcome && !hungUp && !f.truncateBody) {
      for (const { key, ts } of outcome.bars) {
        let set = served.get(key);
        if (!set) {
          set = new Set();
          served.set(key, set);
        }
        set.add(ts);
      }
    }
    requests.push({
      at,
      path,
      symbols: outcome?.symbols ?? [],
      status: hungUp ? 499 : response.status,
      credits: outcome?.credits ?? 0,
    });
    return response;
  });

  return sim;
}

export async function startSimulator(
  opts: SimulatorOptions & { port?: number } = {},
): Promise<{ url: string; sim: Simulator; close(): Promise<void> }> {
  const { port = 0, ...options } = opts;
  const sim = createSimulator(options);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: sim.app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s as Server));
    s.once('error', reject);
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    sim,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets (fetch pools them) would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

/**
 * Deterministic bar for tests: the exact OHLCV the simulator serves for (symbol, interval, UTC open
 * time) with the default `dp`, or null when no bar opens then (stock outside hours or at a weekend,
 * before 2020). Daily and weekly bars open at local midnight of their date in the exchange zone.
 */
export function simulatedBar(
  symbol: string,
  interval: Interval,
  tsMs: number,
): { open: number; high: number; low: number; close: number; volume: number | null } | null {
  const instrument = findInstrument(symbol);
  if (!instrument) throw new Error(`simulatedBar: the simulator has no instrument ${JSON.stringify(symbol)}`);
  const slot = slotAt(instrument.venue, interval, tsMs);
  if (!slot) return null;
  const raw = rawBar(instrument, slot);
  const served = (v: number) => Number(formatPrice(v, instrument.format, null));
  return { open: served(raw.open), high: served(raw.high), low: served(raw.low), close: served(raw.close), volume: raw.volume };
}
