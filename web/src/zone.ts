/**
 * Which clock the dashboard's times are read on: each symbol's exchange (New York for US stocks, UTC
 * for crypto, whose days the database cuts in UTC), the browser's own zone, or UTC. Only Intl and
 * functions/_shared/time.ts, so the zone rules are the ones the ETL and the read path use.
 */
import * as z from 'zod/mini';
import { calendarFor } from '../../functions/_shared/calendar.ts';
import { wallClockAt } from '../../functions/_shared/time.ts';

export const TZ_CHOICES = ['exchange', 'local', 'utc'] as const;
export type TzChoice = (typeof TZ_CHOICES)[number];
export const TZ_LABELS: Record<TzChoice, string> = { exchange: 'Exchange', local: 'Local', utc: 'UTC' };

/** `?tz=`: anything unknown is the default, as for every other parameter of a shared link. */
export const tzChoiceSchema = z.catch(z.enum(TZ_CHOICES), 'exchange');

/** A resolved choice: the IANA zone times are shown in, and whether it is the exchange's or the user's. */
export interface ShownZone {
  choice: TzChoice;
  zone: string;
}

/** The browser's zone; UTC where Intl cannot tell (a bare runtime). */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** The zone a symbol's exchange keeps its calendar in (market.returns' time_zone): UTC for crypto. */
export function exchangeZone(asset: { asset_type: string; exchange?: string | null } | undefined): string {
  return asset ? calendarFor(asset).zone : 'UTC';
}

export function shownZone(choice: TzChoice, exchange: string): ShownZone {
  if (choice === 'utc') return { choice, zone: 'UTC' };
  if (choice === 'local') return { choice, zone: browserZone() };
  return { choice, zone: exchange };
}

/**
 * The zone shared by most of `zones` (the first of them on a tie): the comparison draws stocks and
 * crypto on one time axis, so in exchange mode it takes the clock most of its symbols trade on.
 */
export function commonZone(zones: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const zone of zones) counts.set(zone, (counts.get(zone) ?? 0) + 1);
  let best = zones[0] ?? 'UTC';
  for (const [zone, n] of counts) if (n > (counts.get(best) ?? 0)) best = zone;
  return best;
}

const abbreviations = new Map<string, Intl.DateTimeFormat>();
function abbreviationIn(locale: string, zone: string, atMs: number): string {
  const key = `${locale}|${zone}`;
  let f = abbreviations.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' });
    abbreviations.set(key, f);
  }
  return f.formatToParts(atMs).find((p) => p.type === 'timeZoneName')?.value ?? zone;
}

/**
 * The zone's short name at an instant (EST or EDT, CET or CEST). English data knows the American
 * names and British data the European ones; a zone neither names reads as its offset ("GMT+9").
 */
export function zoneAbbreviation(zone: string, atMs: number): string {
  if (zone === 'UTC' || zone === 'Etc/UTC') return 'UTC';
  const us = abbreviationIn('en-US', zone, atMs);
  if (!us.startsWith('GMT')) return us;
  const gb = abbreviationIn('en-GB', zone, atMs);
  return gb.startsWith('GMT') && gb !== 'GMT' ? us : gb;
}

/** "New York time (EST)", "your time (CET)", "UTC": printed next to every time the page shows. */
export function zoneName(shown: ShownZone, atMs: number): string {
  if (shown.zone === 'UTC' || shown.zone === 'Etc/UTC') return 'UTC';
  const short = zoneAbbreviation(shown.zone, atMs);
  if (shown.choice === 'local') return `your time (${short})`;
  const city = (shown.zone.split('/').at(-1) ?? shown.zone).replace(/_/g, ' ');
  return `${city} time (${short})`;
}

/**
 * uPlot's `tzDate`: uPlot reads ticks through a Date's local getters (getHours…), which follow the
 * browser's zone; this Date's local getters read the wall clock of `zone` instead, so the ticks it
 * places (midnights, whole hours) are the zone's.
 */
export function tzDate(zone: string): (epochSeconds: number) => Date {
  return (sec) => {
    const c = wallClockAt(sec * 1000, zone);
    return new Date(c.year, c.month - 1, c.day, c.hour, c.minute, c.second);
  };
}
