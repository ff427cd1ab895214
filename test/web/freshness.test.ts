import { describe, expect, test } from 'vitest';
import { formatTime } from '../../web/src/format.ts';
import {
  type FreshnessFacts,
  freshnessAnnouncement,
  freshnessLine,
  freshnessState,
  isStale,
  marketAgeMs,
  sessionMsBetween,
  staleAfterMs,
} from '../../web/src/freshness.ts';
import type { EtlRun } from '../../web/src/types.ts';
import { sec } from './helpers.ts';

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);

describe('sessionMsBetween (US regular session, New York time)', () => {
  test('counts only 09:30-16:00 on weekdays, across daylight saving', () => {
    // Friday 2026-03-06 15:00 EST (20:00Z) to Monday 2026-03-09 10:00 EDT (14:00Z): 1 h + 0.5 h.
    expect(sessionMsBetween(at('2026-03-06T20:00:00Z'), at('2026-03-09T14:00:00Z'))).toBe(1.5 * H);
    // A whole summer weekday: 6.5 h.
    expect(sessionMsBetween(at('2026-07-15T04:00:00Z'), at('2026-07-16T04:00:00Z'))).toBe(6.5 * H);
  });

  test('a weekend or a night is no time at all', () => {
    expect(sessionMsBetween(at('2026-08-22T00:00:00Z'), at('2026-08-24T13:00:00Z'))).toBe(0);
    expect(sessionMsBetween(at('2026-08-25T21:00:00Z'), at('2026-08-26T13:29:00Z'))).toBe(0);
  });
});

describe('sessionMsBetween on the NYSE calendar', () => {
  test('counts no time on Thanksgiving and only 3.5 hours on the early-closing day after it', () => {
    // Wed 25 Nov 2026 16:00 New York (21:00 UTC) to Mon 30 Nov 09:30 (14:30 UTC): Thanksgiving
    // closed, Friday 09:30-13:00, the weekend closed.
    expect(sessionMsBetween(at('2026-11-25T21:00:00Z'), at('2026-11-30T14:30:00Z'))).toBe(3.5 * H);
  });

  test("so the weekend after Black Friday's early close is not stale", () => {
    // The last hourly bar of Friday 27 Nov opened at 12:30 and closed at 13:00 New York time.
    const fridayLast = Date.parse('2026-11-27T17:30:00Z') / 1000;
    expect(isStale('stock', fridayLast, '1h', at('2026-11-30T02:30:00Z'))).toBe(false);
  });
});

describe('isStale', () => {
  test('hourly crypto: stale once the next run (an hour after the bar closed) has been missed', () => {
    const bar = sec('2026-08-23T13:00:00Z');
    expect(staleAfterMs('1h')).toBe(2 * H);
    expect(isStale('crypto', bar, '1h', at('2026-08-23T15:59:00Z'))).toBe(false);
    expect(isStale('crypto', bar, '1h', at('2026-08-23T16:01:00Z'))).toBe(true);
  });

  test("stocks: the Friday close is still fresh on Sunday and at Monday's open", () => {
    const fridayLast = sec('2026-08-21T19:30:00Z'); // 15:30 New York, closes at the 16:00 bell
    expect(isStale('stock', fridayLast, '1h', at('2026-08-23T18:00:00Z'))).toBe(false);
    expect(isStale('stock', fridayLast, '1h', at('2026-08-24T14:00:00Z'))).toBe(false);
    // Monday 12:00 New York: 2.5 trading hours later, the 09:30 and 10:30 bars should be in.
    expect(isStale('stock', fridayLast, '1h', at('2026-08-24T16:00:00Z'))).toBe(true);
  });

  test('the age of crypto is wall time, of stocks trading time', () => {
    const bar = sec('2026-08-22T12:00:00Z'); // a Saturday
    expect(marketAgeMs('crypto', bar, '1h', at('2026-08-22T15:00:00Z'))).toBe(2 * H);
    expect(marketAgeMs('stock', bar, '1h', at('2026-08-22T15:00:00Z'))).toBe(0);
  });

  test('a bar from the future (a fast-forwarded simulator) is not stale', () => {
    expect(isStale('crypto', sec('2026-08-23T20:00:00Z'), '1h', at('2026-08-23T13:00:00Z'))).toBe(false);
  });
});

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
  const line = (f: FreshnessFacts, now: number) => freshnessLine(freshnessState(f, en), now, en);
  const time = (iso: string) => formatTime(iso, en);

  test('a success: the data is as old as the run, by that run', () => {
    const now = at(success.finished_at!) + 3 * MIN;
    const state = freshnessState(facts({}), en);
    expect(state.tone).toBe('ok');
    expect(state.dataAge).toEqual({ atMs: at(success.finished_at!), runId: 41 });
    expect(line(facts({}), now)).toBe(`Last ETL run 41 succeeded · Data updated ${time(success.finished_at!)} (3 min ago) by ETL run 41`);
  });

  test('a run in progress says so and when it started; the data keeps the last success as its age', () => {
    const running = next({ status: 'running', finished_at: null });
    const now = at(running.started_at) + 30_000;
    const state = freshnessState(facts({ run: running }), en);
    expect(state.tone).toBe('running');
    expect(state.runText).toBe(`ETL run 42 in progress, started ${time(running.started_at)}`);
    expect(line(facts({ run: running }), now)).toBe(
      `ETL run 42 in progress, started ${time(running.started_at)} · Data updated ${time(success.finished_at!)} (1 h ago) by ETL run 41`,
    );
  });

  test('a failed run after a success: the failure and its error, the data still dated by the success, never "just now"', () => {
    const failed = next({ status: 'failed', error: 'Twelve Data answered 429' });
    const now = at(failed.finished_at!) + 10_000;
    const state = freshnessState(facts({ run: failed }), en);
    expect(state.tone).toBe('failed');
    expect(state.dataAge).toEqual({ atMs: at(success.finished_at!), runId: 41 });
    const text = line(facts({ run: failed }), now);
    expect(text).toBe(
      `Last ETL run 42 failed at ${time(failed.finished_at!)}: Twelve Data answered 429 · Data updated ${time(success.finished_at!)} (1 h ago) by ETL run 41`,
    );
    expect(text).not.toMatch(/just now/);
  });

  test('a partial run is a failure for the line, and does not move the data age', () => {
    const partial = next({ status: 'partial', error: '1 of 8 symbols failed: MSFT' });
    const state = freshnessState(facts({ run: partial }), en);
    expect(state.tone).toBe('failed');
    expect(state.runText).toBe(`Last ETL run 42 partly failed at ${time(partial.finished_at!)}: 1 of 8 symbols failed: MSFT`);
    expect(state.dataAge?.runId).toBe(41);
  });

  test('with no success seen (a page opened after a failure), the data is as old as the newest bar held', () => {
    const failed = next({ status: 'failed', error: 'boom' });
    const now = at(failed.finished_at!) + 5_000;
    const state = freshnessState(facts({ run: failed, lastSuccess: undefined }), en);
    expect(state.dataAge).toEqual({ atMs: newestBarMs, runId: null });
    expect(line(facts({ run: failed, lastSuccess: undefined }), now)).toBe(
      `Last ETL run 42 failed at ${time(failed.finished_at!)}: boom · Newest bar ${time('2026-11-30T08:00:00Z')} (2 h ago)`,
    );
  });

  test('a skipped run says why and is no failure; the data age stays where it was', () => {
    const skipped = next({ status: 'skipped', error: 'another ETL run was in progress' });
    const state = freshnessState(facts({ run: skipped }), en);
    expect(state.tone).toBe('ok');
    expect(state.runText).toBe(`Last ETL run 42 was skipped at ${time(skipped.finished_at!)}: another ETL run was in progress`);
    expect(state.dataAge?.runId).toBe(41);
  });

  test('the database away comes first, with what is known', () => {
    const now = at(success.finished_at!) + 3 * MIN;
    expect(line(facts({ status: 'unreachable' }), now)).toMatch(/^Data unreachable: .* · Last ETL run 41 succeeded · Data updated /);
    expect(freshnessState(facts({ status: 'unreachable' }), en).tone).toBe('failed');
    expect(line(facts({ run: undefined, lastSuccess: undefined, newestBarMs: undefined }), now)).toBe('Checking the last ETL run…');
    expect(line(facts({ run: null, lastSuccess: undefined, newestBarMs: undefined }), now)).toBe('No ETL run yet');
  });

  test('the announcement changes when the state does, never as the clock ticks', () => {
    const announce = (f: FreshnessFacts) => freshnessAnnouncement(freshnessState(f, en), f.status, en);
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
