import { barsPath, latestPath, returnsPath } from '../web/src/api.ts';
import { resolutionOf } from '../web/src/bars.ts';
import { parseView } from '../web/src/view.ts';

/**
 * The reads the dashboard makes first, whose answers the server writes into the page itself
 * (page-document.ts), so the page draws without asking for them: the returns and the newest rows,
 * and for a long range (1Y, YTD, All) the big chart's daily or weekly bars. The URLs come from the
 * dashboard's own code (its view parsing and request paths), so they are exactly the ones it will
 * ask for. From a validated view, so any query string maps to one of a few sets.
 */
export function firstReads(search: string, symbols: readonly string[], interval: string): string[] {
  // The configuration is not among them: it is written into every page as it is.
  const urls = [returnsPath([], interval), latestPath(interval)];
  const view = parseView(search, symbols);
  const resolution = resolutionOf(view);
  if (resolution !== '1h' && view.symbol) urls.push(barsPath({ symbols: [view.symbol], resolution, interval }));
  return urls;
}
