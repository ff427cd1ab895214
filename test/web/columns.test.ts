import { describe, expect, it } from 'vitest';
import { CARD_COLUMNS, columnsFor, detailColumns } from '../../web/src/columns.ts';

/** The dashboard asks the read API only for what it draws, and for everything it draws. */
describe('columns the dashboard fetches', () => {
  it('gives the big chart its candles, its volume pane, its overlays and its panes', () => {
    const columns = detailColumns({ overlays: ['sma20', 'bb'], panes: ['rsi', 'macd'] } as Parameters<typeof detailColumns>[0]);
    for (const wanted of [
      'open',
      'high',
      'low',
      'close',
      'volume',
      'sma_20',
      'bb_upper',
      'bb_lower',
      'rsi_14',
      'macd',
      'macd_signal',
      'macd_hist',
    ]) {
      expect(columns, wanted).toContain(wanted);
    }
    expect(columns).not.toContain('sma_50');
  });

  it('draws the volume pane even with no overlay or pane chosen', () => {
    expect(detailColumns({ overlays: [], panes: [] } as Parameters<typeof detailColumns>[0])).toContain('volume');
  });

  it('gives the other symbols only what a card draws', () => {
    const forSymbol = columnsFor({ symbol: 'AAPL', overlays: [], panes: [] } as Parameters<typeof columnsFor>[0]);
    expect(forSymbol('MSFT')).toEqual(CARD_COLUMNS);
    expect(forSymbol('AAPL')).toContain('volume');
  });

  it('asks only the card columns for the big chart symbol while it draws daily or weekly bars, and everything again at 1h', () => {
    const view = { symbol: 'AAPL', overlays: ['sma20'], panes: ['rsi'] } as unknown as Parameters<typeof columnsFor>[0];
    expect(columnsFor({ ...view, range: 'All', bars: 'auto' })('AAPL')).toEqual(CARD_COLUMNS);
    expect(columnsFor({ ...view, range: '1Y', bars: 'auto' })('AAPL')).toEqual(CARD_COLUMNS);
    expect(columnsFor({ ...view, range: 'All', bars: '1h' })('AAPL')).toContain('rsi_14');
    expect(columnsFor({ ...view, range: '1M', bars: 'auto' })('AAPL')).toContain('sma_20');
    expect(columnsFor({ ...view, range: '1M', bars: '1week' })('AAPL')).toEqual(CARD_COLUMNS);
  });
});
