import { formatAgo, formatTime } from './format.ts';
import type { LiveStatus } from './live.ts';
import type { EtlRun } from './types.ts';
import type { ShownZone } from './zone.ts';

/** Tests that do not care about the zone read times in UTC. */
const UTC: ShownZone = { choice: 'utc', zone: 'UTC' };

/**
 * The header's freshness line. Two facts, kept apart so a failed run is never read as fresh data:
 * how the newest ETL run went (or that one is in progress), and how old the data is: the end of
 * the newest run seen that succeeded, or, before one is seen (the page opened after a failure or
 * during a run), the open of the newest bar the page holds. A failed, partial or skipped run never
 * moves the data's age.
 */

export interface FreshnessFacts {
  /** The newest run that did something: undefined while not asked yet, null when there never was one. */
  run: EtlRun | null | undefined;
  /** The newest run seen that succeeded. */
  lastSuccess: EtlRun | undefined;
  /** Open (epoch ms) of the newest bar the page holds. */
  newestBarMs: number | undefined;
  status: LiveStatus;
}

/** `running`: a run is in progress; `failed`: the last run failed or partly failed, or the database is away. */
export type FreshnessTone = 'ok' | 'running' | 'failed';

/** Where the data's age comes from: a successful run's end, or the newest bar's open. */
export interface DataAge {
  atMs: number;
  runId: number | null;
}

export interface FreshnessState {
  tone: FreshnessTone;
  /** The database does not answer: said first. */
  unreachable: boolean;
  /** How the newest run went, with absolute times only (a run clause never says "just now"). */
  runText: string;
  dataAge: DataAge | undefined;
}

export function freshnessState(facts: FreshnessFacts, zone: ShownZone = UTC, locale?: string): FreshnessState {
  const { run } = facts;
  const unreachable = facts.status === 'unreachable';
  const success = facts.lastSuccess?.finished_at ? facts.lastSuccess : undefined;
  const dataAge: DataAge | undefined = success
    ? { atMs: Date.parse(success.finished_at!), runId: success.etl_run_id }
    : facts.newestBarMs === undefined
      ? undefined
      : { atMs: facts.newestBarMs, runId: null };
  const failed = run?.status === 'failed' || run?.status === 'partial';
  const tone: FreshnessTone = unreachable || failed ? 'failed' : run?.status === 'running' ? 'running' : 'ok';
  // With the database away before any answer, there is nothing to check: the line says it is away.
  return { tone, unreachable, runText: unreachable && run === undefined ? '' : runText(run, zone, locale), dataAge };
}

const ENDED: Record<Exclude<EtlRun['status'], 'running'>, string> = {
  succeeded: 'succeeded',
  partial: 'partly failed',
  failed: 'failed',
  skipped: 'was skipped',
};

/** The header has one line for a run: a long error (one per failed symbol) is cut at a word, with its count. */
const ERROR_CHARS = 140;
function shortError(error: string): string {
  if (error.length <= ERROR_CHARS) return error;
  const cut = error.slice(0, ERROR_CHARS);
  const word = cut.lastIndexOf(' ');
  return `${(word > ERROR_CHARS / 2 ? cut.slice(0, word) : cut).trimEnd()}…`;
}

function runText(run: EtlRun | null | undefined, zone: ShownZone, locale?: string): string {
  if (run === undefined) return 'Checking the last ETL run…';
  if (run === null) return 'No ETL run yet';
  if (run.status === 'running' || run.finished_at === null) {
    return `ETL run ${run.etl_run_id} in progress, started ${formatTime(run.started_at, zone, locale)}`;
  }
  // A success's time is the data's, said once by the data clause.
  if (run.status === 'succeeded') return `Last ETL run ${run.etl_run_id} succeeded`;
  const line = `Last ETL run ${run.etl_run_id} ${ENDED[run.status]} at ${formatTime(run.finished_at, zone, locale)}`;
  return run.error === null ? line : `${line}: ${shortError(run.error)}`;
}

/** "Data updated Nov 30, 10:05 AM by ETL run 42" or "Newest bar Nov 30, 09:00 AM"; `ago` adds "(3 min ago)". */
export function dataAgeText(age: DataAge, now: number | null, zone: ShownZone = UTC, locale?: string): string {
  const at = formatTime(new Date(age.atMs).toISOString(), zone, locale);
  const ago = now === null ? '' : ` (${formatAgo(new Date(age.atMs).toISOString(), now)})`;
  return age.runId === null ? `Newest bar ${at}${ago}` : `Data updated ${at}${ago} by ETL run ${age.runId}`;
}

export const UNREACHABLE_TEXT = 'Data unreachable: the database is not answering, retrying';

/** The visible line; its relative age changes as the clock ticks. */
export function freshnessLine(state: FreshnessState, now: number, zone: ShownZone = UTC, locale?: string): string {
  return [
    ...(state.unreachable ? [UNREACHABLE_TEXT] : []),
    ...(state.runText ? [state.runText] : []),
    ...(state.dataAge ? [dataAgeText(state.dataAge, now, zone, locale)] : []),
  ].join(' · ');
}

const CONNECTION_TEXT: Record<LiveStatus, string> = {
  connecting: 'Connecting to live updates',
  live: 'Live updates on',
  offline: 'Live updates offline',
  unreachable: 'Database unreachable',
};

/**
 * What a screen reader is told: the same state with no relative time, so it changes (and is
 * announced) only when something happens: the connection, a run starting or ending, new data.
 */
export function freshnessAnnouncement(state: FreshnessState, status: LiveStatus, zone: ShownZone = UTC, locale?: string): string {
  return [
    CONNECTION_TEXT[status],
    ...(state.runText ? [state.runText] : []),
    ...(state.dataAge ? [dataAgeText(state.dataAge, null, zone, locale)] : []),
  ].join('. ');
}
