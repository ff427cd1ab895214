/** Twelve Data bar intervals this product stores, with their length. */
export const INTERVALS = ['1min', '5min', '15min', '30min', '45min', '1h', '2h', '4h', '8h', '1day', '1week'] as const;
export type Interval = (typeof INTERVALS)[number];

const MINUTE = 60_000;
const LENGTH_MS: Record<Interval, number> = {
  '1min': MINUTE,
  '5min': 5 * MINUTE,
  '15min': 15 * MINUTE,
  '30min': 30 * MINUTE,
  '45min': 45 * MINUTE,
  '1h': 60 * MINUTE,
  '2h': 120 * MINUTE,
  '4h': 240 * MINUTE,
  '8h': 480 * MINUTE,
  '1day': 1440 * MINUTE,
  '1week': 7 * 1440 * MINUTE,
};

export function intervalMs(interval: Interval): number {
  return LENGTH_MS[interval];
}

/** Daily and longer bars are labelled with a bare date in the exchange's zone; intraday bars with a time. */
export function isIntraday(interval: Interval): boolean {
  return LENGTH_MS[interval] < LENGTH_MS['1day'];
}
