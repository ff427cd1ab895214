import { readFile, stat } from 'node:fs/promises';
import type { Context, Hono } from 'hono';
import type { Config } from '../functions/_shared/contract.ts';
import { type AnswerCache, HtmlDocument } from './answer-cache.ts';
import { firstReads } from './first-reads.ts';
import { pageDocument } from './page-document.ts';

/**
 * `/`: the dashboard's page with its configuration and its first reads' answers written in. The
 * answers come from the app's own read API (its validation, limits and answer cache), asked in
 * process. The page is an answer like theirs: rendered once per data version and page file, dropped
 * by the same announcement, with an ETag (a reload of an unchanged page is a 304) and brotli or gzip.
 * A page one of whose reads did not answer (the database away) is not kept: it is sent as it is,
 * with the configuration only, and the dashboard asks for the rest itself.
 */
export function dashboardPage(app: Hono, answers: AnswerCache, config: Config, indexHtml: string) {
  const read = async (url: string): Promise<readonly [string, string] | null> => {
    // Host: this machine's name, which the Host check always admits. No Accept-Encoding: identity bytes.
    const res = await app.fetch(new Request(`http://localhost${url}`, { headers: { host: 'localhost', accept: 'application/json' } }));
    return res.status === 200 ? [url, await res.text()] : null;
  };

  return async (c: Context) => {
    const query = c.req.url.indexOf('?');
    const urls = firstReads(query < 0 ? '' : c.req.url.slice(query), config.symbols, config.interval);
    // Checked on every request (a stat): a rebuild while the server runs is served at once.
    const built = (await stat(indexHtml)).mtimeMs;
    // Keyed by the reads, not the query string: every URL maps to one of a few pages.
    const key = `page ${built} ${urls.join(' ')}`;
    try {
      return await answers.respond(c, key, async () => {
        const html = await readFile(indexHtml, 'utf8');
        const answered = await Promise.all(urls.map(read));
        if (answered.some((answer) => answer === null)) throw new PageIncomplete();
        return new HtmlDocument(pageDocument(html, config, answered as Array<readonly [string, string]>));
      });
    } catch (error) {
      if (!(error instanceof PageIncomplete)) throw error;
      c.header('Cache-Control', 'no-cache');
      return c.html(pageDocument(await readFile(indexHtml, 'utf8'), config));
    }
  };
}

class PageIncomplete extends Error {}
