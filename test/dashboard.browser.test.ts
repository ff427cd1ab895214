import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SYMBOLS } from '../functions/_shared/config.ts';
import { chromiumMissing, launchChromium } from './helpers/browser.ts';
import { removeWorkDir, type RunningProduct, startProduct } from './helpers/product.ts';

const skip = chromiumMissing();
const HOUR = 3_600_000;

describe.skipIf(skip !== null)(`dashboard in headless Chromium against npm start --simulate${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let product: RunningProduct;
  let browser: Browser;

  beforeAll(async () => {
    product = await startProduct();
    browser = await launchChromium();
    // The start-up ETL run fills the database before the page is judged.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { run } = await (await fetch(`${product.url}/api/runs/latest`)).json();
      if (run && run.status !== 'running') break;
      if (Date.now() > deadline) throw new Error(`start-up run did not finish:\n${product.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
  afterAll(async () => {
    await browser?.close();
    await product?.stop();
    if (product) await removeWorkDir(product.cwd);
  });

  it('draws a chart with data for each of the eight default symbols, labelled as simulated', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(product.url);
    for (const symbol of DEFAULT_SYMBOLS) {
      const chart = page.locator(`[data-testid="chart-${symbol}"]`);
      await expect.poll(() => chart.getAttribute('data-last-ts'), { timeout: 15_000 }).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(await chart.locator('canvas').count()).toBeGreaterThan(0);
    }
    await expect.poll(() => page.getByTestId('simulated-badge').isVisible()).toBe(true);
    await expect.poll(() => page.getByTestId('freshness').textContent()).toMatch(/succeeded/i);
    await mkdir('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/dashboard-1280.png', fullPage: true });
    await page.close();
  });

  it('redraws with the new bar after an ETL run, without a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(product.url);
    const chart = page.locator('[data-testid="chart-BTC/USD"]');
    await expect.poll(() => chart.getAttribute('data-last-ts'), { timeout: 15_000 }).toMatch(/^\d{4}-/);
    const before = (await chart.getAttribute('data-last-ts'))!;
    await expect.poll(() => page.getByTestId('live-status').textContent()).toMatch(/live/i);
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));

    // An hour passes at the simulated exchange, then the hourly trigger fires.
    const simulatorUrl = /built-in Twelve Data simulator \((http:\/\/[^)]+)\)/.exec(product.output())![1]!;
    const clock = await fetch(`${simulatorUrl}/__sim/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceMs: HOUR }) });
    expect(clock.ok).toBe(true);
    const run = await fetch(`${product.url}/functions/v1/market-etl`, { method: 'POST', headers: { apikey: await product.secret() } });
    expect(run.status).toBe(200);
    expect((await run.json()).bars_upserted).toBeGreaterThan(0);

    await expect.poll(() => chart.getAttribute('data-last-ts'), { timeout: 5_000 }).not.toBe(before);
    const after = (await chart.getAttribute('data-last-ts'))!;
    expect(Date.parse(after) - Date.parse(before)).toBe(HOUR);
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
    await page.close();
  });
});
