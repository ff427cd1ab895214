import type { EtlRun } from './types.ts';

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

export type Direction = 'up' | 'down' | 'flat';

export function direction(change: number | null): Direction | undefined {
  if (change === null) return undefined;
  return change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
}

/**
 * "+1.23 (+0.45%)", with as many decimals as the price itself; either part is left out when the
 * source has no previous close.
 */
export function formatChange(change: number | null, changePct: number | null, price: number, locale?: Locale): string {
  const parts: string[] = [];
  if (change !== null) {
    const digits = fractionDigits(price);
    parts.push(
      new Intl.NumberFormat(locale, {
        signDisplay: 'exceptZero',
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      }).format(change),
    );
  }
  if (changePct !== null) {
    const pct = new Intl.NumberFormat(locale, {
      signDisplay: 'exceptZero',
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    }).format(changePct);
    parts.push(parts.length > 0 ? `(${pct}%)` : `${pct}%`);
  }
  return parts.length > 0 ? parts.join(' ') : '—';
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

/** The freshness line: when the last ETL run ended, how it went, and why if it failed. */
export function formatRun(run: EtlRun | null, now: number, locale?: Locale): string {
  if (run === null) return 'No ETL run yet';
  if (run.finished_at === null) {
    return `ETL run ${run.status}, started ${formatTime(run.started_at, locale)}`;
  }
  const when = `${formatTime(run.finished_at, locale)} (${formatAgo(run.finished_at, now)})`;
  const line = `Last ETL run ${run.status} at ${when}`;
  return run.error === null ? line : `${line}: ${run.error}`;
}
