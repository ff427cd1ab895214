import type { AssetMeta, Bar } from '../../functions/_shared/types.ts';
import { seededRandom } from './stats.ts';

/**
 * Parsed API data for the backfill bench, as the extractor hands it to the loader: instrument
 * meta and validated, closed, UTC bars. Half stocks (NASDAQ session hours, with volume), half
 * crypto (around the clock, no volume), each a deterministic random walk.
 */

export interface ParsedSeries {
  meta: AssetMeta;
  bars: Bar[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Open times of the `count` hourly bars before `endMs`: every hour, or a NASDAQ-like session. */
function openTimes(count: number, endMs: number, session: boolean): number[] {
  const times: number[] = [];
  for (let ts = Math.floor(endMs / HOUR) * HOUR - HOUR; times.length < count; ts -= HOUR) {
    if (!session) {
      times.push(ts);
      continue;
    }
    const weekday = new Date(ts).getUTCDay();
    const minutes = (ts % DAY) / 60_000;
    // 14:30 to 20:30 UTC: the winter session in New York, seven bars a weekday.
    if (weekday >= 1 && weekday <= 5 && minutes >= 14 * 60 && minutes <= 20 * 60) times.push(ts + 30 * 60_000);
  }
  return times.reverse();
}

export function generateSeries(symbolCount: number, barsPerSymbol: number, endMs: number): ParsedSeries[] {
  return Array.from({ length: symbolCount }, (_, index) => {
    const stock = index % 2 === 0;
    const symbol = stock ? `S${String(index).padStart(3, '0')}` : `C${String(index).padStart(3, '0')}/USD`;
    const meta: AssetMeta = stock
      ? { symbol, assetType: 'stock', exchange: 'NASDAQ', currency: 'USD', exchangeTimezone: 'America/New_York' }
      : { symbol, assetType: 'crypto', exchange: 'Binance', currency: 'USD', exchangeTimezone: 'UTC' };
    const next = seededRandom(index + 1);
    let close = 20 + next() * 500;
    const bars = openTimes(barsPerSymbol, endMs, stock).map((ts): Bar => {
      const open = close;
      close = Math.max(0.01, open * (1 + (next() - 0.5) * 0.02));
      const round = (x: number) => Math.round(x * 10_000) / 10_000;
      const high = round(Math.max(open, close) * (1 + next() * 0.005));
      const low = round(Math.min(open, close) * (1 - next() * 0.005));
      return { ts, open: round(open), high, low, close: round(close), volume: stock ? Math.round(next() * 1e6) : null };
    });
    return { meta, bars };
  });
}
