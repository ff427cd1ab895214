import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import autocannon from 'autocannon';
import { Hono } from 'hono';
import type { Browser } from 'playwright-core';

/**
 * The read path under a team's load: one real dashboard page load in Chromium is recorded (every
 * request for data it makes, with the headers it sent: the page document, which carries the first
 * reads' answers, and every read-API request), then replayed by 64 keep-alive clients
 * against the product, and in the same run against a bare Hono server that answers each recorded
 * request with the product's very bytes from memory: the ceiling of this stack on this machine.
 * The load generator runs in a worker thread, so it does not share the servers' event loop.
 */

export interface RecordedRequest {
  path: string;
  headers: Record<string, string>;
  /** On the wire: encoded body and headers of the response. */
  responseBytes: number;
}

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  bytesPerSecond: number;
}

export interface ReadPathBench {
  page: string;
  recorded: RecordedRequest[];
  /** Data responses of one page load (the document with its answers, and the read API), bytes on the wire. */
  apiBytes: number;
  /** Everything the page load transferred: document, bundle, read API (the live stream excluded). */
  pageBytes: number;
  connections: number;
  durationS: number;
  rounds: number;
  /** The median round of each (by requests per second). */
  product: LoadFigures;
  bare: LoadFigures;
}

/** Headers a replayed request carries: what the browser sent that can change the answer. */
const REPLAYED_HEADERS = ['accept', 'accept-encoding'];

export async function recordPageLoad(
  browser: Browser,
  base: string,
  page: string,
  charts: number,
): Promise<{ recorded: RecordedRequest[]; apiBytes: number; pageBytes: number }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const tab = await context.newPage();
    const finished: Array<Promise<{ path: string; headers: Record<string, string>; bytes: number; api: boolean }>> = [];
    tab.on('requestfinished', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/api/stream') return;
      finished.push(
        (async () => {
          const [headers, sizes] = await Promise.all([request.allHeaders(), request.sizes()]);
          return {
            path: url.pathname + url.search,
            headers: Object.fromEntries(REPLAYED_HEADERS.filter((h) => headers[h] !== undefined).map((h) => [h, headers[h]!])),
            bytes: sizes.responseBodySize + sizes.responseHeadersSize,
            // The document carries the first reads' answers: data like the read API's.
            api: url.pathname.startsWith('/api/') || request.resourceType() === 'document',
          };
        })(),
      );
    });
    await tab.goto(`${base}${page}`);
    // Loaded: every chart drawn and the last run shown.
    await tab.waitForFunction((count) => document.querySelectorAll('[data-testid^="chart-"][data-last-ts]').length >= count, charts, {
      timeout: 30_000,
    });
    await tab.waitForFunction(
      () =>
        performance
          .getEntriesByType('resource')
          .some((e) => e.name.includes('/api/runs/latest') && (e as PerformanceResourceTiming).responseEnd > 0),
      null,
      { timeout: 30_000 },
    );
    await tab.waitForLoadState('load');
    const all = await Promise.all(finished);
    const api = all.filter((r) => r.api);
    return {
      recorded: api.map((r) => ({ path: r.path, headers: r.headers, responseBytes: r.bytes })),
      apiBytes: api.reduce((sum, r) => sum + r.bytes, 0),
      pageBytes: all.reduce((sum, r) => sum + r.bytes, 0),
    };
  } finally {
    await context.close();
  }
}

interface Captured {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function capture(base: string, request: RecordedRequest): Promise<Captured> {
  return new Promise((resolve, reject) => {
    http
      .get(base + request.path, { headers: request.headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          // Every header the product sent (security headers included), so both servers send the same bytes.
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === 'string' && !['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(name))
              headers[name] = value;
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** A bare Hono server answering each recorded request with the product's bytes, from memory. */
async function startBareServer(answers: Map<string, Captured>): Promise<{ url: string; close(): Promise<void> }> {
  const app = new Hono();
  app.get('*', (c) => {
    const url = new URL(c.req.url);
    const answer = answers.get(url.pathname + url.search);
    if (!answer) return c.text('not recorded', 404);
    return new Response(new Uint8Array(answer.body), { status: answer.status, headers: answer.headers });
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

async function replay(base: string, recorded: readonly RecordedRequest[], connections: number, durationS: number): Promise<LoadFigures> {
  const result = await autocannon({
    url: base,
    connections,
    duration: durationS,
    pipelining: 1,
    workers: 1,
    requests: recorded.map((r) => ({ method: 'GET', path: r.path, headers: r.headers })),
  });
  const requests = result.latency.totalCount;
  return {
    requestsPerSecond: requests / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests,
    errors: result.errors + result.timeouts + result.non2xx,
    bytesPerSecond: result.throughput.average,
  };
}

export async function benchReadPath(
  browser: Browser,
  base: string,
  options: { page?: string; charts: number; connections?: number; durationS?: number; rounds?: number; log?: (line: string) => void },
): Promise<ReadPathBench> {
  const log = options.log ?? (() => {});
  const page = options.page ?? '/';
  const connections = options.connections ?? 64;
  const durationS = options.durationS ?? 8;
  const rounds = options.rounds ?? 3;
  const { recorded, apiBytes, pageBytes } = await recordPageLoad(browser, base, page, options.charts);
  log(
    `recorded one page load of ${page}: ${recorded.length} data requests (document and read API), ${(apiBytes / 1024).toFixed(1)} KB on the wire`,
  );
  for (const r of recorded) log(`  ${r.path.slice(0, 120)} ${r.responseBytes} B`);

  const answers = new Map<string, Captured>();
  for (const r of recorded) answers.set(r.path, await capture(base, r));
  const bare = await startBareServer(answers);
  try {
    // Rounds alternate between the two servers, so a noisy neighbour on a shared machine hits both alike.
    const productRounds: LoadFigures[] = [];
    const bareRounds: LoadFigures[] = [];
    const line = (f: LoadFigures) => `${Math.round(f.requestsPerSecond)} req/s, p99 ${f.p99Ms} ms, ${f.errors} errors`;
    for (let round = 1; round <= rounds; round++) {
      log(`round ${round}/${rounds}, ${connections} keep-alive clients for ${durationS} s each`);
      productRounds.push(await replay(base, recorded, connections, durationS));
      log(`  product: ${line(productRounds.at(-1)!)}`);
      bareRounds.push(await replay(bare.url, recorded, connections, durationS));
      log(`  bare Hono server, same bytes from memory: ${line(bareRounds.at(-1)!)}`);
    }
    const median = (all: LoadFigures[]) => [...all].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(all.length / 2)]!;
    const errors = (all: LoadFigures[]) => all.reduce((sum, f) => sum + f.errors, 0);
    return {
      page,
      recorded,
      apiBytes,
      pageBytes,
      connections,
      durationS,
      rounds,
      product: { ...median(productRounds), errors: errors(productRounds) },
      bare: { ...median(bareRounds), errors: errors(bareRounds) },
    };
  } finally {
    await bare.close();
  }
}

export const READ_PATH_TARGETS = { shareOfBare: 0.5, p99Ms: 100, apiBytes: 150 * 1024 };

export function formatReadPath(r: ReadPathBench): string[] {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  const share = r.product.requestsPerSecond / r.bare.requestsPerSecond;
  const figures = (f: LoadFigures) =>
    `${Math.round(f.requestsPerSecond).toLocaleString('en')} req/s, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, ${f.errors} errors (${f.requests.toLocaleString('en')} requests)`;
  return [
    `one page load of ${r.page}: ${r.recorded.length} data requests (the document with its written-in answers, and the read API), ${kb(r.apiBytes)} on the wire (target < ${kb(READ_PATH_TARGETS.apiBytes)}: ${verdict(r.apiBytes < READ_PATH_TARGETS.apiBytes)}); everything, with the bundle, ${kb(r.pageBytes)}`,
    `read path replayed by ${r.connections} keep-alive clients, ${r.rounds} rounds of ${r.durationS} s alternating (median round; errors over all rounds), product: ${figures(r.product)}`,
    `same requests, bare Hono server answering the same bytes (headers included) from memory: ${figures(r.bare)}`,
    `product / bare: ${(100 * share).toFixed(0)}% (target >= ${100 * READ_PATH_TARGETS.shareOfBare}%: ${verdict(share >= READ_PATH_TARGETS.shareOfBare)}); product p99 target < ${READ_PATH_TARGETS.p99Ms} ms: ${verdict(r.product.p99Ms < READ_PATH_TARGETS.p99Ms)}; no errors: ${verdict(r.product.errors === 0)}`,
  ];
}
