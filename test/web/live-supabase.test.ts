import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { LiveStatus } from '../../web/src/live.ts';
import {
  type ChannelLike,
  createSupabaseSource,
  REALTIME_EVENTS,
  REALTIME_TOPIC,
  type RealtimeClientLike,
} from '../../web/src/live-supabase.ts';
import type { BarsEvent, EtlRun } from '../../web/src/types.ts';

/** A Realtime channel without a network: the test says what the server broadcasts and how the join goes. */
class FakeChannel implements ChannelLike {
  handlers = new Map<string, (message: { payload?: unknown }) => void>();
  onStatus: ((status: string, err?: Error) => void) | undefined;
  constructor(
    readonly name: string,
    readonly options: { config: { private: boolean } },
  ) {}
  on(type: 'broadcast', filter: { event: string }, callback: (message: { payload?: unknown }) => void) {
    expect(type).toBe('broadcast');
    this.handlers.set(filter.event, callback);
    return this;
  }
  subscribe(callback: (status: string, err?: Error) => void) {
    this.onStatus = callback;
    return this;
  }
  broadcast(event: string, payload: unknown) {
    // What supabase-js hands a broadcast listener: the message with its payload.
    this.handlers.get(event)?.({ payload });
  }
}

class FakeClient implements RealtimeClientLike {
  channels: FakeChannel[] = [];
  removed: FakeChannel[] = [];
  channel(name: string, options: { config: { private: boolean } }) {
    const ch = new FakeChannel(name, options);
    this.channels.push(ch);
    return ch;
  }
  removeChannel(ch: ChannelLike) {
    this.removed.push(ch as FakeChannel);
    return Promise.resolve('ok');
  }
}

const run: EtlRun = {
  etl_run_id: 7,
  started_at: '2026-08-23T14:00:00+00:00',
  finished_at: '2026-08-23T14:00:05.12+00:00',
  status: 'failed',
  trigger: 'cron',
  bars_upserted: 0,
  credits_used: 8,
  error: 'daily API credits ran out',
};

function subscribe(options = {}) {
  const client = new FakeClient();
  const bars: BarsEvent[] = [];
  const runs: EtlRun[] = [];
  const statuses: LiveStatus[] = [];
  const stop = createSupabaseSource(client, { retryMs: 1000, ...options }).subscribe(
    (e) => bars.push(e),
    (r) => runs.push(r),
    (s) => statuses.push(s),
  );
  return { client, bars, runs, statuses, stop, channel: () => client.channels.at(-1)! };
}

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('createSupabaseSource', () => {
  test('joins the agreed topic as a private channel, listening for bars and run broadcasts', () => {
    const { channel } = subscribe();
    expect(REALTIME_TOPIC).toBe('market:bars');
    expect(REALTIME_EVENTS).toEqual({ bars: 'bars', run: 'run' });
    expect(channel().name).toBe('market:bars');
    expect(channel().options).toEqual({ config: { private: true } });
    expect([...channel().handlers.keys()]).toEqual([REALTIME_EVENTS.bars, REALTIME_EVENTS.run]);
    expect(subscribe({ private: false }).channel().options).toEqual({ config: { private: false } });
  });

  test("delivers the same payloads as the SSE events, ignoring extra keys such as realtime.send's id", () => {
    const { channel, bars, runs } = subscribe();
    channel().broadcast('bars', { interval: '1h', symbols: ['AAPL', 'BTC/USD'], max_ts: '2026-08-23T13:00:00+00:00', id: 'x' });
    channel().broadcast('bars', { interval: '1h', symbols: null, max_ts: '2026-08-23T14:00:00+00:00' });
    channel().broadcast('run', { ...run, id: 'y', details: {} });
    expect(bars).toEqual([
      { interval: '1h', symbols: ['AAPL', 'BTC/USD'], max_ts: '2026-08-23T13:00:00+00:00' },
      { interval: '1h', symbols: null, max_ts: '2026-08-23T14:00:00+00:00' },
    ]);
    expect(runs).toEqual([run]);
  });

  test('skips malformed broadcasts and keeps listening', () => {
    const { channel, bars } = subscribe();
    channel().broadcast('bars', { interval: '1h', max_ts: 1_692_795_600_000 });
    channel().broadcast('bars', undefined);
    channel().broadcast('bars', { interval: '1h', symbols: ['AAPL'], max_ts: '2026-08-23T13:00:00Z' });
    expect(bars).toHaveLength(1);
    expect(console.warn).toHaveBeenCalledTimes(2);
  });

  test('SUBSCRIBED after an error or timeout reports live again, which makes the app catch up', () => {
    const { channel, statuses } = subscribe();
    channel().onStatus!('SUBSCRIBED');
    channel().onStatus!('CHANNEL_ERROR', new Error('transport failure'));
    channel().onStatus!('TIMED_OUT');
    channel().onStatus!('SUBSCRIBED');
    expect(statuses).toEqual(['connecting', 'live', 'offline', 'live']);
  });

  test('a channel closed by the server is removed and joined anew after a delay', () => {
    vi.useFakeTimers();
    const { client, channel, statuses } = subscribe();
    const first = channel();
    first.onStatus!('SUBSCRIBED');
    first.onStatus!('CLOSED');
    expect(client.removed).toEqual([first]);
    expect(client.channels).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(client.channels).toHaveLength(2);
    // A late callback from the old channel changes nothing.
    first.onStatus!('SUBSCRIBED');
    expect(statuses).toEqual(['connecting', 'live', 'offline']);
    channel().onStatus!('SUBSCRIBED');
    expect(statuses).toEqual(['connecting', 'live', 'offline', 'live']);
  });

  test('unsubscribing removes the channel, cancels a pending rejoin and silences callbacks', () => {
    vi.useFakeTimers();
    const { client, channel, statuses, stop } = subscribe();
    channel().onStatus!('CLOSED');
    stop();
    vi.advanceTimersByTime(10_000);
    expect(client.channels).toHaveLength(1);

    const second = subscribe();
    const ch = second.channel();
    second.stop();
    expect(second.client.removed).toEqual([ch]);
    ch.onStatus!('CLOSED');
    expect(second.statuses).toEqual(['connecting']);
    expect(statuses).toEqual(['connecting', 'offline']);
  });
});
