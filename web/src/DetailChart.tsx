import { createMemo, createSignal, Show } from 'solid-js';
import { Chart } from './Chart.tsx';
import { columnData, macdSpec, priceSpec, rsiSpec, type TimeAxis, volumeSpec } from './charts.ts';
import { formatNumber } from './format.ts';
import type { Palette } from './theme.ts';
import type { AssetType, Series } from './types.ts';
import type { ChartKind, Overlay, Pane } from './view.ts';

export interface DetailChartProps {
  symbol: string;
  series: Series | undefined;
  assetType: AssetType | undefined;
  chart: ChartKind;
  overlays: readonly Overlay[];
  panes: readonly Pane[];
  palette: Palette;
  compact: boolean;
  /** The zoom shared by every pane (epoch seconds), and how a pane asks to change it. */
  zoom: readonly [number, number] | null;
  onZoom: (range: readonly [number, number] | null) => void;
  /** The clock the time axis and legends read (the chosen zone for this symbol), with its name. */
  time: TimeAxis;
}

/**
 * The focused symbol: price (line or candles) with overlays and volume, then the RSI and MACD panes.
 * Every pane shares one crosshair; each legend shows the values under it.
 */
export function DetailChart(props: DetailChartProps) {
  const time = createMemo(() => props.time, undefined, { equals: (a, b) => a.zone === b.zone && a.name === b.name });
  const price = createMemo(() =>
    priceSpec({ chart: props.chart, overlays: props.overlays, assetType: props.assetType }, props.palette, time()),
  );
  const volume = createMemo(() => volumeSpec(props.palette, time()));
  const volumeData = createMemo(() => columnData(props.series, volume().columns));
  const rsi = createMemo(() => rsiSpec(props.palette, time()));
  const macd = createMemo(() => macdSpec(props.palette, time()));
  const priceData = createMemo(() => columnData(props.series, price().columns));
  const rsiData = createMemo(() => columnData(props.series, rsi().columns));
  const macdData = createMemo(() => columnData(props.series, macd().columns));
  // The panes are built once the price chart has drawn its bars (or learned there are none): built
  // before, they were tasks queued ahead of the answer with those bars (a 1M page handled it only
  // after building all three), or of the price chart's first draw. Once built they stay, through a
  // change of symbol or range.
  const [panesShown, setPanesShown] = createSignal(false);
  const priceDrawn = (points: number) => {
    if ((points > 0 || props.series !== undefined) && !panesShown()) setPanesShown(true);
  };
  const describe = () =>
    `${props.symbol}: ${props.chart === 'candles' ? 'candlesticks' : 'close price'}` +
    `${props.assetType === 'stock' ? ', volume in the pane below' : ''}. Arrow keys move the crosshair.`;

  return (
    <div class="detail">
      <Chart
        testid="chart-detail"
        eager
        label={describe()}
        height={props.compact ? 240 : 320}
        options={() => price().options}
        data={priceData()}
        attrs={{ 'data-symbol': props.symbol }}
        keyboard
        xRange={props.zoom}
        onXRange={props.onZoom}
        crosshairLabel={(v) => formatNumber(v)}
        onDrawn={priceDrawn}
      />
      <Show when={panesShown() && props.assetType === 'stock'}>
        <Chart
          testid="chart-volume"
          label={`${props.symbol}: volume per bar, coloured by the bar's direction`}
          height={props.compact ? 70 : 90}
          options={() => volume().options}
          data={volumeData()}
          attrs={{ 'data-symbol': props.symbol }}
          keyboard
          xRange={props.zoom}
          onXRange={props.onZoom}
          class="pane"
        />
      </Show>
      <Show when={panesShown() && props.panes.includes('rsi')}>
        <Chart
          testid="chart-rsi"
          label={`${props.symbol}: RSI 14`}
          height={props.compact ? 90 : 110}
          options={() => rsi().options}
          data={rsiData()}
          attrs={{ 'data-symbol': props.symbol }}
          keyboard
          xRange={props.zoom}
          onXRange={props.onZoom}
          class="pane"
        />
      </Show>
      <Show when={panesShown() && props.panes.includes('macd')}>
        <Chart
          testid="chart-macd"
          label={`${props.symbol}: MACD 12/26/9`}
          height={props.compact ? 100 : 120}
          options={() => macd().options}
          data={macdData()}
          attrs={{ 'data-symbol': props.symbol }}
          keyboard
          xRange={props.zoom}
          onXRange={props.onZoom}
          class="pane"
        />
      </Show>
      <p class="zone-note muted" data-testid="detail-zone">
        Times: {time().name}
      </p>
    </div>
  );
}
