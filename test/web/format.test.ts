import { describe, expect, test } from 'vitest';
import {
  formatAgo,
  formatAxisPct,
  formatCivilDate,
  formatCrosshairTime,
  formatNumber,
  formatPct,
  formatPercent,
  formatPp,
  formatPrice,
  formatTime,
  formatTimeTicks,
  formatVolume,
} from '../../web/src/format.ts';
import type { ShownZone } from '../../web/src/zone.ts';

const en = 'en-US';
const de = 'de-DE';
const utc: ShownZone = { choice: 'utc', zone: 'UTC' };
const newYork: ShownZone = { choice: 'exchange', zone: 'America/New_York' };
const sec = (iso: string) => Date.parse(iso) / 1000;
/** The no-break space de-DE puts between a number and its % or currency sign. */
const NBSP = '\u00a0';

describe('formatPrice', () => {
  test('uses the currency when it is an ISO code', () => {
    expect(formatPrice(189.5, 'USD', en)).toBe('$189.50');
    expect(formatPrice(64123.456, 'USD', en)).toBe('$64,123.46');
  });

  test('shows more decimals for sub-dollar prices', () => {
    expect(formatPrice(0.5, null, en)).toBe('0.5000');
    expect(formatPrice(0.00001234, null, en)).toBe('0.00001234');
  });

  test('appends a currency name that is not an ISO code instead of failing', () => {
    expect(formatPrice(1.25, 'US Dollar', en)).toBe('1.25 US Dollar');
    expect(formatPrice(1.25, null, en)).toBe('1.25');
  });
});

describe('formatNumber / formatPct / formatVolume', () => {
  test('decimals follow the size of the number, or the digits asked for', () => {
    expect(formatNumber(64_123.456, undefined, 'en-US')).toBe('64,123.46');
    expect(formatNumber(0.012345, undefined, 'en-US')).toBe('0.0123');
    expect(formatNumber(136_000, 0, 'en-US')).toBe('136,000');
  });

  test('percent changes carry their sign; unknown is a dash', () => {
    expect(formatPct(1.234, 'en-US')).toBe('+1.23%');
    expect(formatPct(-0.4, 'en-US')).toBe('-0.40%');
    expect(formatPct(0, 'en-US')).toBe('0.00%');
    expect(formatPct(null, 'en-US')).toBe('—');
  });

  test('percent axis labels: a sign, a true minus, a space before %, zero unsigned', () => {
    expect(formatAxisPct(5, 0, 'en-US')).toBe('+5 %');
    expect(formatAxisPct(-3, 0, 'en-US')).toBe('\u22123 %');
    expect(formatAxisPct(-2.5, 1, 'en-US')).toBe('\u22122.5 %');
    expect(formatAxisPct(0, 0, 'en-US')).toBe('0 %');
    expect(formatAxisPct(-0.001, 1, 'en-US')).toBe('0.0 %');
    expect(formatAxisPct(1200, 0, 'en-US')).toBe('+1,200 %');
  });

  test('differences of returns are percentage points', () => {
    expect(formatPp(1.234, 'en-US')).toBe('+1.23 pp');
    expect(formatPp(-0.4, 'en-US')).toBe('\u22120.40 pp');
    expect(formatPp(0, 'en-US')).toBe('0.00 pp');
  });

  test('volume is compact', () => {
    expect(formatVolume(1_234_567, 'en-US')).toBe('1.2M');
  });
});

describe('formatAgo', () => {
  const t = Date.parse('2026-08-23T14:00:00.000Z');
  test('rounds down to the largest whole unit', () => {
    expect(formatAgo('2026-08-23T13:59:30.000Z', t)).toBe('just now');
    expect(formatAgo('2026-08-23T13:48:00.000Z', t)).toBe('12 min ago');
    expect(formatAgo('2026-08-23T11:00:00.000Z', t)).toBe('3 h ago');
    expect(formatAgo('2026-08-20T14:00:00.000Z', t)).toBe('3 d ago');
  });
});

describe('one locale for every figure: en-US and de-DE', () => {
  test('decimal comma, grouping and the percent sign where the locale puts them', () => {
    expect(formatPct(1.234, de)).toBe(`+1,23${NBSP}%`);
    expect(formatPct(-0.4, de)).toBe(`-0,40${NBSP}%`);
    expect(formatPercent(23.45, 1, false, en)).toBe('23.5%');
    expect(formatPercent(23.45, 1, false, de)).toBe(`23,5${NBSP}%`);
    expect(formatPrice(1234.5, 'USD', de)).toBe(`1.234,50${NBSP}$`);
    expect(formatNumber(222.5, 2, de)).toBe('222,50');
    expect(formatVolume(1_234_567, de)).toBe(`1,2${NBSP}Mio.`);
  });

  test("a civil date is that date in any zone, in the locale's words", () => {
    expect(formatCivilDate('2026-11-27', en)).toBe('Fri, Nov 27');
    expect(formatCivilDate('2026-11-27', de)).toBe('Fr., 27. Nov.');
  });
});

/**
 * New York leaves daylight saving time at 02:00 on Sunday 1 November 2026 (EDT, UTC−4, becomes EST,
 * UTC−5): the same 09:30 open is 13:30 UTC on Friday 30 October and 14:30 UTC on Monday 2 November.
 */
describe('times on a chosen clock, across the clock change of 1 November 2026', () => {
  test('a stated time carries its zone, EDT before the change and EST after', () => {
    expect(formatTime('2026-10-30T20:00:00Z', newYork, en)).toBe('Oct 30, 16:00 New York time (EDT)');
    expect(formatTime('2026-11-02T14:30:00Z', newYork, en)).toBe('Nov 2, 09:30 New York time (EST)');
    expect(formatTime('2026-11-02T14:30:00Z', utc, en)).toBe('Nov 2, 14:30 UTC');
    expect(formatTime('2026-11-02T14:30:00Z', { choice: 'local', zone: 'Europe/Berlin' }, de)).toBe('2. Nov., 15:30 your time (CET)');
  });

  test('the hour that happens twice reads 01:30 both times', () => {
    expect(formatCrosshairTime(Date.parse('2026-11-01T05:30:00Z'), 'America/New_York', en)).toBe('Sun, Nov 1, 2026, 01:30');
    expect(formatCrosshairTime(Date.parse('2026-11-01T06:30:00Z'), 'America/New_York', en)).toBe('Sun, Nov 1, 2026, 01:30');
    expect(formatCrosshairTime(Date.parse('2026-11-02T14:30:00Z'), 'America/New_York', de)).toBe('Mo., 2. Nov. 2026, 09:30');
  });

  test('an intraday axis shows hours on the chosen clock, with the date where a day starts', () => {
    const ticks = [sec('2026-10-30T19:00:00Z'), sec('2026-11-02T14:30:00Z'), sec('2026-11-02T15:30:00Z')];
    const span = ticks[2]! - ticks[0]!;
    expect(formatTimeTicks(ticks, span, 'America/New_York', en)).toEqual(['15:00\nOct 30', '09:30\nNov 2', '10:30']);
    expect(formatTimeTicks(ticks, span, 'UTC', en)).toEqual(['19:00\nOct 30', '14:30\nNov 2', '15:30']);
    expect(formatTimeTicks(ticks, span, 'America/New_York', de)).toEqual(['15:00\n30. Okt.', '09:30\n2. Nov.', '10:30']);
  });

  test('a single bar (1D on a Monday morning) still gets an hour, not NaN', () => {
    expect(formatTimeTicks([sec('2026-11-02T14:30:00Z')], 0, 'America/New_York', en)).toEqual(['09:30\nNov 2']);
  });

  test('longer spans show dates, the year where it changes; beyond two years, months', () => {
    const ticks = [sec('2025-12-29T00:00:00Z'), sec('2026-01-05T00:00:00Z'), sec('2026-06-01T00:00:00Z')];
    expect(formatTimeTicks(ticks, 300 * 86_400, 'UTC', en)).toEqual(['Dec 29\n2025', 'Jan 5\n2026', 'Jun 1']);
    expect(formatTimeTicks(ticks, 300 * 86_400, 'UTC', de)).toEqual(['29. Dez.\n2025', '5. Jan.\n2026', '1. Juni']);
    // Midnight UTC is still the previous evening in New York.
    expect(formatTimeTicks([sec('2026-01-05T00:00:00Z')], 300 * 86_400, 'America/New_York', en)).toEqual(['Jan 4\n2026']);
    expect(formatTimeTicks([sec('2024-01-01T12:00:00Z')], 900 * 86_400, 'UTC', en)).toEqual(['Jan 2024']);
  });

  test('ticks hours apart on a longer axis (1W of hourly bars) keep their hours', () => {
    const ticks = [sec('2026-11-25T20:30:00Z'), sec('2026-11-27T14:30:00Z'), sec('2026-11-27T17:30:00Z')];
    expect(formatTimeTicks(ticks, 7 * 86_400, 'America/New_York', en)).toEqual(['15:30\nNov 25', '09:30\nNov 27', '12:30']);
  });
});
