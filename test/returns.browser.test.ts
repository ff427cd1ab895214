import { mkdir, readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SYMBOLS } from '../functions/_shared/config.ts';
import { chromiumMissing, launchChromium } from './helpers/browser.ts';
import { createDatabase, type TestDatabase } from './helpers/database.ts';
import { moveToMondayMorning } from './helpers/monday-morning.ts';
import { type RunningProduct, removeWorkDir, startProduct } from './helpers/product.ts';

/**
 * One definition of every return, end to end: on a Monday at 10:45 New York, each card, each entry
 * of the comparison's ranking and the SQL view market.comparison show the same return for every
 * symbol and range, at phone, desktop and wide-screen widths (which thin the chart points
 * differently, and must not move a single figure).
 */

const skip = chromiumMissing();
const ISO = /^\d{4}-\d{2}-\d{2}T/;
const RANGES = ['1D', '1W', '1M', '3M', '1Y', 'YTD', 'All'] as const;
/** The ranges market.comparison has columns for; 3M, 1Y and All come from market.returns(), which it reads. */
const VIEW_COLUMN: Record<string, string> = { '1D': 'return_1d', '1W': 'return_1w', '1M': 'return_1m', YTD: 'return_ytd' };

describe.skipIf(skip !== null)(`returns agree everywhere${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let db: TestDatabase;
  let product: RunningProduct;
  let browser: Browser;

  beforeAll(async () => {
    await mkdir('test-artifacts', { recursive: true });
    db = await createDatabase();
    product = await startProduct({ DATABASE_URL: db.url });
    browser = await launchChromium();
    await moveToMondayMorning(product);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await product?.stop();
    if (product) await removeWorkDir(product.cwd);
    await db?.drop();
  });

  async function open(width: number, query: string, height = 900): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(`${product.url}/${query}`);
    await expect.poll(() => page.getByTestId('chart-detail').getAttribute('data-last-ts'), { timeout: 15_000 }).toMatch(ISO);
    return page;
  }

  it('cards, the comparison ranking and market.comparison agree to the cent for every symbol and range, at 390, 1440 and 2560 px', async () => {
    const view = await db.sql<Record<string, unknown>[]>`select * from market.comparison where interval = '1h'`;
    const fromFunction = await db.sql<{ symbol: string; period: string; change_pct: number | null }[]>`
      select symbol, period, change_pct from market.returns(null, '1h')`;
    expect(view.map((r) => r.symbol).sort()).toEqual([...DEFAULT_SYMBOLS].sort());
    const expected = (symbol: string, range: string): number | null => {
      const own = fromFunction.find((r) => r.symbol === symbol && r.period === range)!.change_pct;
      const column = VIEW_COLUMN[range];
      if (column === undefined) return own;
      const value = view.find((r) => r.symbol === symbol)![column];
      // The view and the function are one definition: the same double.
      expect(value === null ? null : Number(value)).toBe(own);
      return own;
    };
    const cents = (v: number | null) => (v === null ? '—' : `${v > 0 ? '+' : ''}${v.toFixed(2)}%`);

    for (const width of [390, 1440, 2560]) {
      for (const range of RANGES) {
        const page = await open(width, `?range=${range}`);
        for (const symbol of DEFAULT_SYMBOLS) {
          const want = expected(symbol, range);
          const card = page.getByTestId(`change-${symbol}`);
          await expect.poll(() => card.getAttribute('data-change-pct'), { timeout: 15_000 }).toBe(want === null ? '' : String(want));
          // What the card prints, rounded to the cent (the en-US number format of the page).
          expect((await card.textContent())!.replace(/[▲▼\s]/g, '').replace(`${range}change`, '')).toBe(cents(want));
          const ranked = page.getByTestId(`rank-${symbol}`);
          if (want === null) expect(await ranked.count()).toBe(0);
          else expect(Number(await ranked.getAttribute('data-change-pct'))).toBe(want);
        }
        await page.close();
      }
    }
  }, 600_000);

  it('exports one CSV row per stored bar for 1Y of hourly BTC, and draws 1Y as daily candles by default', async () => {
    const page = await open(1440, '?symbol=BTC/USD&range=1Y&bars=1h');
    await expect.poll(() => page.getByTestId('detail-resolution').textContent()).toBe('1h');
    const firstShown = (await page.getByTestId('chart-detail').getAttribute('data-first-ts'))!;
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const saved = `test-artifacts/${file.suggestedFilename()}`;
    await file.saveAs(saved);
    const rows = (await readFile(saved, 'utf8'))
      .trimEnd()
      .split('\r\n')
      .filter((l) => !l.startsWith('#'))
      .slice(1);
    const stored = await db.sql<{ ts: Date }[]>`
      select ts from market.ssot where symbol = 'BTC/USD' and interval = '1h' and ts >= ${firstShown}::timestamptz order by ts`;
    // Far more than the chart's thinned points: every stored bar, once, in order.
    expect(Number(await page.getByTestId('chart-detail').getAttribute('data-points'))).toBeLessThan(stored.length);
    expect(rows.map((r) => r.split(',')[0])).toEqual(stored.map((b) => b.ts.toISOString()));
    await page.close();

    for (const theme of ['light', 'dark']) {
      for (const [width, height] of [
        [1440, 900],
        [390, 844],
      ] as const) {
        const candles = await open(width, `?symbol=AAPL&range=1Y&chart=candles&theme=${theme}`, height);
        await expect.poll(() => candles.getByTestId('detail-resolution').textContent()).toBe('1D');
        // About 250 sessions in a year: one candle each, not hourly bars.
        await expect.poll(async () => Number(await candles.getByTestId('chart-detail').getAttribute('data-points'))).toBeGreaterThan(240);
        expect(Number(await candles.getByTestId('chart-detail').getAttribute('data-points'))).toBeLessThan(262);
        await candles.screenshot({ path: `test-artifacts/returns-1Y-daily-candles-${width}-${theme}.png`, fullPage: true });
        await candles.close();
      }
    }
  }, 240_000);

  it('says where each return is measured from, and the detail header shows last price, change and the bar', async () => {
    const page = await open(1440, '?range=1D');
    const aapl = await db.sql<{ base_date: string }[]>`select base_date::text from market.returns(array['AAPL'], '1h') where period = '1D'`;
    const [y, m, d] = aapl[0]!.base_date.split('-').map(Number) as [number, number, number];
    // The page's locale is the browser's, en-US here: "Fri, Nov 27".
    const day = new Date(Date.UTC(y, m - 1, d)).toLocaleDateString('en-US', {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      timeZone: 'UTC',
    });
    expect(await page.getByTestId('base-AAPL').textContent()).toBe(`since ${day} close`);
    // A Monday morning: the previous session was Friday's (or Thursday's before a Friday holiday).
    expect(day).toMatch(/^(Fri|Thu)/);
    expect(await page.getByTestId('detail-quote').textContent()).toMatch(/\$[\d,]+\.\d{2}\s+[+-−]?[\d.]+%\s+since .* close · bar of /);
    for (const theme of ['light', 'dark']) {
      for (const [width, height] of [
        [1440, 900],
        [390, 844],
      ] as const) {
        const shot = await open(width, `?range=1D&theme=${theme}`, height);
        await expect.poll(() => shot.getByTestId('change-BTC/USD').getAttribute('data-change-pct')).not.toBe('');
        await shot.screenshot({ path: `test-artifacts/returns-1D-monday-${width}-${theme}.png`, fullPage: true });
        await shot.close();
      }
    }
    await page.close();
  }, 240_000);

  it('zooms with the wheel, keeps the zoom through a live update and in the URL, and resets on double-click', async () => {
    const page = await open(1440, '?symbol=BTC/USD&range=1W');
    const chart = page.getByTestId('chart-detail');
    await expect.poll(() => page.getByTestId('live-status').textContent()).toBe('live');
    // The plot area: the chart less its y axis on the left and the legend underneath.
    const whole = (await chart.boundingBox())!;
    const box = { x: whole.x + 90, y: whole.y + 20, width: whole.width - 110, height: 200 };
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    await expect.poll(() => chart.getAttribute('data-zoom')).toMatch(ISO);
    const zoom = (await chart.getAttribute('data-zoom'))!;
    const [from, to] = zoom.split('/');
    // A narrower window than the week of bars held.
    expect(Date.parse(to!) - Date.parse(from!)).toBeLessThan(
      Date.parse((await chart.getAttribute('data-last-ts'))!) - Date.parse((await chart.getAttribute('data-first-ts'))!),
    );
    await expect.poll(() => page.evaluate(() => location.search)).toMatch(/zoom=\d+-\d+/);
    // The panes' plot areas line up with the price plot's, so the shared crosshair is one vertical line.
    const plots = await page.evaluate(() =>
      ['chart-detail', 'chart-rsi', 'chart-macd'].map((id) => {
        const r = document.querySelector(`[data-testid="${id}"] .u-over`)?.getBoundingClientRect();
        return r ? [Math.round(r.left), Math.round(r.width)] : null;
      }),
    );
    expect(plots[0]).not.toBeNull();
    expect(plots[1]).toEqual(plots[0]);
    expect(plots[2]).toEqual(plots[0]);
    // Every pane shows the same window.
    expect(await page.getByTestId('chart-rsi').getAttribute('data-zoom')).toBe(zoom);
    // The crosshair's price is labelled on the y axis.
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.4);
    await expect.poll(() => page.getByTestId('crosshair-label').first().textContent()).toMatch(/^[\d,]+(\.\d+)?$/);

    const before = (await chart.getAttribute('data-last-ts'))!;
    const last = await product.settledRun();
    await product.advanceClock(3_600_000);
    await product.runEtl();
    await product.settledRun(last.etl_run_id + 1);
    try {
      await expect.poll(() => chart.getAttribute('data-last-ts'), { timeout: 15_000 }).not.toBe(before);
    } catch (error) {
      // What the database and the page held when the redraw did not come, for the CI log.
      const runs = await db.sql`select etl_run_id, status, trigger, finished_at, bars_upserted from market.etl_run order by 1`;
      const [btc] = await db.sql`select max(ts) as newest from market.ssot where symbol = 'BTC/USD' and interval = '1h'`;
      console.error('no redraw after the run', { before, last, runs, btc, status: await page.getByTestId('live-status').textContent() });
      throw error;
    }
    // The new bar arrived; the window shown is still the one zoomed to.
    expect(await chart.getAttribute('data-zoom')).toBe(zoom);

    await page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => chart.getAttribute('data-zoom')).toBeNull();
    await expect.poll(() => page.evaluate(() => location.search)).not.toMatch(/zoom=/);
    await page.close();
  }, 120_000);
});
