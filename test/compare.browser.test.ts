import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SYMBOLS } from '../functions/_shared/config.ts';
import { utcFromWallClock, wallClockAt } from '../functions/_shared/time.ts';
import { chromiumMissing, launchChromium } from './helpers/browser.ts';
import { createDatabase, type TestDatabase } from './helpers/database.ts';
import { moveToMondayMorning } from './helpers/monday-morning.ts';
import { type RunningProduct, removeWorkDir, startProduct } from './helpers/product.ts';

/**
 * The comparison an analyst expects, in Chromium against a real product on a Monday at 10:45 New
 * York: symbols and a benchmark picked with the page's controls and kept in the URL; a legend that
 * shows every line at a time on Sunday (stocks at their Friday close, crypto at that hour); each
 * line ending at its card's return; one calendar span for stocks and crypto.
 */

const skip = chromiumMissing();
const ISO = /^\d{4}-\d{2}-\d{2}T/;
const NY = 'America/New_York';
const RANGES = ['1D', '1W', '1M', '3M', '1Y', 'YTD', 'All'] as const;
const cents = (v: number) => v.toFixed(2);

/** Day of the week (0: Sunday) of an instant on New York's calendar. */
function weekdayInNewYork(ms: number): number {
  const c = wallClockAt(ms, NY);
  return new Date(Date.UTC(c.year, c.month - 1, c.day)).getUTCDay();
}

describe.skipIf(skip !== null)(`the comparison${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let db: TestDatabase;
  let product: RunningProduct;
  let browser: Browser;
  let monday = 0;

  beforeAll(async () => {
    db = await createDatabase();
    product = await startProduct({ DATABASE_URL: db.url });
    browser = await launchChromium();
    monday = await moveToMondayMorning(product);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await product?.stop();
    if (product) await removeWorkDir(product.cwd);
    await db?.drop();
  });

  async function open(query: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${product.url}/${query}`);
    await expect.poll(() => page.getByTestId('chart-compare').getAttribute('data-last-ts'), { timeout: 15_000 }).toMatch(ISO);
    return page;
  }

  async function returnsOf(range: string) {
    const rows = await db.sql<
      { symbol: string; change_pct: number | null; base_ts: Date | null; base_close: number | null; as_of: Date }[]
    >`
      select symbol, change_pct, base_ts, base_close, as_of from market.returns(null, '1h') where period = ${range}`;
    return new Map(rows.map((r) => [r.symbol, r]));
  }

  it('picks symbols and a benchmark with labelled controls, keeps them in the URL, and ranks each against the benchmark', async () => {
    const page = await open('?range=1W');
    const panel = page.getByRole('region', { name: /Comparison/ });
    const keep = ['AAPL', 'MSFT', 'ETH/USD'];
    for (const symbol of DEFAULT_SYMBOLS.filter((s) => !keep.includes(s))) {
      const box = panel.getByRole('checkbox', { name: symbol, exact: true });
      await box.uncheck();
      // The whole label is the target, at least 24 px tall.
      const label = page.locator('.compare-controls label.check', { has: page.getByTestId(`compare-pick-${symbol}`) });
      expect((await label.boundingBox())!.height).toBeGreaterThanOrEqual(24);
    }
    const benchmark = panel.getByRole('combobox', { name: 'Benchmark' });
    expect((await benchmark.boundingBox())!.height).toBeGreaterThanOrEqual(24);
    await benchmark.selectOption('BTC/USD');

    const param = (name: string) => page.evaluate((n) => new URLSearchParams(location.search).get(n), name);
    await expect.poll(() => param('benchmark')).toBe('BTC/USD');
    expect(await param('compare')).toBe('AAPL,MSFT,ETH/USD');
    // Readable in the address bar: no %2F or %2C.
    expect(await page.evaluate(() => location.search)).toContain('compare=AAPL,MSFT,ETH/USD&benchmark=BTC/USD');
    const chart = page.getByTestId('chart-compare');
    await expect.poll(() => chart.getAttribute('data-symbols')).toBe('AAPL,MSFT,BTC/USD,ETH/USD');
    expect(await chart.getAttribute('data-benchmark')).toBe('BTC/USD');
    expect(await page.getByTestId('compare-item-BTC/USD').textContent()).toMatch(/BTC\/USD \(benchmark\)/);

    // Each compared symbol's lead or lag on the benchmark, in percentage points, from the database's returns.
    const returns = await returnsOf('1W');
    const btc = returns.get('BTC/USD')!.change_pct!;
    for (const symbol of ['AAPL', 'MSFT', 'ETH/USD']) {
      const rank = page.getByTestId(`rank-${symbol}`);
      const want = returns.get(symbol)!.change_pct! - btc;
      expect(cents(Number(await rank.getAttribute('data-vs-benchmark')))).toBe(cents(want));
      expect(await page.getByTestId(`vs-benchmark-${symbol}`).textContent()).toBe(
        `${want > 0 ? '+' : want < 0 ? '\u2212' : ''}${Math.abs(want).toFixed(2)} pp vs BTC/USD`,
      );
    }
    expect(await page.getByTestId('rank-BTC/USD').textContent()).toMatch(/benchmark/);
    // Best and worst are among the compared symbols; the benchmark is the yardstick.
    const ranked = [...keep].sort((a, b) => returns.get(b)!.change_pct! - returns.get(a)!.change_pct!);
    const performers = (await page.getByTestId('performers').textContent())!;
    expect(performers).toMatch(new RegExp(`Best\\s*${ranked[0]}`));
    expect(performers).toMatch(new RegExp(`Worst\\s*${ranked.at(-1)}`));
    expect(await page.getByTestId('rank-GOOGL').count()).toBe(0);

    await mkdir('test-artifacts', { recursive: true });
    await panel.screenshot({ path: 'test-artifacts/compare-benchmark-1440-dark.png' });

    // A link with the choice opens it again.
    const again = await open(`?range=1W&compare=AAPL,MSFT,ETH/USD&benchmark=BTC/USD`);
    await expect.poll(() => again.getByTestId('chart-compare').getAttribute('data-symbols')).toBe('AAPL,MSFT,BTC/USD,ETH/USD');
    expect(await again.getByTestId('compare-pick-GOOGL').isChecked()).toBe(false);
    expect(await again.getByTestId('compare-pick-AAPL').isChecked()).toBe(true);
    await again.close();
    await page.close();
  }, 120_000);

  it('hovering a time on Sunday shows every line: stocks at their Friday close, crypto at that hour', async () => {
    // 1W: the hourly bars are not thinned at this width, so the page holds every bar the database does.
    const page = await open('?range=1W');
    const chart = page.getByTestId('chart-compare');
    // Each symbol's bars arrive on their own; wait for all of them.
    await expect.poll(() => chart.getAttribute('data-symbols'), { timeout: 15_000 }).toBe(DEFAULT_SYMBOLS.join(','));
    const symbols = [...DEFAULT_SYMBOLS];
    // Sunday noon in New York, the day before the simulated Monday.
    const sunday = wallClockAt(monday - 86_400_000, NY);
    const noon = utcFromWallClock({ ...sunday, hour: 12, minute: 0, second: 0 }, NY) / 1000;
    expect(weekdayInNewYork(noon * 1000)).toBe(0);

    // The x axis is calendar time from the chart's first to its last time: the pixel for Sunday noon.
    const time = page.getByTestId('compare-legend-time');
    const hoverNoon = async () => {
      const first = Date.parse((await chart.getAttribute('data-first-ts'))!) / 1000;
      const last = Date.parse((await chart.getAttribute('data-last-ts'))!) / 1000;
      expect(first).toBeLessThan(noon);
      await chart.scrollIntoViewIfNeeded();
      const plot = (await chart.locator('.u-over').boundingBox())!;
      await page.mouse.move(plot.x + ((noon - first) / (last - first)) * plot.width, plot.y + plot.height / 2);
      return Math.abs(Number(await time.getAttribute('data-t')) - noon);
    };
    // Moved again until it lands: a late answer may redraw the chart under a still pointer.
    await expect.poll(hoverNoon).toBeLessThan(3600);
    const t = Number(await time.getAttribute('data-t'));
    expect(weekdayInNewYork(t * 1000)).toBe(0);
    expect(await time.textContent()).not.toMatch(/Latest/);

    const returns = await returnsOf('1W');
    for (const symbol of symbols) {
      const [bar] = await db.sql<{ ts: Date; close: number; asset_type: string }[]>`
        select s.ts, s.close, a.asset_type from market.ssot as s join market.asset as a using (symbol)
         where s.symbol = ${symbol} and s.interval = '1h' and s.ts <= to_timestamp(${t})
         order by s.ts desc limit 1`;
      const base = returns.get(symbol)!.base_close!;
      const want = 100 * (bar!.close / base - 1);
      const value = page.getByTestId(`compare-value-${symbol}`);
      // A value for every line, stocks included, however its bars fall against the cursor's time.
      expect(await value.getAttribute('data-value')).not.toBe('');
      expect(cents(Number(await value.getAttribute('data-value')))).toBe(cents(want));
      if (bar!.asset_type === 'stock') {
        // The last bar before the weekend: Friday's last session bar (15:30, or 12:30 on an early close;
        // Thursday's before a Friday holiday), opened on the half hour.
        expect([4, 5]).toContain(weekdayInNewYork(bar!.ts.getTime()));
        expect(wallClockAt(bar!.ts.getTime(), NY).minute).toBe(30);
      } else {
        // Crypto's own hour on Sunday.
        expect(t - bar!.ts.getTime() / 1000).toBeLessThan(3600);
      }
    }

    await mkdir('test-artifacts', { recursive: true });
    await page.getByRole('region', { name: /Comparison/ }).screenshot({ path: 'test-artifacts/compare-sunday-hover-1440-dark.png' });

    // Off the chart, the legend shows the newest values again.
    await page.mouse.move(1, 1);
    await expect.poll(() => time.textContent()).toMatch(/^Latest/);
    await page.close();
  }, 120_000);

  it("each line ends at its card's return to the cent, over one calendar span for stocks and crypto, in every range", async () => {
    for (const range of RANGES) {
      const page = await open(`?range=${range}`);
      const returns = await returnsOf(range);
      const chart = page.getByTestId('chart-compare');
      // Every symbol with a return is drawn, once its bars have arrived.
      const drawn = DEFAULT_SYMBOLS.filter((s) => returns.get(s)!.change_pct !== null);
      await expect.poll(() => chart.getAttribute('data-symbols'), { timeout: 15_000 }).toBe(drawn.join(','));
      for (const symbol of drawn) {
        const card = page.getByTestId(`change-${symbol}`);
        await expect.poll(() => card.getAttribute('data-change-pct'), { timeout: 15_000 }).not.toBe('');
        const end = Number(await page.getByTestId(`compare-item-${symbol}`).getAttribute('data-end-pct'));
        expect(cents(end), `${symbol} ${range}`).toBe(cents(Number(await card.getAttribute('data-change-pct'))));
        expect(cents(end)).toBe(cents(returns.get(symbol)!.change_pct!));
        // Not hovering: the legend's value is the line's end.
        expect(Number(await page.getByTestId(`compare-value-${symbol}`).getAttribute('data-value'))).toBe(end);
      }
      // The time axis runs from the earliest base among them to the newest bar of any.
      const bases = drawn.map((s) => returns.get(s)!.base_ts!.getTime());
      const newest = drawn.map((s) => returns.get(s)!.as_of.getTime());
      expect(Date.parse((await chart.getAttribute('data-first-ts'))!), range).toBe(Math.min(...bases));
      expect(Date.parse((await chart.getAttribute('data-last-ts'))!), range).toBe(Math.max(...newest));
      await page.close();
    }
  }, 240_000);
});
