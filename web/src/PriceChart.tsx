import { createEffect, onCleanup, onMount } from 'solid-js';
import uPlot from 'uplot';
import { isoFromEpochSeconds, priceChartData } from './series.ts';
import type { Series } from './types.ts';

const HEIGHT = 200;
/** Axes and grid are drawn on canvas, so CSS cannot theme them: these mirror styles.css. */
const AXIS = '#9aa4b2';
const GRID = 'rgba(154, 164, 178, 0.12)';
const CLOSE = '#4ea1ff';
const SMA = '#f5a524';

/** Wide enough for the longest tick label, so BTC's five-digit prices are not clipped. */
function axisWidth(_u: uPlot, values: string[] | null): number {
  const longest = Math.max(0, ...(values ?? []).map((v) => v.length));
  return Math.max(40, 14 + 7 * longest);
}

function options(width: number, onDraw: (u: uPlot) => void): uPlot.Options {
  const axis = { stroke: AXIS, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 } };
  return {
    width,
    height: HEIGHT,
    scales: { x: { time: true } },
    axes: [axis, { ...axis, size: axisWidth }],
    series: [
      {},
      { label: 'Close', stroke: CLOSE, width: 1.5 },
      { label: 'SMA 20', stroke: SMA, width: 1, dash: [4, 3] },
    ],
    hooks: { draw: [onDraw] },
  };
}

/**
 * Close and SMA 20 of one symbol. The options are built once; new data goes through `setData`, and
 * the width follows the container. The root's `data-last-ts` names the newest bar actually drawn,
 * which browser tests wait on.
 */
export function PriceChart(props: { symbol: string; series: Series | undefined }) {
  let root!: HTMLDivElement;

  onMount(() => {
    const markDrawn = (u: uPlot) => {
      const xs = u.data[0];
      const last = xs[xs.length - 1];
      if (last === undefined) root.removeAttribute('data-last-ts');
      else root.setAttribute('data-last-ts', isoFromEpochSeconds(last));
    };
    const chart = new uPlot(options(Math.max(root.clientWidth, 1), markDrawn), priceChartData(undefined), root);

    createEffect(() => chart.setData(priceChartData(props.series)));

    const resize = new ResizeObserver(([entry]) => {
      const width = Math.floor(entry?.contentRect.width ?? 0);
      if (width > 0 && width !== chart.width) chart.setSize({ width, height: HEIGHT });
    });
    resize.observe(root);

    onCleanup(() => {
      resize.disconnect();
      chart.destroy();
    });
  });

  return (
    <div
      ref={root}
      class="chart"
      data-testid={`chart-${props.symbol}`}
      role="img"
      aria-label={`${props.symbol}: close price with its 20-bar moving average`}
    />
  );
}
