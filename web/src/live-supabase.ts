import type { LiveSource, LiveStatus } from './live.ts';
import { parseBarsEvent, parseRun } from './parse.ts';

/**
 * Supabase Realtime adapter of `LiveSource`: Broadcast from Database. The contract with the SQL side
 * (supabase/migrations/20260101015000_realtime_broadcast.sql: triggers calling `realtime.send(payload, event, topic, true)`) is:
 *
 * - topic `market:bars`, a private channel: only the database sends, and an RLS policy on
 *   realtime.messages lets anon and authenticated receive (a public topic would let anyone holding
 *   the publishable key broadcast a fake run to every dashboard);
 * - event `bars`, payload `{"interval":"1h","symbols":["AAPL","BTC/USD"],"max_ts":"<ISO>"}` once per
 *   statement that writes SSOT rows: exactly the `market_bars` NOTIFY payload (`symbols` may be null
 *   or absent, meaning "any symbol may have changed");
 * - event `run`, payload the finished `market.etl_run` row: `etl_run_id, started_at, finished_at,
 *   status, trigger, bars_upserted, credits_used, error` (more keys, like the `id` realtime.send adds,
 *   are ignored), sent when a run's status leaves 'running'.
 *
 * These are the SSE events' `data`, so both adapters share one parser and one app.
 */
export const REALTIME_TOPIC = 'market:bars';
export const REALTIME_EVENTS = { bars: 'bars', run: 'run' } as const;

/** The slice of supabase-js's `RealtimeChannel` used here, so tests can hand in a fake. */
export interface ChannelLike {
  on(type: 'broadcast', filter: { event: string }, callback: (message: { payload?: unknown }) => void): ChannelLike;
  subscribe(callback: (status: string, err?: Error) => void): ChannelLike;
}

/** The slice of `SupabaseClient` used here. */
export interface RealtimeClientLike {
  channel(name: string, options: { config: { private: boolean } }): ChannelLike;
  removeChannel(channel: ChannelLike): unknown;
}

export interface SupabaseLiveOptions {
  /** Join the topic as a private channel, as the SQL side sends it; default true. */
  private?: boolean;
  /** Delay before joining anew after the channel closed without being asked to. */
  retryMs?: number;
}

export function createSupabaseSource(client: RealtimeClientLike, options: SupabaseLiveOptions = {}): LiveSource {
  const retryMs = options.retryMs ?? 5_000;
  return {
    subscribe(onBars, onRun, onStatus) {
      let channel: ChannelLike | undefined;
      let retry: ReturnType<typeof setTimeout> | undefined;
      let stopped = false;
      let last: LiveStatus | undefined;
      const report = (s: LiveStatus) => {
        if (s === last) return;
        last = s;
        onStatus(s);
      };

      function relay<T>(event: string, parse: (body: unknown) => T, deliver: (value: T) => void) {
        return (message: { payload?: unknown }) => {
          let value: T;
          try {
            value = parse(message.payload);
          } catch (err) {
            console.warn(`ignored malformed "${event}" broadcast`, err);
            return;
          }
          deliver(value);
        };
      }

      function join() {
        if (stopped) return;
        const ch = client.channel(REALTIME_TOPIC, { config: { private: options.private ?? true } });
        channel = ch;
        ch.on('broadcast', { event: REALTIME_EVENTS.bars }, relay(REALTIME_EVENTS.bars, parseBarsEvent, onBars))
          .on(
            'broadcast',
            { event: REALTIME_EVENTS.run },
            relay(REALTIME_EVENTS.run, (p) => parseRun(p), onRun),
          )
          .subscribe((status) => {
            if (stopped || ch !== channel) return;
            // Every (re)join reports SUBSCRIBED: 'live' again after 'offline' makes the app catch up.
            if (status === 'SUBSCRIBED') report('live');
            else if (status === 'CLOSED') {
              // supabase-js rejoins by itself after errors and timeouts, but not once the channel is closed.
              report('offline');
              void client.removeChannel(ch);
              channel = undefined;
              retry = setTimeout(join, retryMs);
            } else report('offline');
          });
      }

      report('connecting');
      join();
      return () => {
        stopped = true;
        clearTimeout(retry);
        if (channel) void client.removeChannel(channel);
      };
    },
  };
}
