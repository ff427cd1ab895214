/** Locale is a parameter only so tests can pin it; the app passes none and gets the user's. */
type Locale = string | undefined;

/** Enough decimals to show movement at any price level, from BTC to sub-cent tokens. */
function fractionDigits(value: number): number {
  const abs = Math.abs(value);
  if (abs >= 1 || abs === 0) return 2;
  if (abs >= 0.01) return 4;
  return 8;
}

/** `currency` is an ISO code for stocks but may be a name or null for crypto pairs. */
export function formatPrice(value: number, currency: string | null, locale?: Locale): string {
  const digits = fractionDigits(value);
  const iso = currency !== null && /^[A-Z]{3}$/.test(currency);
  const text = new Intl.NumberFormat(locale, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    ...(iso ? { style: 'currency', currency } : {}),
  }).format(value);
  return iso || currency === null ? text : `${text} ${currency}`;
}

export function formatTime(iso: string, locale?: Locale): string {
  return new Date(iso).toLocaleString(locale, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

export function formatAgo(iso: string, now: number): string {
  const minutes = Math.floor((now - Date.parse(iso)) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
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

/** A price-like number with as many decimals as its size needs (or `digits`). */
export function formatNumber(value: number, digits = fractionDigits(value), locale?: Locale): string {
  return numberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

export function formatVolume(value: number, locale?: Locale): string {
  return numberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}

/** "+1.23%", "−0.40%", "0.00%"; a dash when unknown. */
export function formatPct(value: number | null, locale?: Locale): string {
  if (value === null) return '—';
  return `${numberFormat(locale, { signDisplay: 'exceptZero', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value)}%`;
}
