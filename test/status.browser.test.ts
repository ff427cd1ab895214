import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from './helpers/browser.ts';
import { productInBrowser } from './helpers/product.ts';

/**
 * The header's status, end to end: a run held open by the simulator is shown as in progress, then
 * how it ended; a failed run names its error and never dates the data; the page has one heading
 * outline and keeps its keyboard and tap-target basics.
 */

const skip = chromiumMissing();
const ISO = /^\d{4}-\d{2}-\d{2}T/;

interface Run {
  etl_run_id: number;
  status: string;
  finished_at: string | null;
  error: string | null;
}

describe.skipIf(skip !== null)(`header status and accessibility in Chromium${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const running = productInBrowser();
  beforeAll(async () => {
    await mkdir('test-artifacts', { recursive: true });
  });

  const faults = async (patch: Record<string, unknown> | null) => {
    const url = `${running.product.simulatorUrl()}/__sim/faults${patch ? '' : '/reset'}`;
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch ?? {}) });
    expect(res.ok, await res.text()).toBe(true);
  };
  /** Starts a run the way the hourly trigger does, without waiting for it: its answer comes when it ends. */
  const trigger = async () =>
    fetch(`${running.product.url}/functions/v1/market-etl`, { method: 'POST', headers: { apikey: await running.product.secret() } });
  const latestRun = async () => ((await (await fetch(`${running.product.url}/api/runs/latest`)).json()) as { run: Run }).run;

  async function open(width = 1280): Promise<Page> {
    const page = await running.browser.newPage({ viewport: { width, height: 900 } });
    await page.goto(running.product.url);
    await expect.poll(() => page.getByTestId('chart-detail').getAttribute('data-last-ts'), { timeout: 15_000 }).toMatch(ISO);
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 15_000 }).toBe('live');
    return page;
  }

  it('says a run is in progress while one is held open, then how it ended; a failed run keeps the data dated by the last success', async () => {
    const page = await open();
    // Playwright's clock lets the page's time move on without waiting for it.
    await page.clock.install();
    const first = await latestRun();
    await expect.poll(() => page.getByTestId('data-age').getAttribute('data-run-id')).toBe(String(first.etl_run_id));
    const announcement = page.getByTestId('status-announcement');

    // The simulator holds every answer until its faults change: the run stays open meanwhile.
    await faults({ delayMs: 60_000 });
    const held = trigger();
    await expect
      .poll(() => page.getByTestId('run-state').textContent(), { timeout: 30_000 })
      .toMatch(new RegExp(`^ETL run ${first.etl_run_id + 1} in progress, started `));
    expect(await announcement.textContent()).toMatch(/in progress/);
    // Still dated by the run that succeeded, not by the one working.
    expect(await page.getByTestId('data-age').getAttribute('data-run-id')).toBe(String(first.etl_run_id));
    await page.screenshot({ path: 'test-artifacts/status-run-in-progress.png' });

    await faults(null);
    await held;
    const second = await running.product.settledRun(first.etl_run_id + 1);
    expect(second.status).toBe('succeeded');
    await expect.poll(() => page.getByTestId('run-state').textContent()).toBe(`Last ETL run ${second.etl_run_id} succeeded`);
    await expect.poll(() => page.getByTestId('data-age').getAttribute('data-run-id')).toBe(String(second.etl_run_id));
    const success = await latestRun();
    expect(await page.getByTestId('data-age').getAttribute('datetime')).toBe(new Date(success.finished_at!).toISOString());

    // Ten minutes on the page's clock, then a run that fails (the day's credits are gone).
    await page.clock.fastForward('10:00');
    await faults({ exhaustDay: true });
    await trigger();
    const failed = await running.product.settledRun(second.etl_run_id + 1);
    await faults(null);
    expect(failed.status).toBe('failed');
    const failedRun = await latestRun();
    expect(failedRun.error).toBeTruthy();
    await expect
      .poll(() => page.getByTestId('run-state').textContent(), { timeout: 15_000 })
      .toMatch(new RegExp(`^Last ETL run ${failed.etl_run_id} failed at .+: `));
    expect(await page.getByTestId('freshness').getAttribute('class')).toMatch(/\bfailed\b/);
    // The data is as old as the success before, said as such: not "just now", not the failed run's time.
    const age = page.getByTestId('data-age');
    expect(await age.getAttribute('data-run-id')).toBe(String(second.etl_run_id));
    expect(await age.getAttribute('datetime')).toBe(new Date(success.finished_at!).toISOString());
    expect(await age.textContent()).toMatch(/^Data updated .+ \(10 min ago\) by ETL run \d+$/);
    expect(await page.getByTestId('freshness').textContent()).not.toMatch(/just now/);
    await expect.poll(() => announcement.textContent()).toMatch(new RegExp(`ETL run ${failed.etl_run_id} failed`));
    await page.screenshot({ path: 'test-artifacts/status-run-failed.png' });
    await page.close();

    // A page opened after the failure knows no success yet: the newest bar it holds dates the data.
    const late = await open();
    await expect.poll(() => late.getByTestId('run-state').textContent()).toMatch(new RegExp(`^Last ETL run ${failed.etl_run_id} failed`));
    await expect.poll(() => late.getByTestId('data-age').textContent()).toMatch(/^Newest bar /);
    expect(await late.getByTestId('data-age').textContent()).not.toMatch(/just now/);
    await late.close();
  }, 180_000);

  it('has one heading outline (one h1, sections h2, cards h3, no level skipped), tap targets of 24 px, and Escape closes the watch-list editor', async () => {
    for (const width of [1280, 390]) {
      const page = await open(width);
      const levels = await page.evaluate(() =>
        [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
          .filter((h) => (h as HTMLElement).offsetParent !== null)
          .map((h) => ({ level: Number(h.tagName[1]), text: h.textContent?.trim() ?? '' })),
      );
      expect(levels.filter((h) => h.level === 1).map((h) => h.text)).toEqual(['Market Pulse']);
      expect(levels[0]?.level).toBe(1);
      const skips = levels.filter((h, i) => i > 0 && h.level > levels[i - 1]!.level + 1);
      expect(skips).toEqual([]);
      expect(levels.filter((h) => h.level === 2).map((h) => h.text.split(' ')[0])).toEqual(expect.arrayContaining(['Watch', 'Comparison']));
      expect(levels.filter((h) => h.level === 3).length).toBeGreaterThan(0);

      // Every control's hit area is 24 px or more each way (WCAG 2.5.8); a checkbox's is its whole label.
      const small = await page.evaluate(() =>
        [...document.querySelectorAll('button, select, summary, label.pill, label.check')]
          .map((el) => ({ el, box: el.getBoundingClientRect() }))
          .filter(({ box }) => box.width > 0 && box.height > 0 && (box.width < 24 || box.height < 24))
          .map(({ el, box }) => `${el.tagName.toLowerCase()} "${el.textContent?.trim().slice(0, 20)}" ${box.width}x${box.height}`),
      );
      expect(small).toEqual([]);

      const editor = page.getByTestId('watch-editor');
      await editor.locator('summary').click();
      expect(await editor.getAttribute('open')).not.toBeNull();
      await editor.locator('input').first().focus();
      await page.keyboard.press('Escape');
      await expect.poll(() => editor.getAttribute('open')).toBeNull();
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('SUMMARY');
      await page.close();
    }
  }, 120_000);
});
