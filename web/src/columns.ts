import { resolutionOf } from './bars.ts';
import { type Column, macdSpec, priceSpec, rsiSpec, volumeSpec } from './charts.ts';
import { PALETTES } from './theme.ts';
import { SERIES_COLUMNS, type SeriesColumn } from './types.ts';
import type { ViewState } from './view.ts';

/**
 * Which series columns the dashboard fetches for a symbol: only what it draws. A watch-list card
 * (and the comparison) draws the close and reads the range's high, low and volatility; the big
 * chart draws its overlays and panes. The big chart always gets open/high/low and volume too, so
 * switching between line and candles, or learning the asset type, needs no new request.
 */

export const CARD_COLUMNS: readonly SeriesColumn[] = ['high', 'low', 'close', 'volatility_20'];

const seriesColumn = (c: Column): SeriesColumn => {
  if (c === 'macd_up' || c === 'macd_down') return 'macd_hist';
  // The volume pane colours each bar by its direction from the one volume column.
  if (c === 'volume_up' || c === 'volume_down') return 'volume';
  return c;
};

export function detailColumns(view: Pick<ViewState, 'overlays' | 'panes'>): SeriesColumn[] {
  // The column lists come from the chart definitions themselves, so a new overlay is fetched once it is drawn.
  const p = PALETTES.dark;
  const drawn: Column[] = [
    ...priceSpec({ chart: 'candles', overlays: view.overlays, assetType: 'stock' }, p).columns,
    // The volume pane is always drawn under the price (empty for crypto, which has no volume).
    ...volumeSpec(p).columns,
    ...(view.panes.includes('rsi') ? rsiSpec(p).columns : []),
    ...(view.panes.includes('macd') ? macdSpec(p).columns : []),
  ];
  const wanted = new Set([...CARD_COLUMNS, ...drawn.map(seriesColumn)]);
  return SERIES_COLUMNS.filter((c) => wanted.has(c));
}

/**
 * The columns for each symbol of a view: the big chart's for its symbol, the cards' for the others.
 * When the big chart draws daily or weekly bars (from the bars route), its symbol's hourly rows are
 * only a card's: the page then fetches no hourly overlays it would never draw.
 */
export function columnsFor(
  view: Pick<ViewState, 'symbol' | 'overlays' | 'panes'> & Partial<Pick<ViewState, 'range' | 'bars'>>,
): (symbol: string) => readonly SeriesColumn[] {
  const hourly = view.range === undefined || resolutionOf({ range: view.range, bars: view.bars ?? 'auto' }) === '1h';
  const detail = hourly ? detailColumns(view) : CARD_COLUMNS;
  return (symbol) => (symbol === view.symbol ? detail : CARD_COLUMNS);
}
