import { barsPath, latestPath, returnsPath } from '../web/src/api.ts';
import { resolutionOf } from '../web/src/bars.ts';
import { parseView } from '../web/src/view.ts';

/**
 * The reads the dashboard makes first, announced with the page itself (a `Link: rel=preload`
 * header), so the browser fetches them while it is still loading the script instead of after:
 * the returns and the newest rows, and for a long range (1Y, YTD, All) the big
 * chart's daily or weekly bars. The URLs come from the dashboard's own code (its view parsing and
 * request paths), so they are exactly the ones it will ask for; one it does not ask for only costs
 * a request.
 */
export function pagePreloads(search: string, symbols: readonly string[], interval: string): string {
  // The configuration is not among them: it comes written into the page (page-document.ts).
  const urls = [returnsPath([], interval), latestPath(interval)];
  const view = parseView(search, symbols);
  const resolution = resolutionOf(view);
  if (resolution !== '1h' && view.symbol) urls.push(barsPath({ symbols: [view.symbol], resolution, interval }));
  return urls.map((url) => `<${url}>; rel=preload; as=fetch; crossorigin=anonymous`).join(', ');
}
