/**
 * What the user is looking at, kept in the URL's query string so a view can be shared or bookmarked.
 * Parsing is forgiving (an unknown value falls back to the default) because links outlive deployments.
 */
import * as z from 'zod/mini';
import { type TzChoice, tzChoiceSchema } from './zone.ts';

export const RANGES = ['1D', '1W', '1M', '3M', '1Y', 'YTD', 'All'] as const;
export type Range = (typeof RANGES)[number];

const DAY = 86_400;
/**
 * How far back each range's charts reach at least from a symbol's newest bar, in seconds; null: the
 * whole history. The dashboard widens it to the base close of the range's return (market.returns).
 */
export const RANGE_SECONDS: Record<Range, number | null> = {
  '1D': DAY,
  '1W': 7 * DAY,
  '1M': 30 * DAY,
  '3M': 91 * DAY,
  '1Y': 365 * DAY,
  // From the base close of 31 December, which market.returns supplies.
  YTD: 0,
  All: null,
};

/** Bar resolution of the big chart: `auto` picks by range (hourly to 3M, daily for 1Y/YTD, weekly for All). */
export const BAR_CHOICES = ['auto', '1h', '1day', '1week'] as const;
export type BarChoice = (typeof BAR_CHOICES)[number];

export const CHART_KINDS = ['line', 'candles'] as const;
export type ChartKind = (typeof CHART_KINDS)[number];

export const OVERLAYS = ['sma20', 'sma50', 'ema', 'bb'] as const;
export type Overlay = (typeof OVERLAYS)[number];
export const OVERLAY_LABELS: Record<Overlay, string> = {
  sma20: 'SMA 20',
  sma50: 'SMA 50',
  ema: 'EMA 12/26',
  bb: 'Bollinger',
};

export const PANES = ['rsi', 'macd'] as const;
export type Pane = (typeof PANES)[number];
export const PANE_LABELS: Record<Pane, string> = { rsi: 'RSI 14', macd: 'MACD' };

export const THEMES = ['dark', 'light'] as const;
export type Theme = (typeof THEMES)[number];

export interface ViewState {
  /** The symbol in the big chart. */
  symbol: string;
  /** The watch list: the KPI cards shown and the symbols that may be compared, in configured order. */
  watch: string[];
  /** The symbols compared, from the watch list in its order; null: the whole watch list. */
  compare: string[] | null;
  /** The symbol every compared one is measured against, drawn distinctly; from the watch list; null: none. */
  benchmark: string | null;
  range: Range;
  bars: BarChoice;
  /** The big chart's zoom: the time range shown, epoch seconds; null: the whole range. */
  zoom: readonly [number, number] | null;
  chart: ChartKind;
  overlays: Overlay[];
  panes: Pane[];
  /** null: follow the system setting. */
  theme: Theme | null;
  /** Seconds between polls while the live connection is down. */
  poll: number;
  /** Which clock times are shown on: each symbol's exchange, the browser's zone, or UTC. */
  tz: TzChoice;
  /** A BCP 47 locale for numbers and dates; null: the browser's. */
  locale: string | null;
}

/**
 * `?locale=`: a well-formed BCP 47 tag this browser has data for, in its canonical spelling; anything
 * else is ignored (the browser's locale stays), never an exception from Intl halfway through a render.
 */
const localeSchema = z.pipe(
  z.string().check(z.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/)),
  z.transform((tag, ctx) => {
    try {
      const [supported] = Intl.NumberFormat.supportedLocalesOf(Intl.getCanonicalLocales(tag));
      if (supported) return supported;
    } catch {
      // Fall through: not a locale.
    }
    ctx.issues.push({ code: 'custom', message: 'an unsupported locale', input: tag });
    return z.NEVER;
  }),
);

export function parseLocale(value: string | null): string | null {
  const parsed = localeSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export const DEFAULT_POLL_SECONDS = 60;

export function defaultView(symbols: readonly string[], poll = DEFAULT_POLL_SECONDS): ViewState {
  return {
    symbol: symbols[0] ?? '',
    watch: [...symbols],
    compare: null,
    benchmark: null,
    range: '1M',
    bars: 'auto',
    zoom: null,
    chart: 'line',
    overlays: ['sma20', 'sma50'],
    panes: ['rsi', 'macd'],
    theme: null,
    poll,
    tz: 'exchange',
    locale: null,
  };
}

/** `zoom=<from>-<to>` in epoch seconds; anything else is no zoom. */
function parseZoom(value: string | null): [number, number] | null {
  const m = value === null ? null : /^(\d{1,12})-(\d{1,12})$/.exec(value);
  if (!m) return null;
  const from = Number(m[1]);
  const to = Number(m[2]);
  return from < to ? [from, to] : null;
}

function pick<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/** A comma list filtered to allowed values, in the allowed order; absent means the fallback. */
function list<T extends string>(value: string | null, allowed: readonly T[], fallback: readonly T[]): T[] {
  if (value === null) return [...fallback];
  const wanted = new Set(value.split(',').map((s) => s.trim()));
  return allowed.filter((v) => wanted.has(v));
}

/** `search` is `location.search`; `symbols` the configured ones, which bound what a link may ask for. */
export function parseView(search: string, symbols: readonly string[], defaults = defaultView(symbols)): ViewState {
  const q = new URLSearchParams(search);
  const upper = (v: string | null) => (v === null ? null : v.toUpperCase());
  const watch = list(upper(q.get('watch')), symbols, defaults.watch);
  const poll = Number(q.get('poll'));
  const theme = q.get('theme');
  const watched = watch.length > 0 ? watch : defaults.watch;
  // Only symbols on the watch list are held, so only they can be compared; unknown ones are ignored.
  const compare = list(upper(q.get('compare')), watched, []);
  const benchmark = upper(q.get('benchmark'));
  return {
    symbol: pick(upper(q.get('symbol')), symbols, defaults.symbol),
    watch: watched,
    compare: compare.length > 0 && compare.length < watched.length ? compare : defaults.compare,
    benchmark: benchmark !== null && watched.includes(benchmark) ? benchmark : defaults.benchmark,
    range: pick(q.get('range'), RANGES, defaults.range),
    bars: pick(q.get('bars'), BAR_CHOICES, defaults.bars),
    zoom: parseZoom(q.get('zoom')) ?? defaults.zoom,
    chart: pick(q.get('chart'), CHART_KINDS, defaults.chart),
    overlays: list(q.get('overlays'), OVERLAYS, defaults.overlays),
    panes: list(q.get('panes'), PANES, defaults.panes),
    // Anything but a known theme (`system` included) means following the system setting.
    theme: theme === null ? defaults.theme : (THEMES as readonly string[]).includes(theme) ? (theme as Theme) : null,
    poll: Number.isInteger(poll) && poll >= 5 && poll <= 86_400 ? poll : defaults.poll,
    tz: q.has('tz') ? tzChoiceSchema.parse(q.get('tz')) : defaults.tz,
    locale: parseLocale(q.get('locale')) ?? defaults.locale,
  };
}

/** Only what differs from the defaults, so a plain visit keeps a clean URL. Slashes stay readable. */
export function serializeView(view: ViewState, defaults: ViewState): string {
  const parts: Array<[string, string]> = [];
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  if (view.symbol !== defaults.symbol) parts.push(['symbol', view.symbol]);
  if (!same(view.watch, defaults.watch)) parts.push(['watch', view.watch.join(',')]);
  // What is in effect: a choice the watch list no longer holds is not written.
  const compared = comparedSymbols(view);
  if (view.compare !== null && !same(compared, view.watch)) parts.push(['compare', compared.join(',')]);
  const benchmark = benchmarkOf(view);
  if (benchmark !== null) parts.push(['benchmark', benchmark]);
  if (view.range !== defaults.range) parts.push(['range', view.range]);
  if (view.bars !== defaults.bars) parts.push(['bars', view.bars]);
  if (view.zoom) parts.push(['zoom', `${view.zoom[0]}-${view.zoom[1]}`]);
  if (view.chart !== defaults.chart) parts.push(['chart', view.chart]);
  if (!same(view.overlays, defaults.overlays)) parts.push(['overlays', view.overlays.join(',')]);
  if (!same(view.panes, defaults.panes)) parts.push(['panes', view.panes.join(',')]);
  if (view.theme !== defaults.theme) parts.push(['theme', view.theme ?? 'system']);
  if (view.poll !== defaults.poll) parts.push(['poll', String(view.poll)]);
  if (view.tz !== defaults.tz) parts.push(['tz', view.tz]);
  if (view.locale !== defaults.locale && view.locale !== null) parts.push(['locale', view.locale]);
  if (parts.length === 0) return '';
  const encode = (s: string) => encodeURIComponent(s).replace(/%2F/g, '/').replace(/%2C/g, ',');
  return `?${parts.map(([k, v]) => `${k}=${encode(v)}`).join('&')}`;
}

/** Toggles a member of a list while keeping the canonical order, so URLs for the same view are equal. */
export function toggle<T extends string>(values: readonly T[], value: T, allowed: readonly T[]): T[] {
  const next = new Set(values);
  if (next.has(value)) next.delete(value);
  else next.add(value);
  return allowed.filter((v) => next.has(v));
}

/** The symbols the comparison draws: the chosen ones still on the watch list, or the whole watch list. */
export function comparedSymbols(view: Pick<ViewState, 'watch' | 'compare'>): string[] {
  const chosen = view.compare === null ? [] : view.watch.filter((s) => view.compare!.includes(s));
  return chosen.length > 0 ? chosen : [...view.watch];
}

/** The benchmark, if it is still on the watch list. */
export function benchmarkOf(view: Pick<ViewState, 'watch' | 'benchmark'>): string | null {
  return view.benchmark !== null && view.watch.includes(view.benchmark) ? view.benchmark : null;
}

/** Adds or removes a symbol from the comparison; the whole watch list again is the default (null), for a clean URL. */
export function toggleCompared(view: Pick<ViewState, 'watch' | 'compare'>, symbol: string): string[] | null {
  const next = toggle(comparedSymbols(view), symbol, view.watch);
  // The last symbol stays: an empty comparison has nothing to show.
  if (next.length === 0) return view.compare;
  return next.length === view.watch.length ? null : next;
}
