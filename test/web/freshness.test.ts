import { describe, expect, test } from 'vitest';
import { isStale, marketAgeMs, sessionMsBetween, staleAfterMs } from '../../web/src/freshness.ts';
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
