import type { Config } from '../functions/_shared/contract.ts';
import { ANSWERS_ELEMENT_ID, CONFIG_ELEMENT_ID } from '../web/src/api.ts';

/**
 * JSON written into the page as a script element of type application/json: data, not code (the
 * Content-Security-Policy's `script-src 'self'` does not apply to it). `<` is escaped (`\u003c`,
 * the same string to JSON), so no value, a symbol being the operator's text, can close the
 * element or open a comment. In JSON a `<` can only stand inside a string.
 */
function jsonElement(id: string, json: string): string {
  return `<script type="application/json" id="${id}">${json.replaceAll('<', '\\u003c')}</script>`;
}

/**
 * The dashboard's page with its configuration and its first reads' answers written in. The page's
 * first step was asking for `/api/config` and waiting for it; then for the returns, the newest rows
 * and the big chart's bars. The configuration is the same for every visitor of this server, and
 * the answers are the read API's own bytes for those URLs (`answers`: URL, JSON text), so the page
 * draws its first chart without a request of its own.
 */
export function pageDocument(indexHtml: string, config: Config, answers: ReadonlyArray<readonly [string, string]> = []): string {
  if (!indexHtml.includes('</head>')) throw new Error('web/dist/index.html has no </head>: rebuild it with `npm run build`');
  let head = jsonElement(CONFIG_ELEMENT_ID, JSON.stringify(config));
  if (answers.length > 0) {
    head += jsonElement(ANSWERS_ELEMENT_ID, `{${answers.map(([url, json]) => `${JSON.stringify(url)}:${json}`).join(',')}}`);
  }
  return indexHtml.replace('</head>', `${head}</head>`);
}
