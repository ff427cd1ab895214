import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimulatorOptions } from '../simulator/index.ts';
import { simulatedBar, startSimulator } from '../simulator/index.ts';

// Wednesday 2026-03-11, 14:05 in New York (EDT since Sunday): mid-session.
const NOW = Date.parse('2026-03-11T18:05:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const APIKEY_MESSAGE =
  '**apikey** parameter is incorrect or not specified. You can get your free API key instantly following this link: https://twelvedata.com/pricing. If you believe that everything is correct, you can contact us at https://twelvedata.com/contact/customer';
const DEMO_MESSAGE =
  "The 'demo' API key is only used for initial familiarity. To become a full user, you can request your own API key at https://twelvedata.com/pricing. It is absolutely free, and it's yours for a lifetime. It only takes 10 seconds to obtain your own API key!";
const NO_DATA = {
  code: 400,
  message: 'No data is available on the specified dates. Try setting different start/end dates.',
  status: 'error',
};

type Server = Awaited<ReturnType<typeof startSimulator>>;
// Response bodies are whatever the wire carried; the assertions check their structure.
// biome-ignore lint/suspicious/noExplicitAny: the tests probe untyped wire bodies field by field.
type Json = any;
interface Bar {
  datetime: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume?: string;
}

interface CallOptions {
  key?: string | null;
  version?: boolean;
  signal?: AbortSignal;
}

async function call(server: Server, path: string, params: Record<string, string>, opts: CallOptions = {}) {
  const headers: Record<string, string> = {};
  const key = opts.key === undefined ? 'test-key' : opts.key;
  if (key !== null) headers.Authorization = `apikey ${key}`;
  if (opts.version) headers['X-API-Version'] = 'last';
  const res = await fetch(`${server.url}${path}?${new URLSearchParams(params)}`, { headers, signal: opts.signal });
  const text = await res.text();
  let body: Json;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

const series = (server: Server, params: Record<string, string>, opts?: CallOptions) => call(server, '/time_series', params, opts);

/** Bar open time from a `timezone=UTC` intraday datetime. */
const utc = (datetime: string) => Date.parse(`${datetime.replace(' ', 'T')}Z`);
const num = (bar: Bar) => ({ open: Number(bar.open), high: Number(bar.high), low: Number(bar.low), close: Number(bar.close) });

let server: Server;
const servers: Server[] = [];

async function fresh(opts: SimulatorOptions = {}): Promise<Server> {
  const s = await startSimulator({ now: () => NOW, control: true, ...opts });
  servers.push(s);
  return s;
}

beforeAll(async () => {
  server = await fresh({ creditsPerMinute: 1_000_000, creditsPerDay: 10_000_000 });
});
beforeEach(() => {
  server.sim.resetFaults();
  server.sim.setClock(NOW);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('response shapes', () => {
  it('a single stock is a flat body with the stock meta and string OHLCV', async () => {
    const { status, body } = await series(server, { symbol: 'AAPL', interval: '1h', outputsize: '5' });
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['meta', 'values', 'status']);
    expect(body.status).toBe('ok');
    expect(body.meta).toEqual({
      symbol: 'AAPL',
      interval: '1h',
      currency: 'USD',
      exchange_timezone: 'America/New_York',
      exchange: 'NASDAQ',
      mic_code: 'XNGS',
      type: 'Common Stock',
    });
    expect(body.values).toHaveLength(5);
    for (const bar of body.values as Bar[]) {
      expect(Object.keys(bar)).toEqual(['datetime', 'open', 'high', 'low', 'close', 'volume']);
      expect(bar.datetime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      for (const k of ['open', 'high', 'low', 'close'] as const) expect(bar[k]).toMatch(/^\d+\.\d{5}$/);
      expect(bar.volume).toMatch(/^[1-9]\d*$/);
    }
  });

  it('a crypto pair has the crypto meta and no volume key', async () => {
    const { body } = await series(server, { symbol: 'BTC/USD', interval: '1h', outputsize: '24' });
    expect(body.meta).toEqual({
      symbol: 'BTC/USD',
      interval: '1h',
      currency_base: 'Bitcoin',
      currency_quote: 'US Dollar',
      exchange: 'Binance',
      type: 'Digital Currency',
    });
    for (const bar of body.values as Bar[]) {
      expect(Object.keys(bar)).toEqual(['datetime', 'open', 'high', 'low', 'close']);
      for (const k of ['open', 'high', 'low', 'close'] as const) expect(bar[k]).toMatch(/^\d+(\.\d{1,2})?$/);
    }
    const unknownCoin = await series(server, { symbol: 'ZZQ/USD', interval: '1day', outputsize: '1' });
    expect(unknownCoin.body.meta.currency_base).toBe('ZZQ');
  });

  it('two or more symbols give a map keyed by the symbols as requested; a stray comma does not make a batch', async () => {
    const batch = await series(server, { symbol: 'aapl,BTC/USD', interval: '1day', outputsize: '2' });
    expect(Object.keys(batch.body)).toEqual(['aapl', 'BTC/USD']);
    expect(batch.body.aapl.meta.symbol).toBe('AAPL');
    expect(batch.body.aapl.status).toBe('ok');
    expect(batch.body['BTC/USD'].values).toHaveLength(2);
    expect(batch.headers.get('is_batch')).toBe('true');

    const single = await series(server, { symbol: 'AAPL,', interval: '1day', outputsize: '2' });
    expect(single.body.status).toBe('ok');
    expect(single.body.meta.symbol).toBe('AAPL');
  });

  it('a bad symbol in a batch is an error entry naming the whole list, and does not sink the others', async () => {
    const { status, body } = await series(server, { symbol: 'AAPL,NOPE1,ETH/USD', interval: '1h', outputsize: '3' }, { version: true });
    expect(status).toBe(200);
    expect(body.NOPE1).toEqual({
      code: 404,
      message: '**symbol** not found: NOPE1. Please specify it correctly according to API Documentation.',
      status: 'error',
      meta: { symbol: 'AAPL,NOPE1,ETH/USD', interval: '1h', exchange: '' },
    });
    expect(body.AAPL.values).toHaveLength(3);
    expect(body['ETH/USD'].values).toHaveLength(3);
  });

  it('a single bad symbol is a flat error: HTTP 200 by default, 404 with X-API-Version: last', async () => {
    const legacy = await series(server, { symbol: 'TOOLONGX', interval: '1h' });
    expect(legacy.status).toBe(200);
    expect(legacy.body).toEqual({
      code: 404,
      message: '**symbol** not found: TOOLONGX. Please specify it correctly according to API Documentation.',
      status: 'error',
      meta: { symbol: 'TOOLONGX', interval: '1h', exchange: '' },
    });
    const modern = await series(server, { symbol: 'TOOLONGX', interval: '1h' }, { version: true });
    expect(modern.status).toBe(404);
    expect(modern.body).toEqual(legacy.body);
  });

  it('answers unknown paths with a 404 in the API error shape', async () => {
    const { status, body } = await call(server, '/quotes', { symbol: 'AAPL' }, { version: true });
    expect(status).toBe(404);
    expect(body).toMatchObject({ code: 404, status: 'error' });
  });
});

describe('exchange calendar and time zones', () => {
  it('serves stock bars only in the session, labelled in New York time, one daily bar per weekday', async () => {
    const { body } = await series(server, { symbol: 'MSFT', interval: '1h', outputsize: '70' });
    const times = new Set((body.values as Bar[]).map((b) => b.datetime.slice(11)));
    expect([...times].sort()).toEqual(['09:30:00', '10:30:00', '11:30:00', '12:30:00', '13:30:00', '14:30:00', '15:30:00']);
    const days = (body.values as Bar[]).map((b) => new Date(`${b.datetime.slice(0, 10)}T12:00:00Z`).getUTCDay());
    expect(days.every((d) => d >= 1 && d <= 5)).toBe(true);

    const daily = await series(server, { symbol: 'MSFT', interval: '1day', outputsize: '10' });
    const dates = (daily.body.values as Bar[]).map((b) => b.datetime);
    expect(dates).toEqual([
      '2026-03-10',
      '2026-03-09',
      '2026-03-06',
      '2026-03-05',
      '2026-03-04',
      '2026-03-03',
      '2026-03-02',
      '2026-02-27',
      '2026-02-26',
      '2026-02-25',
    ]);
  });

  it('keeps the 09:30 New York open across the March DST change (14:30 UTC before, 13:30 UTC after)', async () => {
    const params = { symbol: 'AAPL', interval: '1h', start_date: '2026-03-06', end_date: '2026-03-10', order: 'asc' };
    const local = await series(server, params);
    const firstOfDay = (values: Bar[]) =>
      values.filter((b, i) => i === 0 || values[i - 1]?.datetime.slice(0, 10) !== b.datetime.slice(0, 10)).map((b) => b.datetime);
    expect(firstOfDay(local.body.values)).toEqual(['2026-03-06 09:30:00', '2026-03-09 09:30:00']);

    // With timezone=UTC, dates are read in UTC too, so start a little earlier.
    const inUtc = await series(server, { ...params, timezone: 'UTC', start_date: '2026-03-06 00:00:00', end_date: '2026-03-10 00:00:00' });
    expect(firstOfDay(inUtc.body.values)).toEqual(['2026-03-06 14:30:00', '2026-03-09 13:30:00']);
    expect(inUtc.body.values.at(-1).datetime).toBe('2026-03-09 19:30:00');
  });

  it('and across the November change (13:30 UTC before, 14:30 UTC after)', async () => {
    server.sim.setClock(Date.parse('2026-11-04T12:00:00Z'));
    const { body } = await series(server, {
      symbol: 'AAPL',
      interval: '30min',
      timezone: 'UTC',
      start_date: '2026-10-30',
      end_date: '2026-11-03',
      order: 'asc',
    });
    const values = body.values as Bar[];
    expect(values[0]?.datetime).toBe('2026-10-30 13:30:00');
    expect(values.find((b) => b.datetime.startsWith('2026-11-02'))?.datetime).toBe('2026-11-02 14:30:00');
    expect(values.at(-1)?.datetime).toBe('2026-11-02 20:30:00');
    expect(values).toHaveLength(26);
  });

  it('labels intraday bars in any IANA zone asked for, and rejects unknown zones', async () => {
    const inUtc = await series(server, { symbol: 'AAPL', interval: '1h', timezone: 'UTC', outputsize: '14' });
    const inKolkata = await series(server, { symbol: 'AAPL', interval: '1h', timezone: 'Asia/Kolkata', outputsize: '14' });
    const shifted = (inUtc.body.values as Bar[]).map((b) =>
      new Date(utc(b.datetime) + 5.5 * HOUR).toISOString().slice(0, 19).replace('T', ' '),
    );
    expect((inKolkata.body.values as Bar[]).map((b) => b.datetime)).toEqual(shifted);
    expect(shifted).toContain('2026-03-10 19:00:00'); // 09:30 in New York

    const bad = await series(server, { symbol: 'AAPL', interval: '1h', timezone: 'Mars/Olympus' }, { version: true });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^Invalid \*\*timezone\*\* provided: Mars\/Olympus/);
  });

  it('labels crypto in a DST zone through both changes: a skipped hour in March, a repeated one in November', async () => {
    const spring = await series(server, {
      symbol: 'BTC/USD',
      interval: '1h',
      timezone: 'America/New_York',
      start_date: '2026-03-08 00:00:00',
      end_date: '2026-03-08 05:00:00',
      order: 'asc',
    });
    expect((spring.body.values as Bar[]).map((b) => b.datetime)).toEqual([
      '2026-03-08 00:00:00',
      '2026-03-08 01:00:00',
      '2026-03-08 03:00:00',
      '2026-03-08 04:00:00',
    ]);
    server.sim.setClock(Date.parse('2026-11-10T00:00:00Z'));
    const autumn = await series(server, {
      symbol: 'BTC/USD',
      interval: '1h',
      timezone: 'America/New_York',
      start_date: '2026-11-01 00:00:00',
      end_date: '2026-11-01 03:00:00',
      order: 'asc',
    });
    expect((autumn.body.values as Bar[]).map((b) => b.datetime)).toEqual([
      '2026-11-01 00:00:00',
      '2026-11-01 01:00:00',
      '2026-11-01 01:00:00',
      '2026-11-01 02:00:00',
    ]);
    // A repeated local time means its first occurrence; a skipped one is read as an hour later.
    const ambiguous = await series(server, {
      symbol: 'BTC/USD',
      interval: '1h',
      timezone: 'America/New_York',
      start_date: '2026-11-01 01:00:00',
      end_date: '2026-11-01 02:00:00',
    });
    expect(ambiguous.body.values).toHaveLength(2);
    const skipped = await series(server, {
      symbol: 'BTC/USD',
      interval: '1h',
      timezone: 'America/New_York',
      start_date: '2026-03-08 02:30:00',
      end_date: '2026-03-08 05:00:00',
    });
    expect((skipped.body.values as Bar[]).map((b) => b.datetime)).toEqual(['2026-03-08 04:00:00']);
  });

  it('ignores timezone for daily bars: always exchange-local dates', async () => {
    const plain = await series(server, { symbol: 'AAPL', interval: '1day', outputsize: '5' });
    const tokyo = await series(server, { symbol: 'AAPL', interval: '1day', outputsize: '5', timezone: 'Asia/Tokyo' });
    expect(tokyo.text).toBe(plain.text);
    expect(plain.body.values[0].datetime).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Dates too are read in the exchange zone (UTC for crypto), not in the timezone asked for.
    const range = { symbol: 'BTC/USD', interval: '1day', start_date: '2026-03-05', end_date: '2026-03-07' };
    const newYork = await series(server, { ...range, timezone: 'America/New_York' });
    expect((newYork.body.values as Bar[]).map((b) => b.datetime)).toEqual(['2026-03-06', '2026-03-05']);
  });

  it('trades crypto around the clock in UTC, weekends included', async () => {
    const { body } = await series(server, {
      symbol: 'ETH/USD',
      interval: '1h',
      start_date: '2026-03-07',
      end_date: '2026-03-09',
      order: 'asc',
    });
    const values = body.values as Bar[];
    expect(values).toHaveLength(48);
    for (const [i, b] of values.entries()) expect(utc(b.datetime)).toBe(Date.parse('2026-03-07T00:00:00Z') + i * HOUR);

    const daily = await series(server, { symbol: 'ETH/USD', interval: '1day', outputsize: '7' });
    expect((daily.body.values as Bar[]).map((b) => b.datetime)).toEqual([
      '2026-03-10',
      '2026-03-09',
      '2026-03-08',
      '2026-03-07',
      '2026-03-06',
      '2026-03-05',
      '2026-03-04',
    ]);
  });

  it('aligns intraday bars to the session open; the last bar of the day is short and closes at 16:00', async () => {
    const fourHour = await series(server, { symbol: 'AAPL', interval: '4h', date: '2026-03-10', order: 'asc' });
    expect((fourHour.body.values as Bar[]).map((b) => b.datetime)).toEqual(['2026-03-10 09:30:00', '2026-03-10 13:30:00']);
    const min45 = await series(server, { symbol: 'AAPL', interval: '45min', date: '2026-03-10', order: 'asc' });
    expect(min45.body.values).toHaveLength(9);
    expect(min45.body.values.at(-1).datetime).toBe('2026-03-10 15:30:00');

    // Open of the day = first intraday open; close of the day = close of the short last bar.
    const day = await series(server, { symbol: 'AAPL', interval: '1day', date: '2026-03-10' });
    const hourly = await series(server, { symbol: 'AAPL', interval: '1h', date: '2026-03-10', order: 'asc' });
    expect(day.body.values[0].open).toBe(hourly.body.values[0].open);
    expect(day.body.values[0].close).toBe(hourly.body.values.at(-1).close);
    expect(day.body.values[0].close).toBe(fourHour.body.values.at(-1).close);
  });

  it('serves a bar only once it has closed', async () => {
    const stock = await series(server, { symbol: 'AAPL', interval: '1h', outputsize: '1' });
    expect(stock.body.values[0].datetime).toBe('2026-03-11 12:30:00');
    const crypto = await series(server, { symbol: 'BTC/USD', interval: '1h', outputsize: '1' });
    expect(crypto.body.values[0].datetime).toBe('2026-03-11 17:00:00');
    const daily = await series(server, { symbol: 'AAPL', interval: '1day', outputsize: '1' });
    expect(daily.body.values[0].datetime).toBe('2026-03-10');

    server.sim.setClock(Date.parse('2026-03-11T20:00:00Z')); // 16:00 New York: the session has closed
    const later = await series(server, { symbol: 'AAPL', interval: '1h', outputsize: '1' });
    expect(later.body.values[0].datetime).toBe('2026-03-11 15:30:00');
    const laterDaily = await series(server, { symbol: 'AAPL', interval: '1day', outputsize: '1' });
    expect(laterDaily.body.values[0].datetime).toBe('2026-03-11');
  });

  it('starts history on 2020-01-01 and labels weekly bars with their Monday', async () => {
    // 1 January 2020 was New Year's Day, an NYSE holiday: the stock's first session is the 2nd.
    const { body } = await series(server, {
      symbol: 'AAPL',
      interval: '1day',
      start_date: '2019-12-01',
      end_date: '2020-01-04',
      order: 'asc',
    });
    expect((body.values as Bar[]).map((b) => b.datetime)).toEqual(['2020-01-02', '2020-01-03']);
    const btc = await series(server, {
      symbol: 'BTC/USD',
      interval: '1day',
      start_date: '2019-12-01',
      end_date: '2020-01-03',
      order: 'asc',
    });
    expect((btc.body.values as Bar[]).map((b) => b.datetime)).toEqual(['2020-01-01', '2020-01-02']);
    const weekly = await series(server, { symbol: 'BTC/USD', interval: '1week', outputsize: '2' });
    expect((weekly.body.values as Bar[]).map((b) => b.datetime)).toEqual(['2026-03-02', '2026-02-23']);
  });
});

describe('the NYSE calendar', () => {
  it('serves no stock bars on Thanksgiving and closes at 13:00 New York the day after; crypto trades on', async () => {
    const sim = await fresh({ now: () => Date.parse('2026-11-30T15:45:00Z'), creditsPerMinute: 1_000, creditsPerDay: 10_000 });
    {
      const stock = await series(sim, { symbol: 'AAPL', interval: '1h', start_date: '2026-11-25', end_date: '2026-11-28', order: 'asc' });
      const days = new Map<string, string[]>();
      for (const b of stock.body.values as Bar[])
        days.set(b.datetime.slice(0, 10), [...(days.get(b.datetime.slice(0, 10)) ?? []), b.datetime.slice(11, 16)]);
      expect([...days.keys()]).toEqual(['2026-11-25', '2026-11-27']);
      expect(days.get('2026-11-25')).toEqual(['09:30', '10:30', '11:30', '12:30', '13:30', '14:30', '15:30']);
      // Early close: the 12:30 bar is the last, and covers half an hour.
      expect(days.get('2026-11-27')).toEqual(['09:30', '10:30', '11:30', '12:30']);
      const daily = await series(sim, { symbol: 'MSFT', interval: '1day', start_date: '2026-11-20', end_date: '2026-11-28', order: 'asc' });
      expect((daily.body.values as Bar[]).map((b) => b.datetime)).toEqual([
        '2026-11-20',
        '2026-11-23',
        '2026-11-24',
        '2026-11-25',
        '2026-11-27',
      ]);
      const btc = await series(sim, {
        symbol: 'BTC/USD',
        interval: '1day',
        start_date: '2026-11-25',
        end_date: '2026-11-28',
        order: 'asc',
      });
      expect((btc.body.values as Bar[]).map((b) => b.datetime)).toEqual(['2026-11-25', '2026-11-26', '2026-11-27']);
    }
  });
});

describe('prices', () => {
  it('keep OHLC invariants and chain open to the previous close within a session', async () => {
    for (const symbol of ['AAPL', 'GOOGL', 'BTC/USD', 'SOL/USD', 'DOGE/USD']) {
      for (const interval of ['5min', '1h', '1day', '1week']) {
        const { body } = await series(server, { symbol, interval, outputsize: '300', order: 'asc' });
        const values = body.values as Bar[];
        expect(values.length, `${symbol} ${interval}`).toBeGreaterThan(0);
        values.forEach((bar, i) => {
          const { open, high, low, close } = num(bar);
          expect(high).toBeGreaterThanOrEqual(Math.max(open, close));
          expect(low).toBeLessThanOrEqual(Math.min(open, close));
          expect(low).toBeGreaterThan(0);
          const prev = values[i - 1];
          const sameSession = symbol.includes('/') || prev?.datetime.slice(0, 10) === bar.datetime.slice(0, 10);
          if (prev && interval !== '1day' && interval !== '1week' && sameSession) expect(bar.open).toBe(prev.close);
        });
      }
    }
  });

  it('move like markets at plausible levels', async () => {
    const btc = await series(server, { symbol: 'BTC/USD', interval: '1day', outputsize: '500' });
    const closes = (btc.body.values as Bar[]).map((b) => Number(b.close));
    expect(Math.min(...closes)).toBeGreaterThan(20_000);
    expect(Math.max(...closes)).toBeLessThan(200_000);
    expect(new Set(closes).size).toBe(closes.length);
    const stock = await series(server, { symbol: 'QQQX', interval: '1day', outputsize: '1' });
    expect(Number(stock.body.values[0].close)).toBeGreaterThan(10);
    expect(Number(stock.body.values[0].close)).toBeLessThan(2_000);
  });

  it('are deterministic: the same request gives the same bytes, in this simulator and a new one', async () => {
    const params = { symbol: 'AAPL,BTC/USD', interval: '15min', outputsize: '200' };
    const a = await series(server, params);
    const b = await series(server, params);
    const other = await fresh({ creditsPerMinute: 100 });
    const c = await series(other, params);
    expect(b.text).toBe(a.text);
    expect(c.text).toBe(a.text);
  });

  it('honour dp', async () => {
    const stock = await series(server, { symbol: 'AAPL', interval: '1h', outputsize: '3', dp: '2' });
    for (const bar of stock.body.values as Bar[]) expect(bar.close).toMatch(/^\d+\.\d{2}$/);
    const crypto = await series(server, { symbol: 'BTC/USD', interval: '1h', outputsize: '3', dp: '6' });
    for (const bar of crypto.body.values as Bar[]) expect(bar.high).toMatch(/^\d+\.\d{6}$/);
    const bad = await series(server, { symbol: 'AAPL', interval: '1h', dp: '12' });
    expect(bad.body.code).toBe(400);
  });

  it('simulatedBar returns exactly what the API serves', async () => {
    for (const symbol of ['AAPL', 'BTC/USD']) {
      const { body } = await series(server, { symbol, interval: '1h', timezone: 'UTC', outputsize: '50' });
      for (const bar of body.values as Bar[]) {
        const expected = simulatedBar(symbol, '1h', utc(bar.datetime));
        expect(expected).toEqual({ ...num(bar), volume: bar.volume === undefined ? null : Number(bar.volume) });
      }
    }
    const daily = await series(server, { symbol: 'AAPL', interval: '1day', outputsize: '1' });
    // Daily bars open at local midnight of their date: 2026-03-10 00:00 EDT.
    expect(simulatedBar('AAPL', '1day', Date.parse('2026-03-10T04:00:00Z'))).toEqual({
      ...num(daily.body.values[0]),
      volume: Number(daily.body.values[0].volume),
    });
    expect(simulatedBar('aapl', '1h', Date.parse('2026-03-07T14:30:00Z'))).toBeNull(); // Saturday
    expect(simulatedBar('AAPL', '1h', Date.parse('2026-03-10T12:30:00Z'))).toBeNull(); // 08:30, before the open
    expect(simulatedBar('AAPL', '1h', Date.parse('2026-03-10T13:45:00Z'))).toBeNull(); // not a bar boundary
    expect(simulatedBar('BTC/USD', '1h', Date.parse('2026-03-07T03:00:00Z'))?.volume).toBeNull();
    expect(() => simulatedBar('NOT A SYMBOL', '1h', NOW)).toThrow();
  });
});

describe('request parameters', () => {
  it('outputsize defaults to 30, bounds 1..5000', async () => {
    expect((await series(server, { symbol: 'AAPL', interval: '1min' })).body.values).toHaveLength(30);
    expect((await series(server, { symbol: 'AAPL', interval: '1min', outputsize: '7' })).body.values).toHaveLength(7);
    expect((await series(server, { symbol: 'BTC/USD', interval: '1min', outputsize: '5000' })).body.values).toHaveLength(5000);
    for (const bad of ['0', '5001', 'ten', '-3']) {
      const { body } = await series(server, { symbol: 'AAPL', interval: '1min', outputsize: bad });
      expect(body).toMatchObject({ code: 400, status: 'error' });
      expect(body.message).toContain('**outputsize**');
    }
  });

  it('start_date is inclusive, end_date exclusive, and the newest bars win when outputsize cuts', async () => {
    const window = { symbol: 'AAPL', interval: '1h', start_date: '2026-03-10 10:30:00', end_date: '2026-03-10T13:30:00' };
    expect((await series(server, window)).body.values.map((b: Bar) => b.datetime)).toEqual([
      '2026-03-10 12:30:00',
      '2026-03-10 11:30:00',
      '2026-03-10 10:30:00',
    ]);
    const cut = await series(server, { ...window, start_date: '2026-03-02', outputsize: '2' });
    expect(cut.body.values.map((b: Bar) => b.datetime)).toEqual(['2026-03-10 12:30:00', '2026-03-10 11:30:00']);

    const endOnly = await series(server, { symbol: 'AAPL', interval: '1day', end_date: '2026-03-10', outputsize: '2' });
    expect(endOnly.body.values.map((b: Bar) => b.datetime)).toEqual(['2026-03-09', '2026-03-06']);

    // Date parameters without outputsize return everything in range (the default becomes 5000).
    // 261 weekdays from 2025-03-11 to 2026-03-10, less the NYSE's 10 holidays in between (Good Friday
    // 2025 to Presidents Day 2026): 251 sessions.
    const all = await series(server, { symbol: 'AAPL', interval: '1day', start_date: '2025-03-11' });
    expect(all.body.values).toHaveLength(251);
    expect((await series(server, { symbol: 'AAPL', interval: '1h', start_date: 'March 1st' })).body.code).toBe(400);
  });

  it('reads dates in the exchange zone: New York for stocks, UTC for crypto', async () => {
    const params = { interval: '1h', start_date: '2026-03-10 00:00:00', end_date: '2026-03-10 02:00:00', timezone: 'Exchange' };
    const btc = await series(server, { ...params, symbol: 'BTC/USD', order: 'asc' });
    expect(btc.body.values.map((b: Bar) => b.datetime)).toEqual(['2026-03-10 00:00:00', '2026-03-10 01:00:00']);
    const aaplOvernight = await series(server, { ...params, symbol: 'AAPL' });
    expect(aaplOvernight.body).toEqual(NO_DATA);
  });

  it('order is desc by default, asc on request, case-insensitive', async () => {
    const desc = (await series(server, { symbol: 'AAPL', interval: '1h', outputsize: '10' })).body.values as Bar[];
    const asc = (await series(server, { symbol: 'AAPL', interval: '1h', outputsize: '10', order: 'ASC' })).body.values as Bar[];
    expect(desc.map((b) => b.datetime)).toEqual([...desc.map((b) => b.datetime)].sort().reverse());
    expect(asc).toEqual([...desc].reverse());
    expect((await series(server, { symbol: 'AAPL', interval: '1h', order: 'sideways' })).body.code).toBe(400);
  });

  it('parameter names and values are case-insensitive; unknown parameters are ignored', async () => {
    const res = await call(server, '/time_series', { SYMBOL: 'aapl', Interval: '1H', OutputSize: '2', source: 'docs', format: 'JSON' });
    expect(res.body.meta).toMatchObject({ symbol: 'AAPL', interval: '1h' });
    expect(res.body.values).toHaveLength(2);
  });

  it('rejects 5h, unknown and missing intervals with the real message; missing symbol too', async () => {
    const fiveHours = await series(server, { symbol: 'AAPL', interval: '5h' }, { version: true });
    expect(fiveHours.status).toBe(400);
    expect(fiveHours.body).toEqual({
      code: 400,
      message:
        'Invalid **interval** provided: 5h. Supported intervals: 1min, 5min, 15min, 30min, 45min, 1h, 2h, 4h, 8h, 1day, 1week, 1month',
      status: 'error',
    });
    expect((await series(server, { symbol: 'AAPL', interval: '0.99min' })).body.message).toContain('provided: 0.99min.');
    expect((await series(server, { symbol: 'AAPL' })).body).toMatchObject({ code: 400, message: expect.stringContaining('**interval**') });
    expect((await series(server, { interval: '1h' })).body).toMatchObject({ code: 400, message: expect.stringContaining('**symbol**') });
    const monthly = await series(server, { symbol: 'AAPL', interval: '1month', outputsize: '2' });
    expect(monthly.body.values.map((b: Bar) => b.datetime)).toEqual(['2026-02-01', '2026-01-01']);
  });

  it('answers "No data" when nothing falls in range, per symbol in a batch', async () => {
    const weekend = { interval: '1h', start_date: '2026-03-07', end_date: '2026-03-09' };
    expect((await series(server, { ...weekend, symbol: 'AAPL' })).body).toEqual(NO_DATA);
    const future = await series(
      server,
      { ...weekend, symbol: 'AAPL', start_date: '2027-01-01', end_date: '2027-02-01' },
      { version: true },
    );
    expect(future.status).toBe(400);
    const batch = await series(server, { ...weekend, symbol: 'AAPL,BTC/USD' });
    expect(batch.body.AAPL).toEqual({ ...NO_DATA, meta: { symbol: 'AAPL,BTC/USD', interval: '1h', exchange: '' } });
    expect(batch.body['BTC/USD'].values).toHaveLength(48);
  });
});

describe('authentication', () => {
  it('takes the key from the Authorization header or the apikey parameter', async () => {
    expect((await series(server, { symbol: 'AAPL', interval: '1h' })).body.status).toBe('ok');
    expect((await series(server, { symbol: 'AAPL', interval: '1h', apikey: 'k2' }, { key: null })).body.status).toBe('ok');
  });

  it('refuses a missing key with the real 401 message, in both error styles', async () => {
    const legacy = await series(server, { symbol: 'AAPL', interval: '1h' }, { key: null });
    expect(legacy.status).toBe(200);
    expect(legacy.body).toEqual({ code: 401, message: APIKEY_MESSAGE, status: 'error' });
    const modern = await series(server, { symbol: 'AAPL', interval: '1h', apikey: '' }, { key: null, version: true });
    expect(modern.status).toBe(401);
    expect(modern.body).toEqual(legacy.body);
  });

  it('lets the demo key read single-symbol AAPL only', async () => {
    expect((await series(server, { symbol: 'aapl', interval: '1h' }, { key: 'demo' })).body.status).toBe('ok');
    for (const symbol of ['MSFT', 'AAPL,MSFT', 'BTC/USD']) {
      const { status, body } = await series(server, { symbol, interval: '1h' }, { key: 'demo', version: true });
      expect(status).toBe(401);
      expect(body).toEqual({ code: 401, message: DEMO_MESSAGE, status: 'error' });
    }
  });

  it('refuses keys listed in faults.invalidKeys', async () => {
    server.sim.setFaults({ invalidKeys: ['revoked'] });
    expect((await series(server, { symbol: 'AAPL', interval: '1h' }, { key: 'revoked' })).body.message).toBe(APIKEY_MESSAGE);
    expect((await series(server, { symbol: 'AAPL', interval: '1h' }, { key: 'other' })).body.status).toBe('ok');
  });
});

describe('API credits', () => {
  const minuteMessage = (n: number) =>
    `You have run out of API credits for the current minute. ${n} API credits were used, with the current limit being 8. Wait for the next minute or consider switching to a higher tier plan at https://twelvedata.com/pricing`;

  it('charges one credit per symbol per wall-clock minute, with credit headers', async () => {
    const s = await fresh();
    const first = await series(s, { symbol: 'AAPL,MSFT,NOPE1', interval: '1h', outputsize: '1' });
    expect(first.headers.get('api-credits-used')).toBe('3');
    expect(first.headers.get('api-credits-left')).toBe('5');
    expect(s.sim.usage()).toEqual({ minute: 3, day: 3 });

    const tooMany = await series(s, { symbol: 'A,B,C,D,E,F', interval: '1h', outputsize: '1' }, { version: true });
    expect(tooMany.status).toBe(429);
    expect(tooMany.body).toEqual({ code: 429, message: minuteMessage(9), status: 'error' });
    expect(s.sim.usage()).toEqual({ minute: 3, day: 3 });

    // Rejected requests cost nothing.
    await series(s, { symbol: 'AAPL', interval: '7min' });
    await series(s, { symbol: 'AAPL', interval: '1h' }, { key: null });
    expect(s.sim.usage()).toEqual({ minute: 3, day: 3 });

    // The minute is the wall-clock minute: 18:05:59 is still full, 18:06:00 is fresh.
    s.sim.setClock(NOW + 59_999);
    expect((await series(s, { symbol: 'A,B,C,D,E,F', interval: '1h', outputsize: '1' })).body.code).toBe(429);
    s.sim.setClock(NOW + MINUTE);
    const next = await series(s, { symbol: 'A,B,C,D,E,F', interval: '1h', outputsize: '1' });
    expect(Object.values(next.body).every((entry: Json) => entry.status === 'ok')).toBe(true);
    expect(s.sim.usage()).toEqual({ minute: 6, day: 9 });

    expect(s.sim.requests.map((r) => [r.path, r.symbols.length, r.status, r.credits])).toEqual([
      ['/time_series', 3, 200, 3],
      ['/time_series', 6, 429, 0],
      ['/time_series', 0, 200, 0],
      ['/time_series', 0, 200, 0],
      ['/time_series', 6, 200, 0],
      ['/time_series', 6, 200, 6],
    ]);
  });

  it('fails a batch bigger than the minute allowance as a whole', async () => {
    const s = await fresh();
    const symbols = 'A,B,C,D,E,F,G,H,I,J,K,L';
    const { status, body } = await series(s, { symbol: symbols, interval: '1h' });
    expect(status).toBe(200);
    expect(body).toEqual({ code: 429, message: minuteMessage(12), status: 'error' });
  });

  it('enforces the daily allowance per UTC day with its own message', async () => {
    const s = await fresh({ creditsPerMinute: 100, creditsPerDay: 10 });
    expect((await series(s, { symbol: 'A,B,C,D,E,F,G,H', interval: '1h' })).body.A.status).toBe('ok');
    const { body } = await series(s, { symbol: 'A,B,C', interval: '1h' });
    expect(body).toEqual({
      code: 429,
      message:
        'You have run out of API credits for the day. 11 API credits were used, with the current limit being 10. Wait for the next day or consider switching to a paid plan that will remove daily limits at https://twelvedata.com/pricing',
      status: 'error',
    });
    s.sim.setClock(Date.parse('2026-03-12T00:00:00Z'));
    expect((await series(s, { symbol: 'A,B,C', interval: '1h' })).body.A.status).toBe('ok');
  });

  it('exhaustMinute / exhaustDay force the 429s; errorStyle overrides the header', async () => {
    server.sim.setFaults({ exhaustMinute: true });
    const minute = await series(server, { symbol: 'AAPL', interval: '1h' }, { version: true });
    expect(minute.status).toBe(429);
    expect(minute.body.message).toMatch(/^You have run out of API credits for the current minute\./);

    server.sim.setFaults({ exhaustDay: true, errorStyle: 'http200' });
    const day = await series(server, { symbol: 'AAPL', interval: '1h' }, { version: true });
    expect(day.status).toBe(200);
    expect(day.body.code).toBe(429);
    expect(day.body.message).toMatch(/^You have run out of API credits for the day\./);

    server.sim.setFaults({ errorStyle: 'status' });
    expect((await series(server, { symbol: 'AAPL', interval: '1h' })).status).toBe(429);
  });
});

describe('fault switches', () => {
  it('unknownSymbols and planGatedSymbols turn real symbols into per-symbol errors', async () => {
    server.sim.setFaults({ unknownSymbols: ['msft'], planGatedSymbols: ['ETH/USD'] });
    const { body } = await series(server, { symbol: 'AAPL,MSFT,ETH/USD', interval: '1h', outputsize: '1' });
    expect(body.AAPL.status).toBe('ok');
    expect(body.MSFT.message).toBe('**symbol** not found: MSFT. Please specify it correctly according to API Documentation.');
    expect(body['ETH/USD']).toEqual({
      code: 404,
      message: '**symbol** ETH/USD is not available with your plan. You may select the appropriate plan at https://twelvedata.com/pricing',
      status: 'error',
      meta: { symbol: 'AAPL,MSFT,ETH/USD', interval: '1h', exchange: '' },
    });
  });

  it('badGateway answers the next N requests with a non-JSON 502', async () => {
    const before = server.sim.usage().minute;
    server.sim.setFaults({ badGateway: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await series(server, { symbol: 'AAPL', interval: '1h' });
      expect(res.status).toBe(502);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.body).toBeUndefined();
      expect(res.text).toContain('502 Bad Gateway');
    }
    expect((await series(server, { symbol: 'AAPL', interval: '1h' })).status).toBe(200);
    expect(server.sim.usage().minute).toBe(before + 1);
  });

  it('serverError answers the next N requests with a JSON 500', async () => {
    server.sim.setFaults({ serverError: 1 });
    const res = await series(server, { symbol: 'AAPL', interval: '1h' });
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: 500, status: 'error' });
    expect((await series(server, { symbol: 'AAPL', interval: '1h' })).status).toBe(200);
  });

  it('delayMs slows responses; a client that gives up is logged as 499 and its bars count as not served', async () => {
    const s = await fresh({ creditsPerMinute: 100 });
    // The longest delay, and the client hangs up once the simulator has the request (it charged the
    // credit): the hang-up, not timing, decides.
    s.sim.setFaults({ delayMs: 60_000 });
    const hangUp = new AbortController();
    const call = series(s, { symbol: 'AAPL', interval: '1h', outputsize: '3' }, { signal: hangUp.signal });
    await expect.poll(() => s.sim.usage().minute).toBe(1);
    hangUp.abort();
    await expect(call).rejects.toThrow();
    await expect.poll(() => s.sim.requests.length).toBe(1);
    expect(s.sim.requests[0]?.status).toBe(499);
    expect(s.sim.barsServed().size).toBe(0);
    s.sim.setFaults({ delayMs: 20 });
    expect((await series(s, { symbol: 'AAPL', interval: '1h', outputsize: '3' })).body.values).toHaveLength(3);
    expect(s.sim.barsServed().get('AAPL|1h')?.size).toBe(3);
  });

  it('duplicateBars repeats some datetimes with slightly different values', async () => {
    const params = { symbol: 'AAPL', interval: '1h', outputsize: '20' };
    const clean = (await series(server, params)).body.values as Bar[];
    server.sim.setFaults({ duplicateBars: true });
    const dup = (await series(server, params)).body.values as Bar[];
    expect(dup.length).toBeGreaterThan(clean.length);
    expect([...new Set(dup.map((b) => b.datetime))]).toEqual(clean.map((b) => b.datetime));
    const repeated = dup.filter((b, i) => dup.findIndex((o) => o.datetime === b.datetime) !== i);
    expect(repeated.length).toBeGreaterThan(0);
    for (const twin of repeated) {
      const original = clean.find((b) => b.datetime === twin.datetime)!;
      expect(twin.close).not.toBe(original.close);
      expect(Math.abs(Number(twin.close) / Number(original.close) - 1)).toBeLessThan(0.01);
    }
  });

  it('outOfOrder shuffles the values deterministically', async () => {
    const params = { symbol: 'BTC/USD', interval: '1h', outputsize: '20' };
    const clean = (await series(server, params)).body.values as Bar[];
    server.sim.setFaults({ outOfOrder: true });
    const shuffled = await series(server, params);
    expect(shuffled.body.values).not.toEqual(clean);
    expect([...shuffled.body.values].sort((a: Bar, b: Bar) => b.datetime.localeCompare(a.datetime))).toEqual(clean);
    expect((await series(server, params)).text).toBe(shuffled.text);
    // Even two bars always come out of order.
    for (const symbol of ['AAPL', 'MSFT', 'GOOGL', 'BTC/USD', 'ETH/USD', 'SOL/USD']) {
      const two = (await series(server, { symbol, interval: '1h', outputsize: '2' })).body.values as Bar[];
      expect(two[0]!.datetime < two[1]!.datetime, symbol).toBe(true);
    }
  });

  it('unfinishedLastBar adds the still-forming bar, which does not count as served', async () => {
    const s = await fresh({ creditsPerMinute: 100 });
    s.sim.setFaults({ unfinishedLastBar: true });
    const { body } = await series(s, { symbol: 'BTC/USD', interval: '1h', outputsize: '3' });
    expect(body.values.map((b: Bar) => b.datetime)).toEqual(['2026-03-11 18:00:00', '2026-03-11 17:00:00', '2026-03-11 16:00:00']);
    expect([...(s.sim.barsServed().get('BTC/USD|1h') ?? [])].sort()).toEqual([
      Date.parse('2026-03-11T16:00:00Z'),
      Date.parse('2026-03-11T17:00:00Z'),
    ]);
    // The forming bar opens at the previous close and moves until it closes.
    expect(body.values[0].open).toBe(body.values[1].close);
    s.sim.setClock(Date.parse('2026-03-14T15:00:00Z')); // Saturday: no stock bar is forming
    const weekend = await series(s, { symbol: 'AAPL', interval: '1h', outputsize: '1' });
    expect(weekend.body.values[0].datetime).toBe('2026-03-13 15:30:00');
  });

  it('truncateBody cuts the JSON off mid-way', async () => {
    const s = await fresh({ creditsPerMinute: 100 });
    const clean = await series(s, { symbol: 'AAPL', interval: '1h', outputsize: '5' });
    s.sim.barsServed().clear();
    s.sim.setFaults({ truncateBody: true });
    const cut = await series(s, { symbol: 'AAPL', interval: '1h', outputsize: '5' });
    expect(cut.status).toBe(200);
    expect(cut.body).toBeUndefined();
    expect(clean.text.startsWith(cut.text)).toBe(true);
    expect(cut.text.length).toBeLessThan(clean.text.length);
    expect(s.sim.barsServed().size).toBe(0);
  });

  it('hostileValues corrupts some bars in each of its four ways', async () => {
    const params = { symbol: 'AAPL', interval: '1h', outputsize: '12' };
    const clean = (await series(server, params)).body.values as Bar[];
    const corrupted = async (mode: 'nan' | 'negative' | 'wrongTypes' | 'inverted') => {
      server.sim.setFaults({ hostileValues: mode });
      const values = (await series(server, params)).body.values as Json[];
      expect(values).toHaveLength(clean.length);
      const bad = values.filter((v, i) => JSON.stringify(v) !== JSON.stringify(clean[i]));
      expect(bad.length).toBeGreaterThan(0);
      expect(bad.length).toBeLessThan(values.length);
      return bad;
    };
    expect((await corrupted('nan')).every((b) => b.close === 'NaN')).toBe(true);
    expect((await corrupted('negative')).every((b) => Number(b.low) < 0)).toBe(true);
    expect((await corrupted('inverted')).every((b) => Number(b.high) < Number(b.low))).toBe(true);
    const wrong = await corrupted('wrongTypes');
    expect(wrong.some((b) => typeof b === 'number')).toBe(true);
    expect(wrong.some((b) => typeof b === 'object' && typeof b.open === 'number')).toBe(true);
  });

  it('hugeBody pads responses to the given size as valid JSON without changing their shape', async () => {
    server.sim.setFaults({ hugeBody: 300_000 });
    const flat = await series(server, { symbol: 'AAPL', interval: '1h', outputsize: '2' });
    expect(Buffer.byteLength(flat.text)).toBe(300_000);
    expect(flat.body.values).toHaveLength(2);
    const batch = await series(server, { symbol: 'AAPL,BTC/USD', interval: '1h', outputsize: '2' });
    expect(Buffer.byteLength(batch.text)).toBe(300_000);
    expect(Object.keys(batch.body)).toEqual(['AAPL', 'BTC/USD']);
  });

  it('barsServed and the request log record what went out', async () => {
    const s = await fresh({ creditsPerMinute: 100 });
    const { body } = await series(s, { symbol: 'aapl,ETH/USD', interval: '1h', timezone: 'UTC', outputsize: '4' });
    const served = s.sim.barsServed();
    expect([...served.keys()].sort()).toEqual(['AAPL|1h', 'ETH/USD|1h']);
    expect([...(served.get('AAPL|1h') ?? [])].sort()).toEqual((body.aapl.values as Bar[]).map((b) => utc(b.datetime)).sort());
    s.sim.setFaults({ hostileValues: 'nan' });
    s.sim.setClock(NOW + 2 * HOUR);
    await series(s, { symbol: 'ETH/USD', interval: '1h', outputsize: '1' });
    expect(served.get('ETH/USD|1h')?.has(Date.parse('2026-03-11T19:00:00Z'))).toBe(false);
    expect(s.sim.requests).toEqual([
      { at: NOW, path: '/time_series', symbols: ['aapl', 'ETH/USD'], status: 200, credits: 2 },
      { at: NOW + 2 * HOUR, path: '/time_series', symbols: ['ETH/USD'], status: 200, credits: 1 },
    ]);
  });
});

describe('control endpoints', () => {
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('report and change faults, merging, and reset them', async () => {
    const state = (await (await fetch(`${server.url}/__sim/state`)).json()) as Json;
    expect(state).toMatchObject({
      nowMs: NOW,
      now: '2026-03-11T18:05:00.000Z',
      usage: { minute: expect.any(Number) },
      faults: { badGateway: 0, hostileValues: null },
    });

    await post('/__sim/faults', { outOfOrder: true });
    const merged = (await (await post('/__sim/faults', { unknownSymbols: ['AAPL'], hostileValues: 'inverted' })).json()) as Json;
    expect(merged.faults).toMatchObject({ outOfOrder: true, unknownSymbols: ['AAPL'], hostileValues: 'inverted' });
    expect((await series(server, { symbol: 'AAPL', interval: '1h' })).body.code).toBe(404);

    const reset = (await (await post('/__sim/faults/reset', {})).json()) as Json;
    expect(reset.faults).toMatchObject({ outOfOrder: false, unknownSymbols: [], hostileValues: null });
  });

  it('reject bad fault bodies with a 400 and change nothing', async () => {
    for (const bad of [
      { badGateway: -1 },
      { outOfOrder: 'yes' },
      { noSuchFault: true },
      { errorStyle: 'loud' },
      { hostileValues: 'evil' },
      { delayMs: 3_600_000 },
      'not json',
      [1],
    ]) {
      const res = await post('/__sim/faults', bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(await res.json()).toMatchObject({ code: 400, status: 'error' });
    }
    const state = (await (await fetch(`${server.url}/__sim/state`)).json()) as Json;
    expect(state.faults).toMatchObject({ badGateway: 0, outOfOrder: false, errorStyle: 'auto' });
  });

  it('refuse anything but application/json, as a web page would send it (text/plain, a form)', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await fetch(`${server.url}/__sim/faults`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: '{"exhaustDay": true}',
      });
      expect(res.status, type).toBe(415);
      expect((await fetch(`${server.url}/__sim/faults/reset`, { method: 'POST', headers: { 'content-type': type } })).status).toBe(415);
    }
    const state = (await (await fetch(`${server.url}/__sim/state`)).json()) as { faults: Record<string, unknown> };
    expect(state.faults.exhaustDay).toBe(false);
  });

  it('are not served unless asked for (npm start --simulate leaves them off)', async () => {
    const quiet = await startSimulator({ now: () => NOW, faults: {} });
    try {
      // They are unknown paths, answered as the API answers any unknown path.
      const state = (await (await fetch(`${quiet.url}/__sim/state`)).json()) as { faults?: unknown };
      expect(state).toMatchObject({ code: 404, status: 'error' });
      expect(state.faults).toBeUndefined();
      const res = await fetch(`${quiet.url}/__sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"exhaustDay": true}',
      });
      expect(await res.json()).toMatchObject({ code: 404, status: 'error' });
      expect(quiet.sim.usage()).toEqual({ minute: 0, day: 0 });
      // The API itself still answers, unfaulted.
      expect((await fetch(`${quiet.url}/time_series?symbol=AAPL&interval=1h&apikey=k`)).status).toBe(200);
    } finally {
      await quiet.close();
    }
  });

  it('set and advance the clock, and reject bad clock bodies', async () => {
    const set = (await (await post('/__sim/clock', { nowMs: Date.parse('2026-03-13T21:00:00Z') })).json()) as Json;
    expect(set.nowMs).toBe(Date.parse('2026-03-13T21:00:00Z'));
    const advanced = (await (await post('/__sim/clock', { advanceMs: 3 * 24 * HOUR })).json()) as Json;
    expect(advanced.now).toBe('2026-03-16T21:00:00.000Z');
    expect(server.sim.now()).toBe(Date.parse('2026-03-16T21:00:00Z'));
    expect((await series(server, { symbol: 'AAPL', interval: '1day', outputsize: '1' })).body.values[0].datetime).toBe('2026-03-16');

    for (const bad of [{}, { nowMs: -5 }, { nowMs: 'soon' }, { nowMs: 1, advanceMs: 1 }, { advanceMs: 1.5 }]) {
      expect((await post('/__sim/clock', bad)).status, JSON.stringify(bad)).toBe(400);
    }
    expect(server.sim.now()).toBe(Date.parse('2026-03-16T21:00:00Z'));
  });
});
