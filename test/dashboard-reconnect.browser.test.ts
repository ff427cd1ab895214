import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './helpers/browser.ts';
import { productInBrowser } from './helpers/product.ts';

const skip = chromiumMissing();
const HOUR = 3_600_000;

describe.skipIf(skip !== null)(`dashboard across a server restart${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const running = productInBrowser();

  it('reconnects after the server restarts and catches up on bars that landed while it was away', async () => {
    const page = await running.browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Polling would also catch up; an hour between polls leaves the reconnect to do it.
    await page.goto(`${running.product.url}/?symbol=ETH/USD&poll=3600`);
    const chart = page.locator('[data-testid="chart-BTC/USD"]');
    await expect.poll(() => chart.getAttribute('data-last-ts'), { timeout: 15_000 }).toMatch(/^\d{4}-/);
    await expect.poll(() => page.getByTestId('live-status').textContent()).toBe('live');
    const before = (await chart.getAttribute('data-last-ts'))!;
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));

    // Hold the page's reconnection attempts back until bars have landed behind its back.
    await page.route('**/api/stream', (route) => route.abort());
    const lastRun = await running.product.settledRun();
    await running.product.restart();
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 10_000 }).not.toBe('live');
    await running.product.settledRun(lastRun.etl_run_id + 1);
    await running.product.advanceClock(3 * HOUR);
    const run = await running.product.runEtl();
    expect(run.bars_upserted).toBeGreaterThan(0);
    const { rows } = await (await fetch(`${running.product.url}/api/latest`)).json();
    const newest = new Date(rows.find((r: { symbol: string }) => r.symbol === 'BTC/USD').ts).toISOString();
    expect(Date.parse(newest)).toBeGreaterThanOrEqual(Date.parse(before) + 3 * HOUR);
    expect(await chart.getAttribute('data-last-ts')).toBe(before);

    await page.unroute('**/api/stream');
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 20_000 }).toBe('live');
    await expect.poll(() => chart.getAttribute('data-last-ts'), { timeout: 5_000 }).toBe(newest);
    await expect.poll(() => page.getByTestId('chart-detail').getAttribute('data-last-ts')).not.toBe(null);
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);

    // Live again: the next run reaches the page through the new stream.
    await running.product.advanceClock(HOUR);
    expect((await running.product.runEtl()).bars_upserted).toBeGreaterThan(0);
    await expect
      .poll(() => chart.getAttribute('data-last-ts'), { timeout: 2_000, interval: 50 })
      .toBe(new Date(Date.parse(newest) + HOUR).toISOString());
    await page.close();
    // A restart of the whole product (its database, migrations and start-up run) and three runs: on a
    // loaded machine that alone came to 46 s, and once passed the default 60 s.
  }, 120_000);
});
