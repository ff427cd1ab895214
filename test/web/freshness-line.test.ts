import { describe, expect, test } from 'vitest';
import { formatTime } from '../../web/src/format.ts';
import { type FreshnessFacts, freshnessAnnouncement, freshnessLine, freshnessState } from '../../web/src/freshness-line.ts';
import type { EtlRun } from '../../web/src/types.ts';
import type { ShownZone } from '../../web/src/zone.ts';

const utc: ShownZone = { choice: 'utc', zone: 'UTC' };

const at = (iso: string) => Date.parse(iso);

describe('the freshness line: how the last run went, and how old the data is', () => {
  const en = 'en-US';
  const MIN = 60_000;
  const success: EtlRun = {
    etl_run_id: 41,
    started_at: '2026-11-30T09:00:00.000Z',
    finished_at: '2026-11-30T09:00:20.000Z',
    status: 'succeeded',
    trigger: 'cron',
    bars_upserted: 8,
    credits_used: 8,
    error: null,
  };
  const next = (patch: Partial<EtlRun>): EtlRun => ({
    ...success,
    etl_run_id: 42,
    started_at: '2026-11-30T10:00:00.000Z',
    finished_at: '2026-11-30T10:00:30.000Z',
    ...patch,
  });
  const newestBarMs = at('2026-11-30T08:00:00Z');
  const facts = (patch: Partial<FreshnessFacts>): FreshnessFacts => ({
    run: success,
    lastSuccess: success,
    newestBarMs,
    status: 'live',
    ...patch,
  });
  const line = (f: FreshnessFacts, now: number) => freshnessLine(freshnessState(f, utc, en), now, utc, en);
  const time = (iso: string) => formatTime(iso, utc, en);

  test('a success: the data is as old as the run, by that run', () => {
    const now = at(success.finished_at!) + 3 * MIN;
    const state = freshnessState(facts({}), utc, en);
    expect(state.tone).toBe('ok');
    expect(state.dataAge).toEqual({ atMs: at(success.finished_at!), runId: 41 });
    expect(line(facts({}), now)).toBe(`Last ETL run 41 succeeded · Data updated ${time(success.finished_at!)} (3 min ago) by ETL run 41`);
  });

  test('a run in progress says so and when it started; the data keeps the last success as its age', () => {
    const running = next({ status: 'running', finished_at: null });
    const now = at(running.started_at) + 30_000;
    const state = freshnessState(facts({ run: running }), utc, en);
    expect(state.tone).toBe('running');
    expect(state.runText).toBe(`ETL run 42 in progress, started ${time(running.started_at)}`);
    expect(line(facts({ run: running }), now)).toBe(
      `ETL run 42 in progress, started ${time(running.started_at)} · Data updated ${time(success.finished_at!)} (1 h ago) by ETL run 41`,
    );
  });

  test('a failed run after a success: the failure and its error, the data still dated by the success, never "just now"', () => {
    const failed = next({ status: 'failed', error: 'Twelve Data answered 429' });
    const now = at(failed.finished_at!) + 10_000;
    const state = freshnessState(facts({ run: failed }), utc, en);
    expect(state.tone).toBe('failed');
    expect(state.dataAge).toEqual({ atMs: at(success.finished_at!), runId: 41 });
    const text = line(facts({ run: failed }), now);
    expect(text).toBe(
      `Last ETL run 42 failed at ${time(failed.finished_at!)}: Twelve Data answered 429 · Data updated ${time(success.finished_at!)} (1 h ago) by ETL run 41`,
    );
    expect(text).not.toMatch(/just now/);
  });

  test('a long error (one per failed symbol) is cut at a word, so the line stays one line', () => {
    const error = Array.from({ length: 12 }, (_, i) => `SYM${i}/USD: Internal Server Error from the API`).join('; ');
    const state = freshnessState(facts({ run: next({ status: 'failed', error }) }), utc, en);
    const said = state.runText.slice(state.runText.indexOf(': ') + 2);
    expect(said.endsWith('…')).toBe(true);
    expect(said.length).toBeLessThanOrEqual(141);
    expect(error.startsWith(said.slice(0, -1))).toBe(true);
  });

  test('a partial run is a failure for the line, and does not move the data age', () => {
    const partial = next({ status: 'partial', error: '1 of 8 symbols failed: MSFT' });
    const state = freshnessState(facts({ run: partial }), utc, en);
    expect(state.tone).toBe('failed');
    expect(state.runText).toBe(`Last ETL run 42 partly failed at ${time(partial.finished_at!)}: 1 of 8 symbols failed: MSFT`);
    expect(state.dataAge?.runId).toBe(41);
  });

  test('with no success seen (a page opened after a failure), the data is as old as the newest bar held', () => {
    const failed = next({ status: 'failed', error: 'boom' });
    const now = at(failed.finished_at!) + 5_000;
    const state = freshnessState(facts({ run: failed, lastSuccess: undefined }), utc, en);
    expect(state.dataAge).toEqual({ atMs: newestBarMs, runId: null });
    expect(line(facts({ run: failed, lastSuccess: undefined }), now)).toBe(
      `Last ETL run 42 failed at ${time(failed.finished_at!)}: boom · Newest bar ${time('2026-11-30T08:00:00Z')} (2 h ago)`,
    );
  });

  test('a skipped run says why and is no failure; the data age stays where it was', () => {
    const skipped = next({ status: 'skipped', error: 'another ETL run was in progress' });
    const state = freshnessState(facts({ run: skipped }), utc, en);
    expect(state.tone).toBe('ok');
    expect(state.runText).toBe(`Last ETL run 42 was skipped at ${time(skipped.finished_at!)}: another ETL run was in progress`);
    expect(state.dataAge?.runId).toBe(41);
  });

  test('the database away comes first, with what is known', () => {
    const now = at(success.finished_at!) + 3 * MIN;
    expect(line(facts({ status: 'unreachable' }), now)).toMatch(/^Data unreachable: .* · Last ETL run 41 succeeded · Data updated /);
    expect(freshnessState(facts({ status: 'unreachable' }), utc, en).tone).toBe('failed');
    expect(line(facts({ run: undefined, lastSuccess: undefined, newestBarMs: undefined }), now)).toBe('Checking the last ETL run…');
    expect(line(facts({ run: null, lastSuccess: undefined, newestBarMs: undefined }), now)).toBe('No ETL run yet');
  });

  test('the announcement changes when the state does, never as the clock ticks', () => {
    const announce = (f: FreshnessFacts) => freshnessAnnouncement(freshnessState(f, utc, en), f.status, utc, en);
    const settled = announce(facts({}));
    expect(settled).not.toMatch(/ago|just now/);
    // The visible line moves on with the clock; the announcement has nothing that could.
    expect(line(facts({}), at(success.finished_at!) + MIN)).not.toBe(line(facts({}), at(success.finished_at!) + 5 * MIN));
    const running = announce(facts({ run: next({ status: 'running', finished_at: null }) }));
    const failed = announce(facts({ run: next({ status: 'failed', error: 'boom' }) }));
    const succeeded = next({});
    const fresh = announce(facts({ run: succeeded, lastSuccess: succeeded }));
    const offline = announce(facts({ status: 'offline' }));
    expect(new Set([settled, running, failed, fresh, offline]).size).toBe(5);
    expect(running).toMatch(/ETL run 42 in progress/);
    expect(failed).toMatch(/ETL run 42 failed .*: boom/);
    expect(fresh).toMatch(/Data updated .* by ETL run 42$/);
    expect(offline).toMatch(/^Live updates offline\. /);
  });
});
