import { describe, expect, it } from 'vitest';
import { easterSunday, marketStatus, NYSE, nyseYear, previousClose } from '../functions/_shared/calendar.ts';

/** The NYSE calendar, computed by rule, against the exchange's published dates. */
describe('NYSE calendar', () => {
  it('computes Easter for known years', () => {
    expect(['2024', '2025', '2026', '2027', '2038'].map((y) => easterSunday(Number(y)))).toEqual([
      '2024-03-31',
      '2025-04-20',
      '2026-04-05',
      '2027-03-28',
      '2038-04-25',
    ]);
  });

  it('lists the published 2026 holidays and early closes', () => {
    const { holidays, earlyCloses } = nyseYear(2026);
    expect([...holidays.keys()].sort()).toEqual([
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-04-03',
      '2026-05-25',
      '2026-06-19',
      '2026-07-03',
      '2026-09-07',
      '2026-11-26',
      '2026-12-25',
    ]);
    // 4 July 2026 is a Saturday, observed on Friday 3 July: no early close before it.
    expect([...earlyCloses].sort()).toEqual(['2026-11-27', '2026-12-24']);
  });

  it('applies the weekend rules: Sunday holidays move to Monday, a Saturday New Year is not observed', () => {
    // 2022: New Year on Saturday (no holiday on Fri 31 Dec 2021), Juneteenth on Sunday -> Monday 20 June,
    // Christmas on Sunday -> Monday 26 December.
    const y2022 = nyseYear(2022).holidays;
    expect(y2022.has('2021-12-31')).toBe(false);
    expect(y2022.get('2022-06-20')).toMatch(/Juneteenth/);
    expect(y2022.get('2022-12-26')).toBe('Christmas Day');
    // Juneteenth only from 2022.
    expect([...nyseYear(2021).holidays.values()].some((n) => n.includes('Juneteenth'))).toBe(false);
    // 2025: early close on Thursday 3 July (4 July a Friday), 28 November, 24 December.
    expect([...nyseYear(2025).earlyCloses].sort()).toEqual(['2025-07-03', '2025-11-28', '2025-12-24']);
  });

  it('says whether the market is open and when it opens next, across a holiday and an early close', () => {
    // Thanksgiving 2026, noon in New York: closed, opens Friday 09:30.
    expect(marketStatus(NYSE, Date.parse('2026-11-26T17:00:00Z'))).toEqual({
      open: false,
      closesAt: null,
      opensAt: Date.parse('2026-11-27T14:30:00Z'),
    });
    // Friday 27th at 12:00: open, closes at 13:00 New York.
    expect(marketStatus(NYSE, Date.parse('2026-11-27T17:00:00Z'))).toEqual({
      open: true,
      closesAt: Date.parse('2026-11-27T18:00:00Z'),
      opensAt: null,
    });
    // Sunday 29th: opens Monday 09:30 EST.
    expect(marketStatus(NYSE, Date.parse('2026-11-29T20:00:00Z')).opensAt).toBe(Date.parse('2026-11-30T14:30:00Z'));
    // Monday 10:45: the previous close is Friday's early close.
    expect(previousClose(NYSE, Date.parse('2026-11-30T15:45:00Z'))).toEqual({
      date: '2026-11-27',
      close: Date.parse('2026-11-27T18:00:00Z'),
    });
    // The day after the spring clock change (Monday 9 March 2026), 09:30 is 13:30 UTC.
    expect(marketStatus(NYSE, Date.parse('2026-03-09T12:00:00Z')).opensAt).toBe(Date.parse('2026-03-09T13:30:00Z'));
  });
});

describe('market hours line on the cards', () => {
  it('says open until the close, or when the next session opens, on the exchange clock', async () => {
    const { marketHoursLine } = await import('../web/src/market-hours.ts');
    const stock = { asset_type: 'stock', exchange: 'NASDAQ' };
    expect(marketHoursLine(stock, Date.parse('2026-11-30T15:45:00Z'))).toBe('NYSE open · closes 16:00 EST');
    expect(marketHoursLine(stock, Date.parse('2026-11-26T17:00:00Z'))).toBe('NYSE closed · opens Fri 09:30 EST');
    expect(marketHoursLine(stock, Date.parse('2026-11-27T17:00:00Z'))).toBe('NYSE open · closes 13:00 EST');
    expect(marketHoursLine({ asset_type: 'crypto', exchange: 'Binance' }, Date.parse('2026-11-29T20:00:00Z'))).toBe(
      'Trades 24/7 · days in UTC',
    );
  });
});
