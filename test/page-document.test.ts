import { describe, expect, it } from 'vitest';
import { pageDocument } from '../server/page-document.ts';

/** What the server writes into the dashboard's page stays data: nothing in it can end its element. */
describe('the page document', () => {
  const SHELL = '<!doctype html><html><head><title>t</title></head><body><div id="root"></div></body></html>';
  const config = { symbols: ['AAPL'], interval: '1h', simulated: true };

  it('writes the configuration and the answers as JSON elements that no value can close', () => {
    const hostile = { note: '</script><script>alert(1)</script><!-- x' };
    const html = pageDocument(SHELL, config, [['/api/latest?interval=1h', JSON.stringify(hostile)]]);
    // Only the two elements the server wrote: the value opened none.
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    const text = (id: string) => new RegExp(`<script type="application/json" id="${id}">([^<]*)</script>`).exec(html)?.[1];
    expect(JSON.parse(text('market-pulse-config')!)).toEqual(config);
    expect(JSON.parse(text('market-pulse-answers')!)).toEqual({ '/api/latest?interval=1h': hostile });
  });

  it('writes no answers element when it has no answers, and refuses a page without a head', () => {
    expect(pageDocument(SHELL, config)).not.toContain('market-pulse-answers');
    expect(() => pageDocument('<html><body></body></html>', config)).toThrow(/no <\/head>/);
  });
});
