import { readFile, stat } from 'node:fs/promises';
import type { Context, Hono } from 'hono';
import type { Config } from '../functions/_shared/contract.ts';
import { type AnswerCache, HtmlDocument } from './answer-cache.ts';
import type { DatabaseHealth } from './database-health.ts';
import { firstReads } from './first-reads.ts';
import { pageDocument } from './page-document.ts';

/**
 * How long the page waits for its first reads before it is sent without them. A cold read of the
 * five-year weekly bars takes well under a second here; a database that has stopped answering
 * (no error, no timeout of its own) must not make the page itself hang.
 */
export const PAGE_READS_WAIT_MS = 1_500;

/**
 * `/`: the dashboard's page with its configuration and its first reads' answers written in. The
 * answers come from the app's own read API (its validation, limits and answer cache), asked in
 * process. The page is an answer like theirs: rendered once per data version and page file, dropped
 * by the same announcement, with an ETag and brotli or gzip. A page whose reads did not all answer
 * within PAGE_READS_WAIT_MS (the database away, or stalled) is sent as it is, with the
 * configuration only, and not kept; the dashboard asks for the rest itself and says what failed.
 */
export function dashboardPage(app: Hono, answers: AnswerCache, config: Config, indexHtml: string, health?: DatabaseHealth) {
  const read = async (url: string): Promise<readonly [string, string]> => {
    // Host: this machine's name, which the Host check always admits. No Accept-Encoding: identity bytes.
    const res = await app.fetch(new Request(`http://localhost${url}`, { headers: { host: 'localhost', accept: 'application/json' } }));
    if (res.status !== 200) throw new Error(`the page's read ${url} answered ${res.status}`);
    return [url, await res.text()];
  };
  const withoutAnswers = async (c: Context) => {
    c.header('Cache-Control', 'no-cache');
    return c.html(pageDocument(await readFile(indexHtml, 'utf8'), config));
  };

  return async (c: Context) => {
    // Known to be away: every read would answer 503 at once.
    if (health && !health.reachable()) return withoutAnswers(c);
    const query = c.req.url.indexOf('?');
    const urls = firstReads(query < 0 ? '' : c.req.url.slice(query), config.symbols, config.interval);
    // Checked on every request (a stat): a rebuild while the server runs is served at once.
    const built = (await stat(indexHtml)).mtimeMs;
    // Keyed by the reads, not the query string: every URL maps to one of a few pages.
    const key = `page ${built} ${urls.join(' ')}`;
    const page = answers.respondDocument(c, key, async () => {
      const html = await readFile(indexHtml, 'utf8');
      return new HtmlDocument(pageDocument(html, config, await Promise.all(urls.map(read))));
    });
    // A render may also be one an earlier request started, still waiting on a stalled database.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), PAGE_READS_WAIT_MS);
    });
    try {
      const sent = await Promise.race([page, late]);
      if (sent) return sent;
    } catch {
      // A read failed: the reason is the read API's to say, when the dashboard asks it.
    } finally {
      clearTimeout(timer);
    }
    // Still running (kept if it completes) or failed: either way, nothing more to wait for here.
    page.catch(() => {});
    return withoutAnswers(c);
  };
}
