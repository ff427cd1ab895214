import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { type EmbeddedDatabase, freePort, startEmbeddedPostgres } from '../server/embedded-postgres.ts';
import { chromiumMissing, launchChromium } from './helpers/browser.ts';
import { type RunningProduct, removeWorkDir, startProduct } from './helpers/product.ts';

const skip = chromiumMissing();
const HOUR = 3_600_000;

describe.skipIf(skip !== null)(`dashboard while the database is away${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: string;
  let port: number;
  let cluster: EmbeddedDatabase;
  let product: RunningProduct;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'market-pulse-dashboard-outage-'));
    await chmod(dir, 0o755);
    port = await freePort();
    cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port });
    product = await startProduct({ DATABASE_URL: cluster.url });
    browser = await launchChromium();
    await product.settledRun();
  });
  afterAll(async () => {
    await browser?.close();
    await product?.stop();
    if (product) await removeWorkDir(product.cwd);
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('says the data is unreachable instead of live, and is live again by itself once the database is back', async () => {
    // If it fails, what the server said (an exit, a stack) is the first thing to read.
    onTestFailed(() => console.error(`npm start said:\n${product.output().slice(-4000)}`));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${product.url}/?poll=3600`);
    const chart = page.locator('[data-testid="chart-BTC/USD"]');
    await expect.poll(() => chart.getAttribute('data-last-ts'), { timeout: 15_000 }).toMatch(/^\d{4}-/);
    await expect.poll(() => page.getByTestId('live-status').textContent()).toBe('live');
    const before = (await chart.getAttribute('data-last-ts'))!;

    await cluster.stop();
    // The server notices within its health check's period (5 s, then two 2 s timeouts) or at the
    // page's next read; the page then says so, whether or not its live stream is connected.
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 30_000 }).toBe('database unreachable');
    const freshness = (await page.getByTestId('freshness').textContent())!;
    expect(freshness).toMatch(/Data unreachable/);
    expect(freshness).not.toMatch(/Checking/);
    // What was drawn stays drawn.
    expect(await chart.getAttribute('data-last-ts')).toBe(before);

    // A page opened during the outage says so too, rather than waiting on "Checking…".
    const late = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await late.goto(`${product.url}/?poll=3600`);
    await expect.poll(() => late.getByTestId('live-status').textContent(), { timeout: 15_000 }).toBe('database unreachable');
    expect(await late.getByTestId('freshness').textContent()).toMatch(/Data unreachable/);

    cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port });
    for (const p of [page, late]) {
      await expect.poll(() => p.getByTestId('live-status').textContent(), { timeout: 20_000 }).toBe('live');
      await expect.poll(() => p.getByTestId('freshness').textContent(), { timeout: 10_000 }).toMatch(/Last ETL run \d+ succeeded/);
    }
    await expect.poll(() => late.locator('[data-testid="chart-BTC/USD"]').getAttribute('data-last-ts'), { timeout: 15_000 }).toBe(before);

    // And live means live: the next run reaches both pages.
    await product.advanceClock(HOUR);
    expect((await product.runEtl()).bars_upserted).toBeGreaterThan(0);
    const next = new Date(Date.parse(before) + HOUR).toISOString();
    await expect.poll(() => chart.getAttribute('data-last-ts'), { timeout: 10_000 }).toBe(next);
    await expect.poll(() => late.locator('[data-testid="chart-BTC/USD"]').getAttribute('data-last-ts'), { timeout: 10_000 }).toBe(next);
    await page.close();
    await late.close();
  });
});
