import { parseBarsEvent, parseRun } from './parse.ts';
import type { BarsEvent, EtlRun } from './types.ts';

/** `unreachable`: the server is there, but its database is not (the server says so on the stream). */
export type LiveStatus = 'connecting' | 'live' | 'offline' | 'unreachable';

/**
 * Where "new bars landed" and "a run finished" come from: server-sent events from the Node server
 * (below) or Supabase Realtime (live-supabase.ts), with `createPoller` as the fallback while down.
 * `onStatus('live')` after `'offline'` means the connection came back and the caller should catch up.
 */
export interface LiveSource {
  subscribe(onBars: (e: BarsEvent) => void, onRun: (r: EtlRun) => void, onStatus: (s: LiveStatus) => void): () => void;
}

/** The part of `EventSource` the adapter uses, so tests can hand in a fake. */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((ev: Event) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  addEventListener(type: string, listener: (ev: MessageEvent) => unknown): void;
  close(): void;
}

export interface SseOptions {
  EventSource?: new (url: string) => EventSourceLike;
  /** Delay before starting over once the browser has given up on the stream. */
  retryMs?: number;
}

const CLOSED = 2;

/** The server's `database` event: `{"reachable": boolean}`. */
export function parseDatabaseEvent(body: unknown): boolean {
  const reachable = (body as { reachable?: unknown } | null)?.reachable;
  if (typeof reachable !== 'boolean') throw new Error('unexpected database event: reachable should be a boolean');
  return reachable;
}

export function createSseSource(url = '/api/stream', options: SseOptions = {}): LiveSource {
  const Source = options.EventSource ?? EventSource;
  const retryMs = options.retryMs ?? 5_000;

  return {
    subscribe(onBars, onRun, onStatus) {
      let source: EventSourceLike | undefined;
      let retry: ReturnType<typeof setTimeout> | undefined;
      let stopped = false;

      function relay<T>(event: string, parse: (body: unknown) => T, deliver: (value: T) => void) {
        return (ev: MessageEvent) => {
          let value: T;
          try {
            value = parse(JSON.parse(String(ev.data)));
          } catch (err) {
            console.warn(`ignored malformed "${event}" event`, err);
            return;
          }
          deliver(value);
        };
      }

      function connect() {
        if (stopped) return;
        const es = new Source(url);
        source = es;
        es.onopen = () => onStatus('live');
        es.onerror = () => {
          onStatus('offline');
          // The browser retries dropped streams by itself, but gives up for good when the response
          // itself is refused (an HTTP error from a proxy, a wrong content type); then we start over.
          if (es.readyState === CLOSED) {
            es.close();
            retry = setTimeout(connect, retryMs);
          }
        };
        es.addEventListener('bars', relay('bars', parseBarsEvent, onBars));
        es.addEventListener('run', relay('run', parseRun, onRun));
        // The server's own LISTEN was lost and is back: announcements were missed, so catch up.
        es.addEventListener('resync', () => onStatus('live'));
        // Back to 'live' when the database answers again, which makes the app catch up.
        es.addEventListener(
          'database',
          relay('database', parseDatabaseEvent, (reachable) => onStatus(reachable ? 'live' : 'unreachable')),
        );
      }

      onStatus('connecting');
      connect();
      return () => {
        stopped = true;
        clearTimeout(retry);
        source?.close();
      };
    },
  };
}

export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(id: unknown): void;
}

const realTimers: Timers = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (id) => clearInterval(id as ReturnType<typeof setInterval>),
};

/**
 * The fallback while the live connection is down: calls `tick` (fetch whatever is new) every
 * `intervalMs` until the status is 'live' again. Fed every status change of the live source.
 */
export function createPoller(intervalMs: number, tick: () => void, timers: Timers = realTimers) {
  let timer: unknown;
  const stop = () => {
    if (timer !== undefined) timers.clearInterval(timer);
    timer = undefined;
  };
  return {
    status(s: LiveStatus) {
      if (s === 'live') stop();
      else if (timer === undefined) timer = timers.setInterval(tick, intervalMs);
    },
    stop,
    polling: () => timer !== undefined,
  };
}
