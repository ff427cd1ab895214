import { type ShownZone, zoneName } from './zone.ts';

/**
 * Every number, date and time a user reads goes through this module, in one locale: the browser's
 * (`navigator.language`), or `?locale=` when a link pins one. Functions take a locale only so tests
 * can pin it; the app passes none. Files for machines (CSV) are never localised. Times use the
 * 24-hour clock in every locale, as trading screens do (and "16:00" fits an axis where "4:00 PM" crowds it).
 */
type Locale = string | undefined;

// Through globalThis: this module is also compiled for Node (tests, the server's imports), which has no DOM types.
let pageLocale: Locale = (globalThis as { navigator?: { language?: string } }).navigator?.language || undefined;

/** Set once, before the page renders, from `?locale=` (validated in view.ts); null: the browser's. */
export function setDisplayLocale(locale: string | null): void {
  if (locale !== null) pageLocale = locale;
}

export function displayLocale(): Locale {
  return pageLocale;
}

/** Enough decimals to show movement at any price level, from BTC to sub-cent tokens. */
function fractionDigits(value: number): number {
  const abs = Math.abs(value);
  if (abs >= 1 || abs === 0) return 2;
  if (abs >= 0.01) return 4;
  return 8;
}

const numberFormats = new Map<string, Intl.NumberFormat>();
/** Legends reformat on every mouse move, so formatters are built once per shape. */
function numberFormat(locale: Locale, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale ?? ''}|${JSON.stringify(options)}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    numberFormats.set(key, f);
  }
  return f;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale ?? ''}|${JSON.stringify(options)}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    dateFormats.set(key, f);
  }
  return f;
}

/** `currency` is an ISO code for stocks but may be a name or null for crypto pairs. */
export function formatPrice(value: number, currency: string | null, locale: Locale = pageLocale): string {
  const digits = fractionDigits(value);
  const iso = currency !== null && /^[A-Z]{3}$/.test(currency);
  const text = numberFormat(locale, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    ...(iso ? { style: 'currency', currency } : {}),
  }).format(value);
  return iso || currency === null ? text : `${text} ${currency}`;
}

/** A price-like number with as many decimals as its size needs (or `digits`). */
export function formatNumber(value: number, digits = fractionDigits(value), locale: Locale = pageLocale): string {
  return numberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

export function formatVolume(value: number, locale: Locale = pageLocale): string {
  return numberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}

/**
 * A percentage given in percent units (1.5 is 1.5 %), with the locale's sign placement and spacing
 * ("+1.50%", "+1,50 %"); `signed` prints the plus of a rise. A dash when unknown.
 */
export function formatPercent(value: number | null, digits: number, signed: boolean, locale: Locale = pageLocale): string {
  if (value === null) return '—';
  return numberFormat(locale, {
    style: 'percent',
    signDisplay: signed ? 'exceptZero' : 'auto',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value / 100);
}

/** "+1.23%", "-0.40%", "0.00%" (en-US); "+1,23 %" (de-DE); a dash when unknown. */
export function formatPct(value: number | null, locale: Locale = pageLocale): string {
  return formatPercent(value, 2, true, locale);
}

/** Date and time of an instant on the clock of `zone`, without the zone's name: "Nov 30, 10:30 AM". */
export function formatDateTime(ms: number, zone: string, locale: Locale = pageLocale): string {
  return dateFormat(locale, {
    timeZone: zone,
    hourCycle: 'h23',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(ms);
}

/** The same with the weekday, for the crosshair's time in a legend: "Mon, Nov 30, 10:30 AM". */
export function formatCrosshairTime(ms: number, zone: string, locale: Locale = pageLocale): string {
  return dateFormat(locale, {
    timeZone: zone,
    hourCycle: 'h23',
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(ms);
}

/** A time the page states, always with its zone: "Nov 30, 10:30 AM New York time (EST)". */
export function formatTime(iso: string, shown: ShownZone, locale: Locale = pageLocale): string {
  const ms = Date.parse(iso);
  return `${formatDateTime(ms, shown.zone, locale)} ${zoneName(shown, ms)}`;
}

/** A civil date (`YYYY-MM-DD`, a trading day) as the date it is, whatever the zone: "Fri, Nov 27". */
export function formatCivilDate(date: string, locale: Locale = pageLocale): string {
  return dateFormat(locale, { timeZone: 'UTC', weekday: 'short', month: 'short', day: 'numeric' }).format(Date.parse(`${date}T12:00:00Z`));
}

/**
 * Labels for time-axis ticks (epoch seconds) on the clock of `zone`: hours when the axis spans a few
 * days at most (a 1D chart is one or two sessions) or its ticks are hours apart, with the date under
 * the first tick of each day; dates otherwise, with the year under the first tick of each year;
 * months beyond two years.
 */
export function formatTimeTicks(ticks: readonly number[], spanSeconds: number, zone: string, locale: Locale = pageLocale): string[] {
  const day = dateFormat(locale, { timeZone: zone, month: 'short', day: 'numeric' });
  const year = dateFormat(locale, { timeZone: zone, year: 'numeric' });
  const dayKey = dateFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
  let previous: string | undefined;
  // Ticks less than most of a day apart need their hours too, or a 1W axis reads "Nov 26, Nov 26, Nov 26".
  const closest = ticks.slice(1).reduce((gap, t, i) => Math.min(gap, t - ticks[i]!), Number.POSITIVE_INFINITY);
  if (spanSeconds <= 3 * 86_400 || closest < 20 * 3600) {
    const time = dateFormat(locale, { timeZone: zone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' });
    return ticks.map((t) => {
      const key = dayKey.format(t * 1000);
      const label = key === previous ? time.format(t * 1000) : `${time.format(t * 1000)}\n${day.format(t * 1000)}`;
      previous = key;
      return label;
    });
  }
  if (spanSeconds <= 2 * 366 * 86_400) {
    return ticks.map((t) => {
      const y = year.format(t * 1000);
      const label = y === previous ? day.format(t * 1000) : `${day.format(t * 1000)}\n${y}`;
      previous = y;
      return label;
    });
  }
  const month = dateFormat(locale, { timeZone: zone, month: 'short', year: 'numeric' });
  return ticks.map((t) => month.format(t * 1000));
}

export function formatAgo(iso: string, now: number): string {
  const minutes = Math.floor((now - Date.parse(iso)) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** A percent axis label: "+5 %", "−2.5 %" (a true minus sign), "0 %". */
export function formatAxisPct(value: number, digits = 0, locale?: Locale): string {
  const text = numberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Math.abs(value));
  // Rounded to zero is zero, without a sign.
  if (Number(Math.abs(value).toFixed(digits)) === 0) return `${text} %`;
  return `${value > 0 ? '+' : '\u2212'}${text} %`;
}

/** A difference of percentages in percentage points: "+1.25 pp", "−0.40 pp". */
export function formatPp(value: number, locale?: Locale): string {
  const text = numberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Math.abs(value));
  if (Number(Math.abs(value).toFixed(2)) === 0) return `${text} pp`;
  return `${value > 0 ? '+' : '\u2212'}${text} pp`;
}
