import { mkdir } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { utcToWall } from '../simulator/zone-oracle.ts';
import { chromiumMissing } from './helpers/browser.ts';
import { productInBrowser } from './helpers/product.ts';

/**
 * Time zones and locale, end to end: the same known bar read on New York's clock, on UTC and on the
 * browser's own (Tokyo here, so all three differ), in the detail header, the legend under the
 * crosshair and the time axis; and a German browser printing decimal commas on cards and axes.
 * Expected wall-clock times come from the simulator's own zone code (simulator/zone-oracle.ts), not
 * from the Intl data the page formats with.
 */

const skip = chromiumMissing();
const ISO = /^\d{4}-\d{2}-\d{2}T/;

/** "HH:MM" of an instant on a zone's wall clock, by the oracle. */
function hhmm(iso: string, zone: string): string {
  const wall = new Date(utcToWall(zone, Date.parse(iso)));
  return `${String(wall.getUTCHours()).padStart(2, '0')}:${String(wall.getUTCMinutes()).padStart(2, '0')}`;
}

describe.skipIf(skip !== null)(`time zones and locale in Chromium${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const running = productInBrowser();
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    await mkdir('test-artifacts', { recursive: true });
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  async function open(query: string, options: { locale?: string; timezoneId?: string } = {}): Promise<Page> {
    context = await running.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', ...options });
    const page = await context.newPage();
    await page.goto(`${running.product.url}/${query}`);
    await expect.poll(() => page.getByTestId('chart-detail').getAttribute('data-last-ts'), { timeout: 15_000 }).toMatch(ISO);
    return page;
  }

  const ticksOf = async (page: Page, testId: string, axis: 'x' | 'y') =>
    ((await page.getByTestId(testId).getAttribute(`data-${axis}-ticks`)) ?? '').split('|').filter((t) => t !== '');

  /** The legend's time under the crosshair, moved to the newest bar with End (again while polling: a redraw resets it). */
  async function legendTimeAtEnd(page: Page): Promise<string> {
    const chart = page.getByTestId('chart-detail');
    await chart.focus();
    let text = '';
    await expect
      .poll(async () => {
        await page.keyboard.press('End');
        text = (await chart.locator('.u-legend .u-series').first().textContent()) ?? '';
        return text;
      })
      .not.toMatch(/—/);
    return text;
  }

  /** Minutes after midnight of an "HH:MM …" tick label. */
  const minutes = (label: string) => {
    const m = /^(\d{2}):(\d{2})/.exec(label);
    expect(m, `an hour label, got "${label}"`).not.toBeNull();
    return Number(m![1]) * 60 + Number(m![2]);
  };
  /** How many minutes `zone`'s clock is ahead of UTC at `iso`, by the oracle. */
  const offsetMinutes = (iso: string, zone: string) => (utcToWall(zone, Date.parse(iso)) - Date.parse(iso)) / 60_000;

  it("switching the zone moves the detail header, the legend and the 1D axis's hours to the known bar's wall clock", async () => {
    // The browser's own zone is Tokyo, so exchange (New York), local and UTC all read differently.
    const page = await open('?symbol=AAPL&range=1D', { timezoneId: 'Asia/Tokyo' });
    const asOf = page.getByTestId('detail-as-of');
    await expect.poll(() => asOf.getAttribute('datetime'), { timeout: 15_000 }).toMatch(ISO);
    const bar = (await asOf.getAttribute('datetime'))!;
    const last = (await page.getByTestId('chart-detail').getAttribute('data-last-ts'))!;
    // The default is the exchange's clock, and says so (EST or EDT, whichever the bar had).
    expect(new URL(page.url()).searchParams.has('tz')).toBe(false);
    expect(await page.getByTestId('tz-picker').inputValue()).toBe('exchange');
    // A labelled select, big enough to hit.
    expect(await page.getByLabel('Times').inputValue()).toBe('exchange');
    expect((await page.getByTestId('tz-picker').boundingBox())!.height).toBeGreaterThanOrEqual(24);
    expect(await asOf.textContent()).toMatch(new RegExp(`, ${hhmm(bar, 'America/New_York')} New York time \\(E[SD]T\\)$`));
    expect(await page.getByTestId('detail-zone').textContent()).toMatch(/^Times: New York time \(E[SD]T\)$/);
    const nyLegend = await legendTimeAtEnd(page);
    expect(nyLegend).toMatch(/^New York time \(E[SD]T\)/);
    expect(nyLegend).toContain(hhmm(last, 'America/New_York'));
    // 1D is hours on the axis (a session or two), never dates or NaN.
    const nyTicks = await ticksOf(page, 'chart-detail', 'x');
    expect(nyTicks.length).toBeGreaterThan(1);
    for (const t of nyTicks) expect(t).toMatch(/^\d{2}:\d{2}( \w{3} \d{1,2})?$/);
    // A card's "bar of" is on its own exchange's clock too.
    expect(await page.getByTestId('card-asof-AAPL').textContent()).toMatch(/New York time \(E[SD]T\)$/);
    expect(await page.getByTestId('card-asof-BTC/USD').textContent()).toMatch(/ UTC$/);
    // The comparison (five stocks, three crypto pairs) reads New York's clock; its legend says so.
    const compareLegend = page.getByTestId('compare-legend-time');
    await expect.poll(() => compareLegend.textContent()).toMatch(/New York time \(E[SD]T\)$/);

    await page.getByTestId('tz-picker').selectOption('utc');
    await expect.poll(() => new URL(page.url()).searchParams.get('tz')).toBe('utc');
    await expect.poll(() => asOf.textContent()).toMatch(new RegExp(`, ${hhmm(bar, 'UTC')} UTC$`));
    expect(await legendTimeAtEnd(page)).toMatch(new RegExp(`^UTC.*${hhmm(last, 'UTC')}`));
    const utcTicks = await ticksOf(page, 'chart-detail', 'x');
    // The same ticks (the axis places them by bar), each read the zone's offset later.
    expect(utcTicks).toHaveLength(nyTicks.length);
    const nyOffset = offsetMinutes(bar, 'America/New_York');
    expect(utcTicks.map((t, i) => (minutes(t) - minutes(nyTicks[i]!) + nyOffset + 1440) % 1440)).toEqual(utcTicks.map(() => 0));
    expect(await page.getByTestId('card-asof-AAPL').textContent()).toMatch(/ UTC$/);
    await expect.poll(() => compareLegend.textContent()).toMatch(/ UTC$/);

    await page.getByTestId('tz-picker').selectOption('local');
    await expect.poll(() => new URL(page.url()).searchParams.get('tz')).toBe('local');
    await expect.poll(() => asOf.textContent()).toMatch(new RegExp(`, ${hhmm(bar, 'Asia/Tokyo')} your time \\(GMT\\+9\\)$`));
    expect(await legendTimeAtEnd(page)).toMatch(new RegExp(`^your time \\(GMT\\+9\\).*${hhmm(last, 'Asia/Tokyo')}`));
    const tokyoTicks = await ticksOf(page, 'chart-detail', 'x');
    expect(tokyoTicks.map((t, i) => (minutes(t) - minutes(utcTicks[i]!) - 9 * 60 + 1440) % 1440)).toEqual(tokyoTicks.map(() => 0));
    await page.screenshot({ path: 'test-artifacts/timezones-1D-local-tokyo.png', fullPage: true });

    // The choice is in the link; a zone that is not offered is ignored, not an error.
    await page.goto(`${running.product.url}/?symbol=AAPL&range=1D&tz=utc`);
    await expect.poll(() => page.getByTestId('detail-as-of').textContent(), { timeout: 15_000 }).toMatch(/ UTC$/);
    expect(await page.getByTestId('tz-picker').inputValue()).toBe('utc');
    await page.goto(`${running.product.url}/?symbol=BTC/USD&tz=Mars/Olympus`);
    await expect.poll(() => page.getByTestId('detail-as-of').textContent(), { timeout: 15_000 }).toMatch(/ UTC$/);
    expect(await page.getByTestId('tz-picker').inputValue()).toBe('exchange');
  }, 120_000);

  for (const [locale, number, percent] of [
    // en-US: $1,234.56 and +1.23%; de-DE: 1.234,56 $ and +1,23 % (a no-break space before the signs).
    ['en-US', /^\$\d{1,3}(,\d{3})*\.\d{2}$/, /^[+-]?\d+\.\d{2}%$/],
    ['de-DE', /^\d{1,3}(\.\d{3})*,\d{2}\u00a0\$$/, /^[+-]?\d+,\d{2}\u00a0%$/],
  ] as const) {
    it(`${locale}: one number format on cards, the axes and the crosshair label`, async () => {
      const page = await open('?symbol=AAPL&range=1D', { locale });
      await expect.poll(() => page.getByTestId('price-AAPL').textContent(), { timeout: 15_000 }).toMatch(number);
      const change = page.getByTestId('change-AAPL');
      await expect.poll(() => change.getAttribute('data-change-pct'), { timeout: 15_000 }).not.toBe('');
      expect((await change.textContent())!.replace(/^1D change [▲▼] /, '')).toMatch(percent);
      const decimal = locale === 'de-DE' ? ',' : '.';
      expect(await page.getByTestId('volatility-AAPL').textContent()).toMatch(locale === 'de-DE' ? /^\d+,\d\u00a0%$/ : /^\d+\.\d%$/);
      // The crosshair's price on the y axis: always two decimals for a stock.
      await legendTimeAtEnd(page);
      await expect.poll(() => page.getByTestId('crosshair-label').textContent()).toMatch(new RegExp(`^\\d{3}\\${decimal}\\d{2}$`));
      // Zoomed into the last few bars the price axis steps by fractions, printed with the locale's decimal sign.
      const first = Date.parse((await page.getByTestId('chart-detail').getAttribute('data-first-ts'))!) / 1000;
      const last = Date.parse((await page.getByTestId('chart-detail').getAttribute('data-last-ts'))!) / 1000;
      expect(last - first).toBeGreaterThan(2 * 3600);
      await page.goto(`${running.product.url}/?symbol=AAPL&range=1D&zoom=${last - 2 * 3600}-${last}`);
      await expect.poll(() => page.getByTestId('chart-detail').getAttribute('data-zoom'), { timeout: 15_000 }).toMatch(ISO);
      await expect.poll(async () => (await ticksOf(page, 'chart-detail', 'y')).some((t) => t.includes(decimal))).toBe(true);
      const other = decimal === ',' ? '.' : ',';
      for (const t of await ticksOf(page, 'chart-detail', 'y')) expect(t).toMatch(new RegExp(`^\\d{3}(\\${decimal}\\d+)?$`));
      expect((await ticksOf(page, 'chart-detail', 'y')).some((t) => t.includes(other))).toBe(false);
      // 1M: dates on the axis, in the locale's order ("Nov 27" / "27. Nov.").
      await page.goto(`${running.product.url}/?symbol=AAPL&range=1M`);
      await expect.poll(async () => (await ticksOf(page, 'chart-detail', 'x')).length, { timeout: 15_000 }).toBeGreaterThan(2);
      // (Ticks hours apart, which the width may give, also carry their hour: "16:30 27. Nov.".)
      const date = locale === 'de-DE' ? '\\d{1,2}\\. \\p{L}+\\.?( \\d{4})?' : '[A-Z][a-z]{2} \\d{1,2}( \\d{4})?';
      const ticks = await ticksOf(page, 'chart-detail', 'x');
      for (const t of ticks) expect(t).toMatch(new RegExp(`^(\\d{2}:\\d{2}|(\\d{2}:\\d{2} )?${date})$`, 'u'));
      expect(ticks.some((t) => new RegExp(date, 'u').test(t))).toBe(true);
      await page.screenshot({ path: `test-artifacts/locale-${locale}-1M.png`, fullPage: true });
    }, 120_000);
  }

  it("?locale= overrides the browser's locale on cards, axes and dates", async () => {
    const page = await open('?symbol=AAPL&range=1M&locale=de-DE', { locale: 'en-US' });
    await expect.poll(() => page.getByTestId('price-AAPL').textContent(), { timeout: 15_000 }).toMatch(/^\d{1,3}(\.\d{3})*,\d{2}\u00a0\$$/);
    await expect.poll(async () => (await ticksOf(page, 'chart-detail', 'x')).some((t) => /\d{1,2}\. \p{L}+/u.test(t))).toBe(true);
    expect(await page.getByTestId('base-AAPL').textContent()).toMatch(/^since \p{L}{2}\., \d{1,2}\. \p{L}+\.? close$/u);
    expect(new URL(page.url()).searchParams.get('locale')).toBe('de-DE');
  }, 60_000);
});
