/**
 * Whether a symbol's market is trading, from its exchange's calendar (functions/_shared/calendar.ts:
 * NYSE holidays and early closes by rule; crypto around the clock), said on its own clock.
 */
import { calendarFor, marketStatus } from '../../functions/_shared/calendar.ts';
import { displayLocale } from './format.ts';
import { type ShownZone, zoneAbbreviation } from './zone.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** "16:00 EST" / "Mon 09:30 EST" in the page's locale, with the zone's short name. */
function at(ms: number, zone: string, withDay: boolean): string {
  const locale = displayLocale();
  const key = `${locale ?? ''}|${zone}|${withDay}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone: zone,
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
      ...(withDay ? { weekday: 'short' } : {}),
    });
    formatters.set(key, f);
  }
  return `${f.format(ms).replace(',', '')} ${zoneAbbreviation(zone, ms)}`;
}

/**
 * "Open · closes 16:00 EST", "Closed · opens Mon 09:30 EST", "Trades 24/7", on the exchange's clock
 * or, when the user chose another (`shown`), on that one.
 */
export function marketHoursLine(asset: { asset_type: string; exchange?: string | null }, nowMs: number, shown?: ShownZone): string {
  const calendar = calendarFor(asset);
  const zone = shown && shown.choice !== 'exchange' ? shown.zone : calendar.zone;
  if (asset.asset_type === 'crypto') return 'Trades 24/7 · days in UTC';
  const status = marketStatus(calendar, nowMs);
  if (status.open && status.closesAt !== null) return `${calendar.name} open · closes ${at(status.closesAt, zone, false)}`;
  if (status.opensAt !== null) return `${calendar.name} closed · opens ${at(status.opensAt, zone, true)}`;
  return `${calendar.name} closed`;
}
