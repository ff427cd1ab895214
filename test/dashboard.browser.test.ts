import { mkdir, readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SYMBOLS } from '../functions/_shared/config.ts';
import { chromiumMissing } from './helpers/browser.ts';
import { productInBrowser } from './helpers/product.ts';

const skip = chromiumMissing();
const HOUR = 3_600_000;
const ISO = /^\d{4}-\d{2}-\d{2}T/;

describe.skipIf(skip !== null)(`dashboard in headless Chromium against npm start --simulate${skip ? ` (skipped: ${skip})` : ''}`, () => {
  // The start-up ETL run fills the database before the page is judged.
  const running = productInBrowser();
  beforeAll(async () => {
    await mkdir('test-artifacts', { recursive: true });
  });

  async function open(width: number, query = ''): Promise<Page> {
    const page = await running.browser.newPage({ viewport: { width, height: 900 }, acceptDownloads: true });
    await page.goto(`${running.product.url}/${query}`);
    await expect.poll(() => page.getByTestId('chart-detail').getAttribute('data-last-ts'), { timeout: 15_000 }).toMatch(ISO);
    return page;
  }

  const attr = (page: Page, testId: string, name: string) => page.locator(`[data-testid="${testId}"]`).getAttribute(name);

  /** Records, in every document the page loads, when the big chart first drew (`window.drawnAt`). */
  async function recordFirstDraw(page: Page): Promise<void> {
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (!document.querySelector('[data-testid="chart-detail"][data-last-ts]')) return;
        (window as unknown as { drawnAt: number }).drawnAt = performance.now();
        observer.disconnect();
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-last-ts'] });
    });
  }

  it('draws a chart with data for each of the eight default symbols, labelled as simulated', async () => {
    const page = await running.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(running.product.url);
    for (const symbol of DEFAULT_SYMBOLS) {
      const chart = page.locator(`[data-testid="chart-${symbol}"]`);
      await expect.poll(() => chart.getAttribute('data-last-ts'), { timeout: 15_000 }).toMatch(ISO);
      expect(await chart.locator('canvas').count()).toBeGreaterThan(0);
    }
    await expect.poll(() => page.getByTestId('simulated-badge').isVisible()).toBe(true);
    await expect.poll(() => page.getByTestId('freshness').textContent()).toMatch(/succeeded/i);
    await expect.poll(() => page.getByTestId('chart-compare').getAttribute('data-symbols')).toBe(DEFAULT_SYMBOLS.join(','));
    expect(await page.getByTestId('performers').textContent()).toMatch(/Best.*Worst/);
    await page.screenshot({ path: 'test-artifacts/dashboard-1280.png', fullPage: true });
    await page.close();
  });

  it("comes with its first reads' answers written in, and draws its first chart without a request of its own", async () => {
    const page = await running.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await recordFirstDraw(page);
    await page.goto(`${running.product.url}/?range=All&symbol=MSFT`);
    const inPage = await page.evaluate(() => document.getElementById('market-pulse-answers')?.textContent ?? null);
    const answers = JSON.parse(inPage!) as Record<string, unknown>;
    const written = Object.keys(answers);
    expect(written).toEqual(['/api/returns?interval=1h', '/api/latest?interval=1h', '/api/bars?symbols=MSFT&resolution=1week&interval=1h']);
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { drawnAt?: number }).drawnAt), { timeout: 15_000 })
      .toBeGreaterThan(0);
    const { drawnAt, entries, firstTs } = await page.evaluate(() => ({
      drawnAt: (window as unknown as { drawnAt: number }).drawnAt,
      entries: performance.getEntriesByType('resource').map((e) => {
        const url = new URL(e.name);
        return { url: url.pathname + url.search, at: e.startTime };
      }),
      firstTs: document.querySelector('[data-testid="chart-detail"]')?.getAttribute('data-first-ts') ?? null,
    }));
    // Not asked for to draw: any request for them (a live catch-up) came after the chart drew.
    for (const url of written) for (const own of entries.filter((e) => e.url === url)) expect(own.at, url).toBeGreaterThan(drawnAt);
    // And drawn from them: the chart starts at the written weekly bars' first bar.
    const bars = answers[written[2]!] as { series: { ts: number[] }[] };
    expect(Date.parse(firstTs!) / 1000).toBe(bars.series[0]!.ts[0]);
    // The configuration came written into the page, exactly as /api/config answers it: not asked for at all.
    const config = await page.evaluate(() => document.getElementById('market-pulse-config')?.textContent ?? null);
    expect(JSON.parse(config!)).toEqual(await (await fetch(`${running.product.url}/api/config`)).json());
    expect(entries.filter((e) => e.url === '/api/config')).toEqual([]);
    await page.close();
  });

  it("asks for its first reads itself when shown again by Back: the stored page's answers are as old as that visit", async () => {
    const page = await running.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await recordFirstDraw(page);
    const drawn = () =>
      expect.poll(() => page.evaluate(() => (window as unknown as { drawnAt?: number }).drawnAt), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.goto(`${running.product.url}/?range=All&symbol=AAPL`);
    await drawn();
    await page.goto(`${running.product.url}/api/config`);
    await page.goBack();
    await drawn();
    const { type, drawnAt, asked } = await page.evaluate(() => ({
      type: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).type,
      drawnAt: (window as unknown as { drawnAt: number }).drawnAt,
      asked: performance.getEntriesByType('resource').map((e) => {
        const url = new URL(e.name);
        // 0 when the browser answered from its cache without asking the server (a 304 has headers).
        return { url: url.pathname + url.search, at: e.startTime, transferred: (e as PerformanceResourceTiming).transferSize };
      }),
    }));
    expect(type).toBe('back_forward');
    // Asked of the server, not taken from the browser's cache: the first visit's catch-up fetched
    // these very URLs, and Chromium hands a history navigation's reads their cached answers as they are.
    for (const url of ['/api/bars?symbols=AAPL&resolution=1week&interval=1h', '/api/latest?interval=1h', '/api/returns?interval=1h']) {
      const first = asked.filter((e) => e.url === url && e.at < drawnAt);
      expect(first, url).toHaveLength(1);
      expect(first[0]!.transferred, url).toBeGreaterThan(0);
    }
    await page.close();
  });

  it('works 390 px wide, in the dark theme, with every chart inside the viewport', async () => {
    const page = await open(390, '?theme=dark&chart=candles');
    for (const symbol of DEFAULT_SYMBOLS) {
      await expect.poll(() => attr(page, `chart-${symbol}`, 'data-last-ts'), { timeout: 15_000 }).toMatch(ISO);
    }
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    // Nothing wider than the phone: no sideways scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const box = await page.getByTestId('chart-detail').boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: 'test-artifacts/dashboard-390.png', fullPage: true });
    await page.close();
  });

  it('draws candles with Bollinger bands and EMAs, in the dark theme, at 1280 px', async () => {
    const page = await open(1280, '?symbol=BTC/USD&range=1W&chart=candles&overlays=ema,bb&theme=dark');
    const legend = await page.getByTestId('chart-detail').locator('.u-legend').textContent();
    for (const label of ['Open', 'High', 'Low', 'Close', 'EMA 12', 'EMA 26', 'BB upper', 'BB lower']) expect(legend).toContain(label);
    expect(legend).not.toContain('Volume');
    await page.getByTestId('chart-detail').screenshot({ path: 'test-artifacts/dashboard-1280-candles-dark.png' });
    await page.close();
  });

  it("switches range and symbol, refetching a window the server downsampled to the chart's width", async () => {
    const page = await open(1280);
    const newest = Date.parse((await attr(page, 'chart-detail', 'data-last-ts'))!);

    await page.getByTestId('range-1W').click();
    await expect
      .poll(async () => Date.parse((await attr(page, 'chart-detail', 'data-first-ts'))!))
      .toBeGreaterThanOrEqual(newest - 7 * 24 * HOUR);
    expect(new URL(page.url()).searchParams.get('range')).toBe('1W');

    // All is drawn as weekly bars by default; asked for hourly bars, everything the start-up run
    // loaded (5000 hourly bars of crypto) comes back as about one point per pixel.
    await page.getByTestId('symbol-picker').selectOption('BTC/USD');
    await page.getByTestId('range-All').click();
    await expect.poll(() => attr(page, 'chart-detail', 'data-symbol')).toBe('BTC/USD');
    await expect.poll(() => page.getByTestId('detail-resolution').textContent()).toBe('1W');
    await page.getByTestId('bars-1h').click();
    await expect.poll(() => page.getByTestId('detail-resolution').textContent()).toBe('1h');
    await expect.poll(async () => Date.parse((await attr(page, 'chart-detail', 'data-first-ts'))!)).toBeLessThan(newest - 150 * 24 * HOUR);
    const points = Number(await attr(page, 'chart-detail', 'data-points'));
    const width = (await page.getByTestId('chart-detail').boundingBox())!.width;
    expect(points).toBeGreaterThan(100);
    expect(points).toBeLessThanOrEqual(Math.round(width * 1.3));
    expect(await attr(page, 'chart-detail', 'data-last-ts')).toBe(await attr(page, 'chart-BTC/USD', 'data-last-ts'));

    // A card's symbol button focuses it too; the URL holds the view for sharing.
    await page.getByRole('button', { name: 'ETH/USD', exact: true }).click();
    await expect.poll(() => attr(page, 'chart-detail', 'data-symbol')).toBe('ETH/USD');
    const shared = new URL(page.url()).search;
    expect(shared).toBe('?symbol=ETH/USD&range=All&bars=1h');
    const again = await open(1280, shared);
    expect(await attr(again, 'chart-detail', 'data-symbol')).toBe('ETH/USD');
    await again.close();
    await page.close();
  });

  it('is usable from the keyboard: arrow keys change the range, the crosshair moves along the chart', async () => {
    const page = await open(1280);
    await page.getByTestId('range-1M').locator('input').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => new URL(page.url()).searchParams.get('range')).toBe('3M');
    // The 3M bars are drawn (the chart may still have been loading them when the URL changed).
    await expect
      .poll(async () => {
        const first = Date.parse((await attr(page, 'chart-detail', 'data-first-ts')) ?? '');
        const last = Date.parse((await attr(page, 'chart-detail', 'data-last-ts')) ?? '');
        const days = (last - first) / 86_400_000;
        return days > 60 && days < 100;
      })
      .toBe(true);
    await page.getByTestId('chart-detail').focus();
    // The live legend now shows the newest bar's values instead of dashes. End is pressed again
    // while polling: a redraw that lands between the key and the check resets the crosshair.
    await expect
      .poll(async () => {
        await page.keyboard.press('End');
        return await page.getByTestId('chart-detail').locator('.u-legend .u-series').first().textContent();
      })
      .not.toMatch(/--|—/);
    await page.close();
  });

  it('downloads a CSV holding exactly the rows the chart shows', async () => {
    const page = await open(1280, '?symbol=AAPL&range=1W');
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    expect(file.suggestedFilename()).toMatch(/^market-pulse_AAPL_1W-1h_.*\.csv$/);
    const saved = `test-artifacts/${file.suggestedFilename()}`;
    await file.saveAs(saved);
    const all = (await readFile(saved, 'utf8')).trimEnd().split('\r\n');
    // Comment lines say what the file holds (symbol, bar size, zones, that time is the bar open).
    const comments = all.filter((l) => l.startsWith('#'));
    expect(comments.join('\n')).toMatch(/AAPL, 1h bars[\s\S]*bar open[\s\S]*America\/New_York/);
    const lines = all.slice(comments.length);
    expect(lines[0]).toBe('time_utc,time_exchange,open,high,low,close,volume');
    // A week of hourly bars is not thinned: the file's rows are the chart's points.
    expect(lines.length - 1).toBe(Number(await attr(page, 'chart-detail', 'data-points')));
    expect(lines[1]!.split(',')[0]).toBe(await attr(page, 'chart-detail', 'data-first-ts'));
    expect(lines.at(-1)!.split(',')[0]).toBe(await attr(page, 'chart-detail', 'data-last-ts'));
    await page.close();
  });

  it('redraws with the new bar within 2 seconds of an ETL run, without a reload', async () => {
    const page = await open(1280, '?symbol=BTC/USD');
    const chart = page.locator('[data-testid="chart-BTC/USD"]');
    // The cards are built after the big chart has drawn.
    await expect.poll(() => chart.getAttribute('data-last-ts'), { timeout: 15_000 }).toMatch(ISO);
    const before = (await chart.getAttribute('data-last-ts'))!;
    await expect.poll(() => page.getByTestId('live-status').textContent()).toBe('live');
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));

    // An hour passes at the simulated exchange, then the hourly trigger fires.
    await running.product.advanceClock(HOUR);
    const run = await running.product.runEtl();
    expect(run.bars_upserted).toBeGreaterThan(0);

    await expect.poll(() => chart.getAttribute('data-last-ts'), { timeout: 2_000, interval: 50 }).not.toBe(before);
    const after = (await chart.getAttribute('data-last-ts'))!;
    expect(Date.parse(after) - Date.parse(before)).toBe(HOUR);
    await expect.poll(() => attr(page, 'chart-detail', 'data-last-ts'), { timeout: 2_000, interval: 50 }).toBe(after);
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
    await page.close();
  });
});
