import { dateOfDay, NYSE } from '../functions/_shared/calendar.ts';
import type { Venue } from './calendar.ts';
import { hashString, unit } from './hash.ts';

export type AssetClass = 'stock' | 'crypto';

export interface PriceFormat {
  /** Decimal places when the request has no `dp`. */
  decimals: number;
  /** Raw crypto prices drop trailing zeros ("79500", "73027.02"); stock prices keep them ("148.73500"). */
  trimZeros: boolean;
}

export interface Instrument {
  /** Canonical upper-case symbol, as `meta.symbol` reports it. */
  symbol: string;
  assetClass: AssetClass;
  venue: Venue;
  /** Typical price level the model oscillates around. */
  basePrice: number;
  format: PriceFormat;
  meta(interval: string): Record<string, string>;
}

/** NASDAQ regular session on the NYSE calendar: 09:30-16:00 New York, no trading on holidays, 13:00 on early closes. */
const NASDAQ: Venue = {
  zone: NYSE.zone,
  sessionOn: (day) => {
    const session = NYSE.sessionOn(dateOfDay(day));
    return session ? [session.openMinute, session.closeMinute] : null;
  },
};

/** Crypto trades around the clock and the API labels it in UTC. */
const CRYPTO: Venue = {
  zone: 'UTC',
  sessionOn: () => [0, 24 * 60],
};

// Rough real-world levels so the default watch list looks familiar on the dashboard.
const STOCK_LEVELS: Record<string, number> = {
  AAPL: 190,
  MSFT: 410,
  GOOGL: 165,
  AMZN: 180,
  META: 480,
  NVDA: 120,
  TSLA: 240,
};

interface Currency {
  name: string;
  usd: number;
}

const CURRENCIES: Record<string, Currency> = {
  USD: { name: 'US Dollar', usd: 1 },
  EUR: { name: 'Euro', usd: 1.08 },
  GBP: { name: 'British Pound', usd: 1.27 },
  JPY: { name: 'Japanese Yen', usd: 0.0067 },
  USDT: { name: 'Tether USDt', usd: 1 },
  USDC: { name: 'USD Coin', usd: 1 },
  BTC: { name: 'Bitcoin', usd: 60_000 },
  ETH: { name: 'Ethereum', usd: 3_000 },
  SOL: { name: 'Solana', usd: 150 },
  BNB: { name: 'Binance Coin', usd: 550 },
  XRP: { name: 'XRP', usd: 0.55 },
  ADA: { name: 'Cardano', usd: 0.45 },
  DOGE: { name: 'Dogecoin', usd: 0.12 },
  DOT: { name: 'Polkadot', usd: 6.5 },
  LTC: { name: 'Litecoin', usd: 80 },
  AVAX: { name: 'Avalanche', usd: 30 },
  LINK: { name: 'Chainlink', usd: 14 },
};

/** Unknown coins get a hash-chosen level between 0.05 and 50 USD and their code as name. */
function currency(code: string): Currency {
  return CURRENCIES[code] ?? { name: code, usd: 0.05 * 10 ** (3 * unit(hashString(code), 1)) };
}

/** About five significant digits, never fewer than cents, like the exchange's own tick sizes. */
function cryptoFormat(price: number): PriceFormat {
  const decimals = Math.min(11, Math.max(2, Math.ceil(-Math.log10(price)) + 4));
  return { decimals, trimZeros: true };
}

const STOCK_RE = /^[A-Z]{1,5}(?:\.[A-Z])?$/;
const CRYPTO_RE = /^([A-Z]{2,6})\/([A-Z]{2,6})$/;

const CACHE_LIMIT = 10_000;
const cache = new Map<string, Instrument | null>();

/**
 * The instrument a requested symbol names, matched case-insensitively, or null when the simulated
 * catalogue has no such symbol. Plain tickers are NASDAQ common stock; `BASE/QUOTE` pairs are
 * crypto on Binance. `symbol:exchange` shorthand is not understood.
 */
export function findInstrument(requested: string): Instrument | null {
  const symbol = requested.trim().toUpperCase();
  if (cache.has(symbol)) return cache.get(symbol) ?? null;
  const instrument = build(symbol);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(symbol, instrument);
  return instrument;
}

function build(symbol: string): Instrument | null {
  if (STOCK_RE.test(symbol)) {
    const basePrice = STOCK_LEVELS[symbol] ?? 50 * 10 ** unit(hashString(symbol), 2);
    return {
      symbol,
      assetClass: 'stock',
      venue: NASDAQ,
      basePrice,
      format: { decimals: 5, trimZeros: false },
      meta: (interval) => ({
        symbol,
        interval,
        currency: 'USD',
        exchange_timezone: NASDAQ.zone,
        exchange: 'NASDAQ',
        mic_code: 'XNGS',
        type: 'Common Stock',
      }),
    };
  }
  const pair = CRYPTO_RE.exec(symbol);
  if (pair?.[1] && pair[2] && pair[1] !== pair[2]) {
    const base = currency(pair[1]);
    const quote = currency(pair[2]);
    const basePrice = base.usd / quote.usd;
    return {
      symbol,
      assetClass: 'crypto',
      venue: CRYPTO,
      basePrice,
      format: cryptoFormat(basePrice),
      meta: (interval) => ({
        symbol,
        interval,
        currency_base: base.name,
        currency_quote: quote.name,
        exchange: 'Binance',
        type: 'Digital Currency',
      }),
    };
  }
  return null;
}
