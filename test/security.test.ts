import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../functions/_shared/etl/run.ts';
import { type LiveHub, startLiveHub } from '../server/live.ts';
import { startSimulator } from '../simulator/index.ts';
import { createDatabase, one, type TestDatabase } from './helpers/database.ts';
import { serveApp, type TestServer } from './helpers/server.ts';

const run = promisify(execFile);

/** fetch() will not send a Host of our choosing; node:http will. */
function statusWithHost(base: string, pathname: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(new URL(pathname, base), { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end();
  });
}
const ROOT = path.resolve(import.meta.dirname, '..');
const SECRET = 'security-test-secret-0123456789';

describe('the public surface lets no one in', () => {
  let db: TestDatabase;
  let live: LiveHub;
  let server: TestServer;
  let runs = 0;

  beforeAll(async () => {
    db = await createDatabase();
    live = await startLiveHub(db.sql);
    server = await serveApp({
      sql: db.sql,
      live,
      symbols: ['AAPL'],
      interval: '1h',
      simulated: true,
      etlSecret: SECRET,
      // Counts calls that got through; the ETL itself is not what is under test here.
      runEtl: async (trigger) => {
        runs += 1;
        return { etl_run_id: runs, status: 'succeeded', trigger } as RunSummary;
      },
      corsOrigins: ['https://dash.example.com'],
      triggerLimitPerMinute: 4,
      allowedHosts: ['dash.example.com'],
    });
  });
  afterAll(async () => {
    await server?.close();
    await live?.close();
    await db?.drop();
  });

  const post = (headers: Record<string, string>, body?: RequestInit['body']) =>
    fetch(`${server.url}/functions/v1/market-etl`, { method: 'POST', headers, ...(body ? { body } : {}) });

  it('refuses a 50 MB body before reading it', async () => {
    const response = await post({ apikey: SECRET, 'content-type': 'application/octet-stream' }, new Uint8Array(50 * 1024 * 1024));
    expect(response.status).toBe(413);
    expect(runs).toBe(0);
  });

  it('checks the secret before the rate limit: ten blind POSTs lock out only themselves, the secret still gets in', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      // What any web page can send with fetch(..., { mode: 'no-cors', method: 'POST' }).
      statuses.push((await post({ 'content-type': 'text/plain' }, 'x')).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429, 429, 429, 429, 429]);
    expect((await post({ apikey: 'x'.repeat(40) })).status).toBe(429);
    // Same address, right secret: not locked out.
    expect((await post({ authorization: `Bearer ${SECRET}` })).status).toBe(200);
    expect(runs).toBe(1);
    // Callers with the secret have a limit of their own (each run may spend credits).
    for (let i = 0; i < 3; i++) expect((await post({ apikey: SECRET })).status).toBe(200);
    const limited = await post({ apikey: SECRET });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(runs).toBe(4);
  });

  it('answers only to its own Host names: a rebinding domain gets 421', async () => {
    const port = new URL(server.url).port;
    expect(await statusWithHost(server.url, '/api/config', `evil.example:${port}`)).toBe(421);
    expect(await statusWithHost(server.url, '/', 'evil.example')).toBe(421);
    expect(await statusWithHost(server.url, '/api/config', `localhost:${port}`)).toBe(200);
    expect(await statusWithHost(server.url, '/api/config', `[::1]:${port}`)).toBe(200);
    // Named in ALLOWED_HOSTS (here: allowedHosts).
    expect(await statusWithHost(server.url, '/api/config', 'DASH.example.com')).toBe(200);
  });

  it('rejects hostile read API input with 400 and never runs it', async () => {
    const hostile = [
      `symbols=${encodeURIComponent("AAPL'); delete from market.etl_run; --")}`,
      `symbols=${encodeURIComponent(`AAPL,${'X'.repeat(5000)}`)}`,
      `symbols=${Array.from({ length: 60 }, (_, i) => `S${i}`).join(',')}`,
      'symbols=AAPL&interval=1h;drop',
      'symbols=AAPL&from=2026-01-01&to=now()',
      'symbols=AAPL&max_points=1e9',
      'symbols=AAPL&max_points=-1',
      'symbols=AAPL&max_points=0x10',
      'symbols=AAPL&max_points=1e4',
      // Rounded up to the minute, 9999-12-31T23:59:59Z would be a year PostgreSQL cannot hold.
      'symbols=AAPL&from=9999-12-31T23:59:59Z',
      'symbols=AAPL&from=0000-01-01T00:00:00Z',
      // More points in one answer than any screen draws.
      'symbols=AAPL,MSFT,GOOGL,AMZN,META,BTC/USD,ETH/USD,SOL/USD&max_points=10000',
      `symbols=${encodeURIComponent('ÅÄÖ/€')}`,
    ];
    for (const query of hostile) {
      const response = await fetch(`${server.url}/api/series?${query}`);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe('invalid request');
    }
    expect((await fetch(`${server.url}/api/latest?interval=${encodeURIComponent("1h' or 1=1")}`)).status).toBe(400);
    expect((await fetch(`${server.url}/api/bars?symbols=AAPL&from=0000-01-01T00:00:00Z`)).status).toBe(400);
    // A parameter a route does not know is refused, not ignored (nor a new cache entry).
    for (const path of [
      '/api/series?symbols=AAPL&foo=1',
      '/api/latest?interval=1h&x=1',
      '/api/returns?interval=1h&x=1',
      '/api/bars?symbols=AAPL&foo=1',
      // Routes without parameters take none (each junk URL would otherwise be a new fast-path alias).
      '/api/config?junk=1',
      '/api/runs/latest?junk=1',
      // A name given twice is refused, not answered for its first value alone.
      '/api/series?symbols=AAPL&symbols=MSFT',
      '/api/latest?interval=1h&interval=1d',
    ]) {
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(400);
    }
    // Hourly bars are every stored row: a CSV export's one symbol, not the whole watch list at once.
    const everyHour = await fetch(`${server.url}/api/bars?symbols=AAPL,MSFT,BTC/USD&resolution=1h`);
    expect(everyHour.status).toBe(400);
    expect(JSON.stringify(await everyHour.json())).toMatch(/at most 2 symbols/);
    expect((await fetch(`${server.url}/api/bars?symbols=AAPL,MSFT,BTC/USD&resolution=1day`)).status).toBe(200);
  });

  it('sends CORS headers only to configured origins', async () => {
    const allowed = await fetch(`${server.url}/api/config`, { headers: { origin: 'https://dash.example.com' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://dash.example.com');
    const other = await fetch(`${server.url}/api/config`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${server.url}/api/series`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves the dashboard with a strict Content-Security-Policy and security headers', async () => {
    const response = await fetch(`${server.url}/`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });
});

describe('secrets stay out of bundles and logs', () => {
  const API_KEY = 'td-live-key-5f0c1e2d3b4a';
  const ETL_SECRET = 'etl-secret-9a8b7c6d5e4f3a2b';

  it('a dashboard built with the secrets in the environment contains neither', async () => {
    const outDir = await mkdtemp(path.join(os.tmpdir(), 'market-pulse-bundle-'));
    try {
      await run(
        process.execPath,
        [
          path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
          'build',
          '--config',
          'web/vite.config.ts',
          '--outDir',
          outDir,
          '--logLevel',
          'error',
        ],
        {
          cwd: ROOT,
          env: { ...process.env, TWELVE_DATA_API_KEY: API_KEY, ETL_SECRET, VITE_DEBUG: '1' },
        },
      );
      const files = await readdir(outDir, { recursive: true, withFileTypes: true });
      const texts = await Promise.all(files.filter((f) => f.isFile()).map((f) => readFile(path.join(f.parentPath, f.name), 'utf8')));
      expect(texts.length).toBeGreaterThan(1);
      for (const text of texts) {
        expect(text).not.toContain(API_KEY);
        expect(text).not.toContain(ETL_SECRET);
      }
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });

  it('npm run etl -- --once with a refused key logs what to fix, never the key, the secret or the database password', async () => {
    const db = await createDatabase();
    const sim = await startSimulator({ faults: { invalidKeys: [API_KEY] } });
    try {
      const result = await run(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/etl.ts', '--once'], {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          TWELVE_DATA_BASE_URL: sim.url,
          TWELVE_DATA_API_KEY: API_KEY,
          ETL_SECRET,
          MARKET_SYMBOLS: 'AAPL,BTC/USD',
        },
      }).then(
        () => ({ code: 0, output: '' }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }),
      );
      expect(result.code).toBe(1);
      expect(result.output).toMatch(/failed/);
      expect(result.output).toMatch(/TWELVE_DATA_API_KEY/);
      expect(result.output).not.toContain(API_KEY);
      expect(result.output).not.toContain(ETL_SECRET);
      expect(result.output).not.toContain(new URL(db.url).password);
      const stored = one(
        await db.sql<{ text: string }[]>`select string_agg(coalesce(error, '') || details::text, ' ') as text from market.etl_run`,
      );
      expect(stored.text).not.toContain(API_KEY);
    } finally {
      await sim.close();
      await db.drop();
    }
  });
});
