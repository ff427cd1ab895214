import { INTERVAL_SECONDS, type Interval } from './contract.ts';

/** Bar intervals and their lengths are part of the wire contract (contract.ts); these are the server's helpers. */
export { INTERVALS, type Interval } from './contract.ts';

export function intervalMs(interval: Interval): number {
  return INTERVAL_SECONDS[interval] * 1000;
}

/** Daily and longer bars are labelled with a bare date in the exchange's zone; intraday bars with a time. */
export function isIntraday(interval: Interval): boolean {
  return INTERVAL_SECONDS[interval] < INTERVAL_SECONDS['1day'];
}
