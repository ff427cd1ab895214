import type { Config } from '../functions/_shared/contract.ts';
import { CONFIG_ELEMENT_ID } from '../web/src/api.ts';

/**
 * The dashboard's page with its configuration written in (a JSON script element, which is data,
 * not code: the Content-Security-Policy's `script-src 'self'` does not apply to it). The page's
 * first step was asking for `/api/config` and waiting for it before it could ask for anything
 * else; the answer is the same for every visitor of this server, so it comes with the page.
 */
export function pageWithConfig(indexHtml: string, config: Config): string {
  if (!indexHtml.includes('</head>')) throw new Error('web/dist/index.html has no </head>: rebuild it with `npm run build`');
  // `<` escaped, so no value (a symbol is the operator's text) can close the element or open a comment.
  const json = JSON.stringify(config).replaceAll('<', '\\u003c');
  return indexHtml.replace('</head>', `<script type="application/json" id="${CONFIG_ELEMENT_ID}">${json}</script></head>`);
}
