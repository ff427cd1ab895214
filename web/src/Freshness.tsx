import { createMemo, Show } from 'solid-js';
import { dataAgeText, freshnessAnnouncement, freshnessState, UNREACHABLE_TEXT } from './freshness-line.ts';
import type { LiveStatus } from './live.ts';
import type { EtlRun } from './types.ts';
import type { Theme } from './view.ts';
import type { ShownZone } from './zone.ts';

const STATUS_TEXT: Record<LiveStatus, string> = {
  connecting: 'connecting',
  live: 'live',
  offline: 'offline',
  unreachable: 'database unreachable',
};

export interface FreshnessProps {
  /** undefined: not asked yet; null: no run ever. */
  run: EtlRun | null | undefined;
  /** The newest run seen that succeeded: the data's age is its end. */
  lastSuccess: EtlRun | undefined;
  /** Open (epoch ms) of the newest bar held: the data's age until a successful run is seen. */
  newestBarMs: number | undefined;
  now: number;
  /** Followed symbols whose newest bar is older than the interval and market hours allow. */
  stale: readonly string[];
  status: LiveStatus;
  polling: boolean;
  pollSeconds: number;
  liveLabel: string;
  theme: Theme;
  onTheme: () => void;
  /** The clock the run's times are stated on (the big chart's). */
  zone: ShownZone;
}

/**
 * How the last ETL run went (or that one is in progress), how old the data is, whether updates are
 * arriving live. The visible line ticks with the clock; screen readers get a separate live region
 * whose text has no relative time, so it is announced only when the state changes.
 */
export function Freshness(props: FreshnessProps) {
  const state = createMemo(() =>
    freshnessState({ run: props.run, lastSuccess: props.lastSuccess, newestBarMs: props.newestBarMs, status: props.status }, props.zone),
  );
  // A memo, so an unchanged text never touches the live region's DOM.
  const announcement = createMemo(() => freshnessAnnouncement(state(), props.status, props.zone));
  return (
    <div class="status">
      <p data-testid="freshness" class={`freshness ${state().tone}`}>
        <Show when={state().unreachable}>
          <span class="unreachable">
            {UNREACHABLE_TEXT}
            {state().runText ? ' · ' : ''}
          </span>
        </Show>
        <Show when={state().runText}>
          <span data-testid="run-state" data-status={props.run?.status ?? ''} class="run-state">
            {state().runText}
          </span>
        </Show>
        <Show when={state().dataAge}>
          {(age) => (
            <>
              {state().unreachable || state().runText ? ' · ' : ''}
              <time data-testid="data-age" datetime={new Date(age().atMs).toISOString()} data-run-id={age().runId ?? ''}>
                {dataAgeText(age(), props.now, props.zone)}
              </time>
            </>
          )}
        </Show>
      </p>
      <p class="sr-only" role="status" data-testid="status-announcement">
        {announcement()}
      </p>
      <Show when={props.stale.length > 0}>
        <p class="stale-warning" data-testid="stale-warning" role="alert">
          Stale: newest bar older than expected for {props.stale.join(', ')}
        </p>
      </Show>
      <p class="live" title={`Live updates via ${props.liveLabel}`}>
        <span class="sr-only">Live updates: </span>
        <span data-testid="live-status" class={`live-${props.status}`}>
          {STATUS_TEXT[props.status]}
        </span>
        <Show when={props.polling}>
          <span class="muted"> · polling every {props.pollSeconds} s</span>
        </Show>
      </p>
      <button
        type="button"
        class="theme-toggle"
        data-testid="theme-toggle"
        aria-label={`Switch to the ${props.theme === 'dark' ? 'light' : 'dark'} theme`}
        onClick={() => props.onTheme()}
      >
        {props.theme === 'dark' ? '☀ Light' : '☾ Dark'}
      </button>
    </div>
  );
}
