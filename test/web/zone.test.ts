import { describe, expect, test } from 'vitest';
import { commonZone, exchangeZone, shownZone, tzDate, zoneAbbreviation, zoneName } from '../../web/src/zone.ts';

const ms = (iso: string) => Date.parse(iso);

describe('which clock', () => {
  test("exchange: a US stock's is New York, crypto's is UTC (the days its bars are cut by)", () => {
    expect(exchangeZone({ asset_type: 'stock', exchange: 'NASDAQ' })).toBe('America/New_York');
    expect(exchangeZone({ asset_type: 'crypto', exchange: 'Binance' })).toBe('UTC');
    expect(shownZone('exchange', 'America/New_York').zone).toBe('America/New_York');
    expect(shownZone('utc', 'America/New_York').zone).toBe('UTC');
    expect(shownZone('local', 'America/New_York').zone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  test('the comparison takes the clock most of its symbols trade on, the first on a tie', () => {
    expect(commonZone(['America/New_York', 'UTC', 'America/New_York'])).toBe('America/New_York');
    expect(commonZone(['UTC', 'America/New_York'])).toBe('UTC');
    expect(commonZone([])).toBe('UTC');
  });
});

describe('its name, as printed next to every time', () => {
  test('EDT before 1 November 2026, EST after; CET and CEST for a European browser', () => {
    const ny = shownZone('exchange', 'America/New_York');
    expect(zoneName(ny, ms('2026-10-31T16:00:00Z'))).toBe('New York time (EDT)');
    expect(zoneName(ny, ms('2026-11-01T07:00:00Z'))).toBe('New York time (EST)');
    expect(zoneName({ choice: 'local', zone: 'Europe/Berlin' }, ms('2026-11-02T12:00:00Z'))).toBe('your time (CET)');
    expect(zoneName({ choice: 'local', zone: 'Europe/Berlin' }, ms('2026-07-02T12:00:00Z'))).toBe('your time (CEST)');
    expect(zoneName(shownZone('utc', 'America/New_York'), 0)).toBe('UTC');
    expect(zoneName({ choice: 'local', zone: 'America/Los_Angeles' }, ms('2026-11-02T12:00:00Z'))).toBe('your time (PST)');
    // A zone without an English abbreviation reads as its offset.
    expect(zoneAbbreviation('Asia/Tokyo', 0)).toBe('GMT+9');
  });
});

describe("uPlot's tzDate", () => {
  test("its local getters read the chosen zone's wall clock, across the clock change", () => {
    const ny = tzDate('America/New_York');
    // Friday's and Monday's opens are different UTC hours but the same 09:30 in New York.
    for (const [iso, day] of [
      ['2026-10-30T13:30:00Z', 30],
      ['2026-11-02T14:30:00Z', 2],
    ] as const) {
      const d = ny(ms(iso) / 1000);
      expect([d.getDate(), d.getHours(), d.getMinutes()]).toEqual([day, 9, 30]);
    }
    // The repeated hour: 01:30 EDT, then 01:30 EST.
    expect(ny(ms('2026-11-01T05:30:00Z') / 1000).getHours()).toBe(1);
    expect(ny(ms('2026-11-01T06:30:00Z') / 1000).getHours()).toBe(1);
    expect(tzDate('UTC')(ms('2026-11-02T14:30:00Z') / 1000).getHours()).toBe(14);
  });
});
