import { Show } from 'solid-js';
import { formatRun, formatUpdated } from './format.ts';
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

/** What the freshness line says: while the database is away, that first, then the last run known. */
function runLine(props: FreshnessProps): string {
  if (props.status === 'unreachable') {
    const known = props.run ? ` · ${formatRun(props.run, props.now, props.zone)}` : '';
    return `Data unreachable: the database is not answering, retrying${known}`;
  }
  return props.run === undefined ? 'Checking the last ETL run…' : formatRun(props.run, props.now, props.zone);
}

export interface FreshnessProps {
  /** undefined: not asked yet; null: no run ever. */
  run: EtlRun | null | undefined;
  /** When data last landed (epoch ms): a bars event, or the end of a successful run. */
  updatedAt: number | undefined;
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

/** How fresh the data is, how the last ETL run went, whether updates are arriving live. */
export function Freshness(props: FreshnessProps) {
  const updated = () => (props.updatedAt === undefined ? null : formatUpdated(props.updatedAt, props.now));
  return (
    <div class="status">
      <p data-testid="freshness" role="status" classList={{ failed: props.run?.status === 'failed' || props.status === 'unreachable' }}>
        <Show when={updated()}>{(text) => <span class="updated">{text()} · </span>}</Show>
        {runLine(props)}
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
