/**
 * Whether a symbol's market is trading, from its exchange's calendar (functions/_shared/calendar.ts:
 * NYSE holidays and early closes by rule; crypto around the clock), said on its own clock.
 */
import { calendarFor, marketStatus } from '../../functions/_shared/calendar.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function at(ms: number, zone: string, withDay: boolean): string {
  const key = `${zone}|${withDay}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
      ...(withDay ? { weekday: 'short' } : {}),
    });
    formatters.set(key, f);
  }
  return f.format(ms).replace(',', '');
}

/** "Open · closes 16:00 EST", "Closed · opens Mon 09:30 EST", "Trades 24/7". */
export function marketHoursLine(asset: { asset_type: string; exchange?: string | null }, nowMs: number): string {
  const calendar = calendarFor(asset);
  if (asset.asset_type === 'crypto') return 'Trades 24/7 · days in UTC';
  const status = marketStatus(calendar, nowMs);
  if (status.open && status.closesAt !== null) return `${calendar.name} open · closes ${at(status.closesAt, calendar.zone, false)}`;
  if (status.opensAt !== null) return `${calendar.name} closed · opens ${at(status.opensAt, calendar.zone, true)}`;
  return `${calendar.name} closed`;
}
