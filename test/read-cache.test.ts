import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../functions/_shared/config.ts';
import { latestSchema, seriesSchema } from '../functions/_shared/contract.ts';
import { connect } from '../functions/_shared/db.ts';
import { readApi } from '../functions/_shared/http/read-api.ts';
import { type AnswerCache, createAnswerCache, negotiateEncoding } from '../server/answer-cache.ts';
import { etlRunner } from '../server/etl-runtime.ts';
import { type LiveHub, startLiveHub } from '../server/live.ts';
import { startSimulator } from '../simulator/index.ts';
import { createDatabase, one, type TestDatabase } from './helpers/database.ts';
import { serveApp, type TestServer } from './helpers/server.ts';

/**
 * The read API's answer cache on a real PostgreSQL, with real ETL commits from the simulator: answers
 * are reused only while the data is unchanged, revalidate with ETags, and stay within their bound.
 */

const HOUR = 3_600_000;
const SYMBOLS = ['AAPL', 'BTC/USD', 'SOL/USD'];

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A GET with exactly these headers, body as sent on the wire (fetch would decode it). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

const json = (raw: Raw) => JSON.parse(raw.body.toString('utf8'));

describe('read API answer cache', () => {
  let db: TestDatabase;
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let live: LiveHub;
  let cache: AnswerCache;
  let server: TestServer;
  let runEtl: ReturnType<typeof etlRunner>;
  /** The same routes without a cache: what the database says right now. */
  let direct: Hono;

  beforeAll(async () => {
    db = await createDatabase();
    sim = await startSimulator({ now: () => Date.parse('2026-11-20T15:10:00Z') });
    live = await startLiveHub(db.sql);
    cache = createAnswerCache(db.sql, { warmDelayMs: 0 });
    await cache.ready;
    const config = parseConfig({ MARKET_SYMBOLS: SYMBOLS.join(','), ETL_SECRET: 'cache-test-secret-0123456789' });
    runEtl = etlRunner(db.sql, config, { baseUrl: sim.url, apiKey: 'k', now: () => sim.sim.now() });
    server = await serveApp({
      sql: db.sql,
      live,
      symbols: SYMBOLS,
      interval: '1h',
      simulated: true,
      etlSecret: null,
      runEtl,
      answers: cache,
    });
    direct = readApi({ sql: db.sql, symbols: SYMBOLS, interval: '1h', simulated: true });
    expect((await runEtl('test')).status).toBe('succeeded');
  });
  afterAll(async () => {
    await server?.close();
    await cache?.close();
    await live?.close();
    await sim?.close();
    await db?.drop();
  });

  const PATHS = [
    '/api/latest',
    '/api/series?symbols=BTC/USD,SOL/USD&columns=close,high,low&max_points=300',
    '/api/series?symbols=AAPL&max_points=200',
    '/api/series?symbols=BTC/USD&from=2026-11-20T10:00:00Z&columns=close',
  ];

  async function directAnswer(path: string): Promise<unknown> {
    return (await direct.request(path.replace(/^\/api/, ''))).json();
  }

  it('a commit invalidates every cached answer it changes: a read right after the announcement returns the new bars', async () => {
    for (const path of PATHS) expect((await rawGet(server.url + path)).status).toBe(200);
    const before = await Promise.all(PATHS.map((path) => rawGet(server.url + path)));
    expect(cache.entries()).toBeGreaterThanOrEqual(PATHS.length);

    // The next run's announcement, heard the way the dashboards hear it.
    const announced = new Promise<void>((resolve) => {
      const stop = live.subscribe((event) => {
        if (event.event !== 'bars') return;
        stop();
        resolve();
      });
    });
    sim.sim.advanceClock(2 * HOUR);
    const run = runEtl('test');
    await announced;
    const after = await Promise.all(PATHS.map((path) => rawGet(server.url + path)));
    expect((await run).status).toBe('succeeded');

    const { newest } = one(await db.sql<{ newest: Date }[]>`select max(ts) as newest from market.ssot where symbol = 'BTC/USD'`);
    expect(newest.toISOString()).toBe('2026-11-20T16:00:00.000Z');
    for (const [i, path] of PATHS.entries()) {
      expect(after[i]!.headers.etag, path).not.toBe(before[i]!.headers.etag);
      expect(json(after[i]!), path).toEqual(await directAnswer(path));
    }
    const latest = latestSchema.parse(json(after[0]!));
    expect(latest.rows.find((r) => r.symbol === 'BTC/USD')?.ts).toBe('2026-11-20T16:00:00.000Z');
    const btc = seriesSchema.parse(json(after[1]!)).series[0]!;
    expect(btc.ts.at(-1)).toBe(newest.getTime() / 1000);
  });

  it('answers 304 to a matching If-None-Match, and the body to a stale one', async () => {
    for (const path of PATHS) {
      const first = await rawGet(server.url + path);
      const etag = first.headers.etag!;
      expect(etag).toMatch(/^W\/".+"$/);
      expect(first.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
      const revalidated = await rawGet(server.url + path, { 'if-none-match': etag });
      expect(revalidated.status).toBe(304);
      expect(revalidated.body.length).toBe(0);
      expect(revalidated.headers.etag).toBe(etag);
      const stale = await rawGet(server.url + path, { 'if-none-match': 'W/"something-else"' });
      expect(stale.status).toBe(200);
      expect(stale.body).toEqual(first.body);
    }
  });

  it('serves brotli, gzip and identity bodies that decode to the same bytes', async () => {
    for (const path of [...PATHS, '/api/config']) {
      const identity = await rawGet(server.url + path);
      const br = await rawGet(server.url + path, { 'accept-encoding': 'gzip, deflate, br' });
      const gz = await rawGet(server.url + path, { 'accept-encoding': 'gzip' });
      const refused = await rawGet(server.url + path, { 'accept-encoding': 'br;q=0, gzip;q=0' });
      expect(identity.headers['content-encoding']).toBeUndefined();
      expect(br.headers['content-encoding']).toBe('br');
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(refused.headers['content-encoding']).toBeUndefined();
      expect(br.headers.vary).toBe('Accept-Encoding');
      expect(brotliDecompressSync(br.body)).toEqual(identity.body);
      expect(gunzipSync(gz.body)).toEqual(identity.body);
      expect(refused.body).toEqual(identity.body);
      expect(br.headers.etag).toBe(identity.headers.etag);
    }
  });

  it('returns only the columns asked for, and one answer for times within the same minute', async () => {
    const closeOnly = json(await rawGet(`${server.url}/api/series?symbols=SOL/USD&columns=close`));
    expect(Object.keys(closeOnly.series[0]).sort()).toEqual(['close', 'symbol', 'ts']);
    expect((await rawGet(`${server.url}/api/series?symbols=SOL/USD&columns=close,nope`)).status).toBe(400);
    const a = await rawGet(`${server.url}/api/series?symbols=SOL/USD&columns=close&from=2026-11-20T09:00:00.000Z`);
    const b = await rawGet(`${server.url}/api/series?symbols=sol/usd&columns=close&from=2026-11-20T08:59:00.001Z`);
    expect(b.headers.etag).toBe(a.headers.etag);
    expect(json(a).series[0].ts[0]).toBe(Date.parse('2026-11-20T09:00:00Z') / 1000);
  });

  /** The answers the page was served with: request path to answer. */
  function answersInPage(raw: Raw): Record<string, unknown> {
    const found = /<script type="application\/json" id="market-pulse-answers">([^<]*)<\/script>/.exec(raw.body.toString('utf8'));
    expect(found, 'the page has an answers element').not.toBeNull();
    return JSON.parse(found![1]!);
  }

  it("writes its first reads' answers into the page, as the read API answers them, and a commit replaces them", async () => {
    const PAGE = '/?range=All&symbol=BTC/USD';
    const page = await rawGet(server.url + PAGE);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const inPage = answersInPage(page);
    expect(Object.keys(inPage)).toEqual([
      '/api/returns?interval=1h',
      '/api/latest?interval=1h',
      '/api/bars?symbols=BTC%2FUSD&resolution=1week&interval=1h',
    ]);
    for (const [path, answer] of Object.entries(inPage)) expect(answer, path).toEqual(json(await rawGet(server.url + path)));

    // Kept like any answer: a 304 on its ETag, brotli that decodes to the same page, and any query
    // string that asks for the same reads is the same page, not another entry.
    expect((await rawGet(server.url + PAGE, { 'if-none-match': page.headers.etag! })).status).toBe(304);
    expect(brotliDecompressSync((await rawGet(server.url + PAGE, { 'accept-encoding': 'br' })).body)).toEqual(page.body);
    const held = cache.entries();
    const same = await rawGet(`${server.url}/?symbol=btc/usd&range=All&theme=dark&junk=${'x'.repeat(500)}`);
    expect(same.headers.etag).toBe(page.headers.etag);
    expect(cache.entries()).toBe(held);

    const announced = new Promise<void>((resolve) => {
      const stop = live.subscribe((event) => {
        if (event.event !== 'bars') return;
        stop();
        resolve();
      });
    });
    sim.sim.advanceClock(HOUR);
    const run = runEtl('test');
    await announced;
    const after = await rawGet(server.url + PAGE);
    expect((await run).status).toBe('succeeded');
    expect(after.headers.etag).not.toBe(page.headers.etag);
    expect(answersInPage(after)['/api/latest?interval=1h']).toEqual(await directAnswer('/api/latest?interval=1h'));
  });

  it('sends the page without answers, not kept, while its reads are stuck on the database, and with them once it answers', async () => {
    // A read that is not cached yet (the daily bars of SOL/USD) waits on a lock, as on a database
    // that has stopped answering: no error, nothing to time out on for a while.
    const PAGE = '/?range=1Y&symbol=SOL/USD';
    const holder = connect(db.url, { max: 1 });
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = holder.begin(async (tx) => {
      await tx`lock table market.ssot in access exclusive mode`;
      locked();
      await released;
    });
    try {
      await isLocked;
      // Bounded, so a page that hangs fails here instead of at the test's timeout; the lock is held
      // until both have answered, so only the page's own deadline can have answered them.
      const bounded = (path: string) =>
        Promise.race([
          rawGet(server.url + path),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${path} hung`)), 10_000)),
        ]);
      // The second joins the first one's render, still waiting: it is bounded the same way.
      for (const page of await Promise.all([bounded(PAGE), bounded(PAGE)])) {
        expect(page.status).toBe(200);
        expect(page.headers['cache-control']).toBe('no-cache');
        expect(page.headers.etag).toBeUndefined();
        const html = page.body.toString('utf8');
        expect(html).toContain('id="market-pulse-config"');
        expect(html).not.toContain('id="market-pulse-answers"');
      }
    } finally {
      release();
      await holding;
      await holder.end();
    }
    await expect
      .poll(async () => (await rawGet(server.url + PAGE)).body.toString('utf8'), { timeout: 15_000 })
      .toContain('market-pulse-answers');
    expect(Object.keys(answersInPage(await rawGet(server.url + PAGE)))).toContain(
      '/api/bars?symbols=SOL%2FUSD&resolution=1day&interval=1h',
    );
  });

  it("gives no page URL to the API's fast path: query strings on / cannot crowd out its URLs", async () => {
    await rawGet(`${server.url}/api/latest`);
    const before = cache.urlBytes();
    for (let i = 0; i < 20; i++) expect((await rawGet(`${server.url}/?n=${i}&junk=${'x'.repeat(1500)}`)).status).toBe(200);
    expect(cache.urlBytes()).toBe(before);
  });

  it('never files an answer read before an announcement under the version after it', async () => {
    const own = createAnswerCache(db.sql, { warm: 0 });
    await own.ready;
    let renders = 0;
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const app = new Hono().get('/x', (c) =>
      own.respond(c, 'x', async () => {
        renders++;
        if (renders === 1) await gate;
        return { renders };
      }),
    );
    try {
      const slow = app.request('/x');
      // The query has started; a commit is announced before it returns.
      await expect.poll(() => renders).toBe(1);
      own.invalidate();
      release();
      expect(await (await slow).json()).toEqual({ renders: 1 });
      expect(own.entries()).toBe(0);
      // The next request renders anew, and that answer is kept.
      expect(await (await app.request('/x')).json()).toEqual({ renders: 2 });
      expect(await (await app.request('/x')).json()).toEqual({ renders: 2 });
      expect(own.entries()).toBe(1);
    } finally {
      await own.close();
    }
  });

  it('stays within its bound under many distinct queries', async () => {
    const maxBytes = 64 * 1024;
    const small = createAnswerCache(db.sql, { maxBytes, warm: 0 });
    await small.ready;
    const app = new Hono().route('/', readApi({ sql: db.sql, symbols: SYMBOLS, interval: '1h', simulated: true, answers: small }));
    try {
      let last: unknown;
      for (let points = 2; points < 122; points++) {
        const response = await app.request(`/series?symbols=BTC/USD,AAPL&max_points=${points}`);
        expect(response.status).toBe(200);
        last = await response.json();
        expect(small.bytes()).toBeLessThanOrEqual(maxBytes);
      }
      expect(small.entries()).toBeGreaterThan(0);
      expect(small.entries()).toBeLessThan(120);
      expect(last).toEqual(await (await direct.request('/series?symbols=BTC/USD,AAPL&max_points=121')).json());
      // The fast path's URLs are bounded too. Percent-encoding spells one request many ways (each
      // a URL of its own, all one answer): past 4,096 of them the remembered URLs start over.
      const ways = [...'BTC/USD,AAPL'].map((ch) => {
        const hex = ch.charCodeAt(0).toString(16);
        return [...new Set([encodeURIComponent(ch), `%${hex.toUpperCase()}`, `%${hex.toLowerCase()}`])];
      });
      // The i-th spelling, counting in mixed radix over each character's ways.
      const spelled = (i: number) =>
        ways
          .map((options) => {
            const way = options[i % options.length]!;
            i = Math.floor(i / options.length);
            return way;
          })
          .join('');
      let most = 0;
      for (let i = 0; i < 4_300; i++) {
        expect((await app.request(`/series?symbols=${spelled(i)}&max_points=2&columns=close`)).status).toBe(200);
        most = Math.max(most, small.urlBytes());
      }
      expect(most).toBeGreaterThan(4_000 * 40);
      expect(most).toBeLessThanOrEqual(1024 * 1024);
      expect(small.urlBytes()).toBeLessThan(most / 4);
    } finally {
      await small.close();
    }
  });

  it('drops and stops keeping answers while its LISTEN is lost and cannot come back, though the pool still answers', async () => {
    // A role whose connection limit leaves room for the read pool but not for LISTEN to reconnect
    // (as a pooler or a connection limit can): no announcement reaches the cache any more.
    const role = `cache_deaf_${process.pid}`;
    await db.sql.unsafe(`create role ${role} login bypassrls password 'deaf-test' connection limit 10`);
    await db.sql.unsafe(
      `grant usage on schema market to ${role}; grant select on all tables in schema market to ${role}; grant execute on all functions in schema market to ${role}`,
    );
    const url = new URL(db.url);
    url.username = role;
    url.password = 'deaf-test';
    const sql = connect(url.toString(), { max: 1 });
    const deaf = createAnswerCache(sql, { warm: 0, heartbeatMs: 100, log: () => {} });
    try {
      await deaf.ready;
      const app = readApi({ sql, symbols: SYMBOLS, interval: '1h', simulated: true, answers: deaf });
      const close = async () => {
        const body = (await (await app.request('/latest')).json()) as { rows: { symbol: string; close: number }[] };
        return body.rows.find((r) => r.symbol === 'SOL/USD')!.close;
      };
      const before = await close();
      expect(deaf.entries()).toBeGreaterThan(0);
      // Another server's heartbeat on the same database (its count far ahead) proves nothing about this one.
      await db.sql`select pg_notify('market_cache_heartbeat', 'another-server:999999')`;
      await db.sql`select pg_notify('market_cache_heartbeat', '999999')`;
      await db.sql.unsafe(`alter role ${role} connection limit 1`);
      await db.sql`select pg_terminate_backend(pid) from pg_stat_activity where usename = ${role} and query ilike 'listen%'`;
      await db.sql`
        update market.ssot set close = close + 1000
         where symbol = 'SOL/USD' and interval = '1h' and ts = (select max(ts) from market.ssot where symbol = 'SOL/USD' and interval = '1h')`;
      // The commit's announcement reached no one; the answer is still dropped, by the missed heartbeat.
      await expect.poll(close, { timeout: 10_000 }).toBe(before + 1000);
    } finally {
      await deaf.close();
      await sql.end({ timeout: 1 });
      await db.sql.unsafe(`alter role ${role} connection limit 10`);
    }
  });

  it('warms the most asked answers again after a commit', async () => {
    const path = '/api/series?symbols=BTC/USD&columns=close&max_points=500';
    await rawGet(server.url + path);
    await rawGet(server.url + path);
    const version = cache.version();
    cache.invalidate();
    expect(cache.version()).toBe(version + 1);
    await cache.warmed();
    const entries = cache.entries();
    expect(entries).toBeGreaterThan(0);
    // Served from what the warm-up rendered: nothing new is stored.
    expect((await rawGet(server.url + path)).status).toBe(200);
    expect(cache.entries()).toBe(entries);
  });

  it('a run starting drops no cached answer (no data changed); the run ending does', async () => {
    // Heard after the cache's own listener: both hang on the same LISTEN connection, in order.
    const heard: string[] = [];
    let wake = () => {};
    const listener = await db.sql.listen('market_runs', (payload) => {
      heard.push((JSON.parse(payload) as { status: string }).status);
      wake();
    });
    const next = (status: string) =>
      new Promise<void>((resolve) => {
        wake = () => heard.includes(status) && resolve();
        wake();
      });
    try {
      await rawGet(`${server.url}/api/latest`);
      const version = cache.version();
      const entries = cache.entries();
      expect(entries).toBeGreaterThan(0);
      const [run] = await db.sql<{ id: number }[]>`
        insert into market.etl_run (trigger, status) values ('test', 'running') returning etl_run_id as id`;
      await next('running');
      expect(cache.version()).toBe(version);
      expect(cache.entries()).toBe(entries);
      await db.sql`update market.etl_run set status = 'succeeded', finished_at = now() where etl_run_id = ${run!.id}`;
      await next('succeeded');
      expect(cache.version()).toBe(version + 1);
    } finally {
      await listener.unlisten();
    }
  });

  it('a repeated request, answered before routing, carries the same headers and bytes as the first', async () => {
    const path = '/api/series?symbols=ETH/USD&columns=close,low&max_points=64';
    const headers = { 'accept-encoding': 'br' };
    const first = await rawGet(server.url + path, headers);
    const again = await rawGet(server.url + path, headers);
    const { date: _d1, ...firstHeaders } = first.headers;
    const { date: _d2, ...againHeaders } = again.headers;
    expect(againHeaders).toEqual(firstHeaders);
    expect(again.headers['x-content-type-options']).toBe('nosniff');
    expect(again.body).toEqual(first.body);
  });

  it('a delete is announced like a write: an answer that held the deleted rows is dropped', async () => {
    type Latest = { rows: { symbol: string; ts: string }[] };
    const newestOf = (body: Latest) => body.rows.find((r) => r.symbol === 'SOL/USD')?.ts;
    const before = newestOf(json(await rawGet(`${server.url}/api/latest?interval=1h`)) as Latest);
    expect(newestOf(json(await rawGet(`${server.url}/api/latest?interval=1h`)) as Latest)).toBe(before);
    const version = cache.version();
    await db.sql`delete from market.ssot where symbol = 'SOL/USD' and interval = '1h' and ts = ${before!}`;
    await expect.poll(() => cache.version()).toBeGreaterThan(version);
    const after = newestOf(json(await rawGet(`${server.url}/api/latest?interval=1h`)) as Latest);
    expect(Date.parse(after!)).toBeLessThan(Date.parse(before!));
  });

  it('negotiates brotli over gzip and honours q=0', () => {
    expect(negotiateEncoding(undefined)).toBe('identity');
    expect(negotiateEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(negotiateEncoding('br;q=0, gzip')).toBe('gzip');
    expect(negotiateEncoding('*')).toBe('gzip');
    expect(negotiateEncoding('identity')).toBe('identity');
  });
});
