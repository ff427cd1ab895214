import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';

/**
 * The first chart's floor on this machine, measured in the same run as the dashboard's: a page
 * with nothing in it but uPlot (its minified build, fetched by its own request as the dashboard's
 * script is) and the big chart's weekly bars written into the document, drawn as one line at the
 * big chart's size. Navigation, a script request, uPlot's evaluation and one canvas drawn by the
 * CPU: what any page showing this chart in this browser pays before it has done anything of its
 * own. Served by a bare `node:http` server from memory.
 */

export interface BarePageBench {
  firstMs: number[];
  coldMs: number;
}

const UPLOT = createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js');

function page(ts: readonly number[], close: readonly number[], width: number, height: number): string {
  // `<` escaped: the data is numbers, but nothing written into a document should be able to close its script.
  const data = JSON.stringify([ts, close]).replaceAll('<', '\\u003c');
  return `<!doctype html><html><head><meta charset="utf-8"><title>floor</title>
<script src="/uplot.js"></script></head><body><div id="chart" data-testid="chart-detail"></div>
<script>
const root = document.getElementById('chart');
new uPlot({ width: ${width}, height: ${height}, series: [{}, { stroke: '#0969da' }],
  hooks: { draw: [(u) => root.setAttribute('data-last-ts', String(u.data[0][u.data[0].length - 1]))] } },
  ${data}, root);
</script></body></html>`;
}

/** Page loads in fresh contexts (nothing cached), the first not counted, as for the dashboard. */
export async function benchBarePage(
  browser: Browser,
  bars: { ts: readonly number[]; close: readonly number[] },
  options: { loads: number; width: number; height: number },
): Promise<BarePageBench> {
  const script = await readFile(UPLOT);
  const html = Buffer.from(page(bars.ts, bars.close, options.width, options.height));
  const server = createServer((req, res) => {
    const body = req.url === '/uplot.js' ? script : html;
    res.writeHead(200, {
      'content-type': req.url === '/uplot.js' ? 'text/javascript' : 'text/html; charset=utf-8',
      'content-length': body.length,
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    const firstMs: number[] = [];
    let coldMs = 0;
    for (let i = -1; i < options.loads; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const tab = await context.newPage();
      await tab.addInitScript(() => {
        const marks: { first?: number } = {};
        (window as unknown as { benchMarks: typeof marks }).benchMarks = marks;
        new MutationObserver(() => {
          if (marks.first === undefined && document.querySelector('[data-last-ts]')) marks.first = performance.now();
        }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-last-ts'] });
      });
      await tab.goto(url);
      const drawn = await tab.waitForFunction(
        () => (window as unknown as { benchMarks: { first?: number } }).benchMarks.first ?? null,
        null,
        {
          timeout: 30_000,
        },
      );
      const ms = (await drawn.jsonValue()) as number;
      await context.close();
      if (i < 0) coldMs = ms;
      else firstMs.push(ms);
    }
    return { firstMs, coldMs };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
