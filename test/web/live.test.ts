import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createPoller, createSseSource, type EventSourceLike, type LiveStatus } from '../../web/src/live.ts';
import type { BarsEvent, EtlRun } from '../../web/src/types.ts';

class FakeEventSource implements EventSourceLike {
  static made: FakeEventSource[] = [];
  readyState = 0;
  closed = false;
  onopen: ((ev: Event) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  private listeners = new Map<string, Array<(ev: MessageEvent) => unknown>>();

  constructor(readonly url: string) {
    FakeEventSource.made.push(this);
  }
  addEventListener(type: string, listener: (ev: MessageEvent) => unknown) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  fail(readyState: 0 | 2) {
    this.readyState = readyState;
    this.onerror?.(new Event('error'));
  }
  emit(type: string, data: string) {
    for (const l of this.listeners.get(type) ?? []) l(new MessageEvent(type, { data }));
  }
}

const run: EtlRun = {
  etl_run_id: 3,
  started_at: '2026-08-23T14:00:00.000Z',
  finished_at: '2026-08-23T14:00:04.000Z',
  status: 'succeeded',
  trigger: 'cron',
  bars_upserted: 8,
  credits_used: 8,
  error: null,
};

function subscribe() {
  const bars: BarsEvent[] = [];
  const runs: EtlRun[] = [];
  const statuses: LiveStatus[] = [];
  const source = createSseSource('/api/stream', { EventSource: FakeEventSource, retryMs: 1000 });
  const stop = source.subscribe(
    (e) => bars.push(e),
    (r) => runs.push(r),
    (s) => statuses.push(s),
  );
  return { bars, runs, statuses, stop };
}

beforeEach(() => {
  FakeEventSource.made = [];
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('createSseSource', () => {
  test('reports connecting, then live on open, offline on error and live again on reopen', () => {
    const { statuses } = subscribe();
    const es = FakeEventSource.made[0]!;
    expect(es.url).toBe('/api/stream');
    expect(statuses).toEqual(['connecting']);
    es.open();
    es.fail(0);
    es.open();
    expect(statuses).toEqual(['connecting', 'live', 'offline', 'live']);
    expect(FakeEventSource.made).toHaveLength(1);
  });

  test("the server's database events turn the status to unreachable and back to live; a malformed one changes nothing", () => {
    const { statuses } = subscribe();
    const es = FakeEventSource.made[0]!;
    es.open();
    es.emit('database', '{"reachable":false}');
    es.emit('database', '{"reachable":"no"}');
    es.emit('database', '{"reachable":true}');
    expect(statuses).toEqual(['connecting', 'live', 'unreachable', 'live']);
  });

  test("the server's resync (its own LISTEN was lost and is back) reports live again, so the app catches up", () => {
    const { statuses } = subscribe();
    const es = FakeEventSource.made[0]!;
    es.open();
    es.emit('resync', '{}');
    expect(statuses).toEqual(['connecting', 'live', 'live']);
  });

  test('delivers parsed bars and run events', () => {
    const { bars, runs } = subscribe();
    const es = FakeEventSource.made[0]!;
    es.emit('bars', '{"interval":"1h","symbols":["AAPL","BTC/USD"],"max_ts":"2026-08-23T13:00:00.000Z"}');
    es.emit('run', JSON.stringify(run));
    expect(bars).toEqual([{ interval: '1h', symbols: ['AAPL', 'BTC/USD'], max_ts: '2026-08-23T13:00:00.000Z' }]);
    expect(runs).toEqual([run]);
  });

  test('skips malformed events and keeps listening', () => {
    const { bars, runs } = subscribe();
    const es = FakeEventSource.made[0]!;
    es.emit('bars', 'not json');
    es.emit('run', '{"etl_run_id":"x"}');
    es.emit('bars', '{"interval":"1h","symbols":["AAPL"],"max_ts":"2026-08-23T13:00:00.000Z"}');
    expect(bars).toHaveLength(1);
    expect(runs).toHaveLength(0);
    expect(console.warn).toHaveBeenCalledTimes(2);
  });

  test('starts over after the browser gives up on the stream', () => {
    vi.useFakeTimers();
    const { statuses } = subscribe();
    const first = FakeEventSource.made[0]!;
    first.fail(2);
    expect(first.closed).toBe(true);
    expect(FakeEventSource.made).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(FakeEventSource.made).toHaveLength(2);
    FakeEventSource.made[1]!.open();
    expect(statuses).toEqual(['connecting', 'offline', 'live']);
  });

  test('unsubscribing closes the stream and cancels a pending restart', () => {
    vi.useFakeTimers();
    const { stop } = subscribe();
    FakeEventSource.made[0]!.fail(2);
    stop();
    vi.advanceTimersByTime(10_000);
    expect(FakeEventSource.made).toHaveLength(1);

    const second = subscribe();
    const es = FakeEventSource.made[1]!;
    second.stop();
    expect(es.closed).toBe(true);
  });
});

describe('createPoller', () => {
  test('polls while the live source is not live, at the configured interval, and stops once it is', () => {
    vi.useFakeTimers();
    let ticks = 0;
    const poller = createPoller(60_000, () => ticks++);
    poller.status('connecting');
    expect(poller.polling()).toBe(true);
    vi.advanceTimersByTime(59_999);
    expect(ticks).toBe(0);
    vi.advanceTimersByTime(1);
    poller.status('offline');
    vi.advanceTimersByTime(60_000);
    expect(ticks).toBe(2);
    poller.status('live');
    expect(poller.polling()).toBe(false);
    vi.advanceTimersByTime(600_000);
    expect(ticks).toBe(2);
    poller.status('offline');
    poller.stop();
    vi.advanceTimersByTime(600_000);
    expect(ticks).toBe(2);
  });
});
