import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import { build } from 'vite';
import { DEFAULT_SYMBOLS, parseConfig } from '../../functions/_shared/config.ts';
import { connect, type Sql } from '../../functions/_shared/db.ts';
import { analyseAfterLargeLoad, loadSeries } from '../../functions/_shared/etl/load.ts';
import type { AssetMeta, Bar } from '../../functions/_shared/types.ts';
import { createAnswerCache } from '../../server/answer-cache.ts';
import { createServerApp, WEB_DIST } from '../../server/app.ts';
import { startEmbeddedPostgres } from '../../server/embedded-postgres.ts';
import { etlRunner } from '../../server/etl-runtime.ts';
import { startLiveHub } from '../../server/live.ts';
import { migrate } from '../../server/migrate.ts';
import { simulatedBar, startSimulator } from '../../simulator/index.ts';
import { chromiumMissing, launchChromium } from '../../test/helpers/browser.ts';
import { benchBarePage } from './bare-page.ts';
import { benchReadPath, type ReadPathBench } from './read-path.ts';
import { percentile } from './stats.ts';

/**
 * The dashboard's figures for `npm run bench`: the built bundle's gzip size, time to first chart
 * with five years of hourly bars for the eight default symbols, and the time from an ETL commit to
 * the chart's redraw in headless Chromium. Everything runs in this process except the browser:
 * an embedded PostgreSQL, the Node server app, the Twelve Data simulator and the real ETL.
 */

export interface BundleFile {
  file: string;
  bytes: number;
  gzipBytes: number;
  /** Loaded by index.html (script, module preload or stylesheet); otherwise only on demand. */
  initial: boolean;
}

export interface Percentiles {
  p50: number;
  p95: number;
  samples: number[];
}

export interface DashboardBench {
  bundle: { files: BundleFile[]; initialGzipBytes: number };
  rows: number;
  /** Navigation start to the big chart drawn, and to every chart drawn, per range. */
  firstChart: Record<string, { firstMs: Percentiles; allMs: Percentiles; coldMs: number }>;
  /** The same big chart (All, weekly bars) drawn by a page holding nothing but uPlot and the bars: this machine's floor. */
  firstChartFloor: { firstMs: Percentiles; coldMs: number };
  commitToRedrawMs: Percentiles;
  /** One page load's requests replayed under load (null when skipped). */
  readPath: ReadPathBench | null;
}

export interface DashboardBenchOptions {
  years?: number;
  pageLoads?: number;
  redraws?: number;
  /** Skip `vite build` when web/dist is fresh. */
  build?: boolean;
  /** Log the last page load's request timeline per range, to see where the time went. */
  trace?: boolean;
  /** Seconds of each read-path replay round (0 skips it; default 8). */
  readPathSeconds?: number;
  log?: (line: string) => void;
}

const HOUR = 3_600_000;
const HALF_HOUR = HOUR / 2;

export function percentiles(samples: readonly number[]): Percentiles {
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), samples: [...samples] };
}

/** Sizes of what `vite build` wrote, marking what a first visit downloads. */
export async function bundleSizes(dist = WEB_DIST): Promise<DashboardBench['bundle']> {
  const html = await readFile(path.join(dist, 'index.html'), 'utf8');
  const referenced = new Set([...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+)"/g)].map((m) => m[1]!));
  const files: BundleFile[] = [];
  for (const name of await readdir(path.join(dist, 'assets'))) {
    const body = await readFile(path.join(dist, 'assets', name));
    files.push({
      file: `assets/${name}`,
      bytes: body.length,
      gzipBytes: gzipSync(body, { level: 9 }).length,
      initial: referenced.has(`assets/${name}`),
    });
  }
  files.sort((a, b) => Number(b.initial) - Number(a.initial) || b.gzipBytes - a.gzipBytes);
  return { files, initialGzipBytes: files.filter((f) => f.initial).reduce((sum, f) => sum + f.gzipBytes, 0) };
}

function metaOf(symbol: string): AssetMeta {
  return symbol.includes('/')
    ? { symbol, assetType: 'crypto', exchange: 'Binance', currency: symbol.split('/')[1]!, exchangeTimezone: 'UTC' }
    : { symbol, assetType: 'stock', exchange: 'NASDAQ', currency: 'USD', exchangeTimezone: 'America/New_York' };
}

/**
 * Exactly the bars the simulator would serve, straight into the tables: paging five years through
 * the API at 5000 bars a credit would only measure the ETL. Stock bars open on the half hour.
 */
async function loadHistory(sql: Sql, symbols: readonly string[], fromMs: number, nowMs: number): Promise<number> {
  let rows = 0;
  for (const symbol of symbols) {
    const bars: Bar[] = [];
    for (let ts = Math.ceil(fromMs / HALF_HOUR) * HALF_HOUR; ts + HOUR <= nowMs; ts += HALF_HOUR) {
      const bar = simulatedBar(symbol, '1h', ts);
      if (bar) bars.push({ ts, ...bar });
    }
    const written = await sql.begin(async (tx) => {
      const loaded = await loadSeries(tx as unknown as Sql, '1h', [{ meta: metaOf(symbol), bars }], null);
      return loaded.get(symbol)?.ssotRows ?? 0;
    });
    // As runEtl does after committing a large load.
    await analyseAfterLargeLoad(sql, written);
    rows += written;
  }
  return rows;
}

export async function benchDashboard(options: DashboardBenchOptions = {}): Promise<DashboardBench> {
  const log = options.log ?? (() => {});
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  if (options.build !== false) {
    log('building the dashboard');
    await build({ configFile: path.join(import.meta.dirname, '..', '..', 'web', 'vite.config.ts'), logLevel: 'warn' });
  }
  const bundle = await bundleSizes();

  const dir = await mkdtemp(path.join(os.tmpdir(), 'market-pulse-bench-'));
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), ephemeral: true });
  const sql = connect(cluster.url, { max: 10 });
  const cleanups: Array<() => Promise<unknown>> = [
    async () => rm(dir, { recursive: true, force: true }),
    () => cluster.stop(),
    () => sql.end({ timeout: 5 }),
  ];
  try {
    await migrate(sql);
    // The simulated market's clock stands still, so the history ends exactly where the ETL takes over.
    const now = Math.floor(Date.now() / HOUR) * HOUR + 5 * 60_000;
    const years = options.years ?? 5;
    log(`loading ${years} years of hourly bars for ${DEFAULT_SYMBOLS.length} symbols`);
    const started = Date.now();
    const rows = await loadHistory(sql, DEFAULT_SYMBOLS, now - years * 365.25 * 24 * HOUR, now);
    log(`loaded ${rows} SSOT rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // What autovacuum does within a minute of a bulk load; without it the first plans are guesses.
    await sql`analyze market.ssot`;

    const simulator = await startSimulator({ creditsPerMinute: 1_000_000, creditsPerDay: 100_000_000 });
    cleanups.unshift(() => simulator.close());
    simulator.sim.setClock(now);
    const config = parseConfig({
      MARKET_SOURCE: 'simulator',
      TWELVE_DATA_CREDITS_PER_MINUTE: '1000000',
      TWELVE_DATA_CREDITS_PER_DAY: '100000000',
    });
    const runEtl = etlRunner(sql, config, { baseUrl: simulator.url, apiKey: 'simulator-key', now: () => simulator.sim.now() });
    const live = await startLiveHub(sql);
    cleanups.unshift(() => live.close());
    const answers = createAnswerCache(sql);
    cleanups.unshift(() => answers.close());
    const app = createServerApp({
      sql,
      live,
      symbols: DEFAULT_SYMBOLS,
      interval: '1h',
      simulated: true,
      etlSecret: null,
      runEtl,
      answers,
    });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    cleanups.unshift(() => new Promise((resolve) => server.close(resolve)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const browser = await launchChromium();
    cleanups.unshift(() => browser.close());

    // Each load in a fresh context, so the browser has nothing cached: a first visit. The first
    // load of each range is not counted: it measures a cold server process and database cache.
    const firstChart: DashboardBench['firstChart'] = {};
    for (const range of ['1M', 'All']) {
      const first: number[] = [];
      const all: number[] = [];
      let cold = 0;
      for (let i = -1; i < (options.pageLoads ?? 5); i++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        await page.addInitScript((count: number) => {
          const marks: Record<string, number> = {};
          (window as unknown as { benchMarks: Record<string, number> }).benchMarks = marks;
          new MutationObserver(() => {
            const drawn = document.querySelectorAll('[data-testid^="chart-"][data-last-ts]');
            if (marks.first === undefined && document.querySelector('[data-testid="chart-detail"][data-last-ts]'))
              marks.first = performance.now();
            if (marks.all === undefined && drawn.length >= count) marks.all = performance.now();
          }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-last-ts'] });
        }, DEFAULT_SYMBOLS.length + 2);
        await page.goto(`${url}/?range=${range}`);
        const marks = await page.waitForFunction(
          () => {
            const m = (window as unknown as { benchMarks: Record<string, number> }).benchMarks;
            return m.first !== undefined && m.all !== undefined ? m : null;
          },
          null,
          { timeout: 30_000 },
        );
        const { first: f, all: a } = (await marks.jsonValue()) as { first: number; all: number };
        if (options.trace && i === (options.pageLoads ?? 5) - 1) {
          const timeline = await page.evaluate(() =>
            performance.getEntriesByType('resource').map((e) => {
              const r = e as PerformanceResourceTiming;
              return `${r.startTime.toFixed(0)}-${r.responseEnd.toFixed(0)} ms (first byte ${(r.responseStart - r.startTime).toFixed(0)} ms) ${r.name.replace(/^https?:\/\/[^/]+/, '').slice(0, 70)} ${r.encodedBodySize} B`;
            }),
          );
          log(`timeline (${range}), first chart at ${f.toFixed(0)} ms:\n  ${timeline.join('\n  ')}`);
        }
        await context.close();
        if (i < 0) {
          cold = f;
          continue;
        }
        first.push(f);
        all.push(a);
      }
      firstChart[range] = { firstMs: percentiles(first), allMs: percentiles(all), coldMs: cold };
      log(
        `first chart (${range}): p50 ${firstChart[range].firstMs.p50.toFixed(0)} ms, all charts ${firstChart[range].allMs.p50.toFixed(0)} ms`,
      );
    }

    // The floor beside the All range: its big chart's weekly bars, as the product serves them.
    const weekly = (await (
      await fetch(`${url}/api/bars?symbols=${encodeURIComponent(DEFAULT_SYMBOLS[0]!)}&resolution=1week&interval=1h`)
    ).json()) as {
      series: { ts: number[]; close: number[] }[];
    };
    const floor = await benchBarePage(browser, weekly.series[0]!, { loads: options.pageLoads ?? 5, width: 1216, height: 320 });
    const firstChartFloor = { firstMs: percentiles(floor.firstMs), coldMs: floor.coldMs };
    log(`first chart floor (a page with only uPlot and the bars): p50 ${firstChartFloor.firstMs.p50.toFixed(0)} ms`);

    const readPathSeconds = options.readPathSeconds ?? 8;
    const readPath =
      readPathSeconds > 0
        ? await benchReadPath(browser, url, { charts: DEFAULT_SYMBOLS.length + 2, durationS: readPathSeconds, log })
        : null;

    // Commit to redraw: the bench's own LISTEN hears the commit when the server's hub does.
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${url}/?symbol=BTC/USD`);
    await page.waitForFunction(() => document.querySelector('[data-testid="live-status"]')?.textContent === 'live', null, {
      timeout: 30_000,
    });
    await page.waitForSelector('[data-testid="chart-BTC/USD"][data-last-ts]');
    let committedAt: number | undefined;
    const listener = await sql.listen('market_bars', () => (committedAt ??= Date.now()));
    cleanups.unshift(() => listener.unlisten());
    const delays: number[] = [];
    for (let i = 0; i < (options.redraws ?? 20); i++) {
      const before = await page.getAttribute('[data-testid="chart-BTC/USD"]', 'data-last-ts');
      const redrawn = page.evaluate(
        (previous) =>
          new Promise<number>((resolve) => {
            const chart = document.querySelector('[data-testid="chart-BTC/USD"]')!;
            new MutationObserver((_, observer) => {
              if (chart.getAttribute('data-last-ts') !== previous) {
                observer.disconnect();
                resolve(Date.now());
              }
            }).observe(chart, { attributes: true, attributeFilter: ['data-last-ts'] });
          }),
        before,
      );
      if (options.trace) await page.evaluate(() => performance.clearResourceTimings());
      committedAt = undefined;
      simulator.sim.advanceClock(HOUR);
      const summary = await runEtl('bench');
      if (summary.status !== 'succeeded') throw new Error(`bench ETL run ${summary.status}: ${summary.error}`);
      const at = await redrawn;
      if (committedAt === undefined) throw new Error('the ETL commit was never announced');
      delays.push(at - committedAt);
      // Runs come an hour apart: the next commit finds the answer cache's warm-up after this one
      // finished (it re-renders the most asked answers, the five-year ones among them).
      await answers.warmed();
      if (options.trace && i >= (options.redraws ?? 20) - 3) {
        // Every request the page made for this commit, in ms after the commit was heard.
        const since = committedAt;
        const timeline = await page.evaluate((since) => {
          const lines = performance.getEntriesByType('resource').map((e) => {
            const r = e as PerformanceResourceTiming;
            const origin = performance.timeOrigin - since;
            return `${(origin + r.startTime).toFixed(0)}-${(origin + r.responseEnd).toFixed(0)} ms (first byte ${(r.responseStart - r.startTime).toFixed(0)} ms) ${r.name.replace(/^https?:\/\/[^/]+/, '').slice(0, 90)}`;
          });
          performance.clearResourceTimings();
          return lines;
        }, since);
        log(`commit to redraw ${at - since} ms:\n  ${timeline.join('\n  ')}`);
      }
    }
    const commitToRedrawMs = percentiles(delays);
    log(`commit to redraw: p50 ${commitToRedrawMs.p50} ms, p95 ${commitToRedrawMs.p95} ms`);
    return { bundle, rows, firstChart, firstChartFloor, commitToRedrawMs, readPath };
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  }
}

export const TARGETS = { initialGzipBytes: 150 * 1024, firstChartMs: 1000, firstChartAllMs: 500, commitToRedrawP95Ms: 500 };
const targetMs = (range: string) => (range === 'All' ? TARGETS.firstChartAllMs : TARGETS.firstChartMs);

/** Lines for the bench report, each figure with its target. */
export function formatDashboardBench(b: DashboardBench): string[] {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  const lines = [
    `dashboard bundle (gzip, first visit): ${kb(b.bundle.initialGzipBytes)} (target < ${kb(TARGETS.initialGzipBytes)}: ${verdict(b.bundle.initialGzipBytes < TARGETS.initialGzipBytes)})`,
    ...b.bundle.files.map((f) => `  ${f.file}: ${kb(f.bytes)} raw, ${kb(f.gzipBytes)} gzip${f.initial ? '' : ' (loaded on demand)'}`),
  ];
  for (const [range, r] of Object.entries(b.firstChart)) {
    lines.push(
      `time to first chart, ${b.rows} hourly rows for 8 symbols, range ${range}: p50 ${r.firstMs.p50.toFixed(0)} ms, p95 ${r.firstMs.p95.toFixed(0)} ms; all ${DEFAULT_SYMBOLS.length + 2} charts p50 ${r.allMs.p50.toFixed(0)} ms (target < ${targetMs(range)} ms: ${verdict(r.firstMs.p95 < targetMs(range))}); the very first load after start-up (cold server): ${r.coldMs.toFixed(0)} ms`,
    );
  }
  const f = b.firstChartFloor;
  lines.push(
    `  floor for the All range's first chart, measured in the same browser: a page with only uPlot and the same weekly bars, p50 ${f.firstMs.p50.toFixed(0)} ms, p95 ${f.firstMs.p95.toFixed(0)} ms`,
  );
  const c = b.commitToRedrawMs;
  lines.push(
    `ETL commit to chart redraw in Chromium: p50 ${c.p50} ms, p95 ${c.p95} ms over ${c.samples.length} runs (target p95 < ${TARGETS.commitToRedrawP95Ms} ms: ${verdict(c.p95 < TARGETS.commitToRedrawP95Ms)})`,
  );
  return lines;
}
