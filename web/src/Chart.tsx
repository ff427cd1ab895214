import { createEffect, createSignal, onCleanup, onMount, untrack } from 'solid-js';
import uPlot from 'uplot';
import { isoFromEpochSeconds } from './series.ts';

export type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

export interface ChartProps {
  /** `data-testid` of the root: `chart-<symbol>` for a symbol's own chart, `chart-<name>` otherwise. */
  testid: string;
  label: string;
  height: number;
  /** Read in an effect: when what it reads changes (theme, view), the chart is built anew. */
  options: () => ChartOptions;
  data: uPlot.AlignedData;
  /** Extra attributes on the root (e.g. `data-symbol`). */
  attrs?: Record<string, string>;
  /** Arrow keys move the crosshair (and the legend's values) bar by bar. */
  keyboard?: boolean;
  class?: string;
  /**
   * Zoom: the time range shown (epoch seconds, inclusive), null for all the data. Kept as times, not
   * indexes, so it survives new bars arriving; applied after every `setData`.
   */
  xRange?: readonly [number, number] | null;
  /** Given: dragging selects a range to zoom to, the wheel zooms (shift+wheel pans), a double-click resets. */
  onXRange?: (range: readonly [number, number] | null) => void;
  /** Built before the page's other charts (the big price chart): see `measureWidth`. */
  eager?: boolean;
  /** Shows the price under the crosshair on the y axis. */
  crosshairLabel?: (value: number) => string;
  /** Called after every draw with the number of bars drawn. */
  onDrawn?: (points: number) => void;
}

/**
 * Chart widths read together. Reading a chart's width right after another chart was inserted makes
 * the browser lay out the whole page again, once per chart: a dozen layouts on the first load, most
 * of the time to the first chart. Charts mounted in the same tick are measured in one layout, then
 * built: the big chart's (`eager`) at once, the others in a task of their own after it, so the big
 * chart is drawn without waiting for a dozen small ones to be built.
 */
type Pending = { root: HTMLElement; measured: (width: number) => void };
const queues: Record<'eager' | 'later', Pending[]> = { eager: [], later: [] };
function measureWidth(root: HTMLElement, measured: (width: number) => void, eager: boolean): void {
  const queue = eager ? queues.eager : queues.later;
  queue.push({ root, measured });
  if (queue.length > 1) return;
  const flush = () => {
    const batch = queue.splice(0);
    // Every read first (one layout), then every build.
    const widths = batch.map((entry) => entry.root.clientWidth);
    for (const [i, entry] of batch.entries()) entry.measured(widths[i]!);
  };
  if (eager) queueMicrotask(flush);
  else setTimeout(flush, 0);
}

/** The bar index at or after `t` (from: true) or at or before it, in ascending `xs`. */
function indexOf(xs: ArrayLike<number>, t: number, from: boolean): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < t) lo = mid + 1;
    else hi = mid - 1;
  }
  // lo: first index with xs >= t.
  if (from) return Math.min(lo, xs.length - 1);
  return lo < xs.length && xs[lo] === t ? lo : Math.max(0, lo - 1);
}

/**
 * uPlot in Solid the way solid-uplot does it: options build the chart once, new data goes through
 * `setData`, a ResizeObserver keeps the width. After every draw the root's `data-last-ts` names the
 * newest bar drawn (`data-first-ts` the oldest, `data-points` how many), which tests and the CSV
 * export rely on.
 */
export function Chart(props: ChartProps) {
  let root!: HTMLDivElement;
  let chart: uPlot | undefined;

  const markDrawn = (u: uPlot) => {
    const xs = u.data[0];
    const first = xs[0];
    const last = xs[xs.length - 1];
    if (first === undefined || last === undefined) {
      root.removeAttribute('data-first-ts');
      root.removeAttribute('data-last-ts');
    } else {
      root.setAttribute('data-first-ts', isoFromEpochSeconds(first));
      root.setAttribute('data-last-ts', isoFromEpochSeconds(last));
    }
    root.setAttribute('data-points', String(xs.length));
    // The tick labels as drawn on the canvas (uPlot keeps the last ones it drew on each axis), for
    // tests that read the time and price axes in a zone and a locale; lines joined by a space.
    const ticks = (i: number) =>
      ((u.axes[i] as { _values?: unknown[] } | undefined)?._values ?? []).map((v) => String(v ?? '').replace(/\n/g, ' '));
    if (u.axes[0]?.show !== false) root.setAttribute('data-x-ticks', ticks(0).join('|'));
    if (u.axes[1]?.show !== false) root.setAttribute('data-y-ticks', ticks(1).join('|'));
    props.onDrawn?.(xs.length);
  };

  function moveCursor(e: KeyboardEvent) {
    const u = chart;
    const n = u?.data[0].length ?? 0;
    if (!u || n === 0) return;
    const current = u.cursor.idx ?? n - 1;
    const step = e.shiftKey ? 10 : 1;
    const next =
      e.key === 'ArrowLeft'
        ? current - step
        : e.key === 'ArrowRight'
          ? current + step
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? n - 1
              : e.key === 'Escape'
                ? -1
                : undefined;
    if (next === undefined) return;
    e.preventDefault();
    if (next < 0 && e.key === 'Escape') {
      u.setCursor({ left: -10, top: -10 });
      return;
    }
    const idx = Math.min(n - 1, Math.max(0, next));
    // An ordinal x scale positions by index, a time scale by value.
    const x = u.scales.x?.distr === 2 ? idx : u.data[0][idx]!;
    u.setCursor({ left: u.valToPos(x, 'x'), top: u.over.clientHeight / 2 });
  }

  /** The x scale's min and max for a time range: indexes on an ordinal axis, times otherwise. */
  function applyRange(u: uPlot, range: readonly [number, number] | null | undefined) {
    const xs = u.data[0];
    // A zoom wholly outside the bars held (a stale or hand-made link) shows them all instead of nothing.
    const outside = !!range && xs.length > 0 && (range[1] < xs[0]! || range[0] > xs[xs.length - 1]!);
    if (!range || xs.length < 2 || outside) {
      if (xs.length > 0)
        u.setScale('x', u.scales.x?.distr === 2 ? { min: 0, max: xs.length - 1 } : { min: xs[0]!, max: xs[xs.length - 1]! });
      root.removeAttribute('data-zoom');
      return;
    }
    const i0 = indexOf(xs, range[0], true);
    const i1 = Math.max(i0 + 1, indexOf(xs, range[1], false));
    const ordinal = u.scales.x?.distr === 2;
    u.setScale('x', ordinal ? { min: i0, max: Math.min(i1, xs.length - 1) } : { min: range[0], max: range[1] });
    root.setAttribute('data-zoom', `${isoFromEpochSeconds(xs[i0]!)}/${isoFromEpochSeconds(xs[Math.min(i1, xs.length - 1)]!)}`);
  }

  /** The times at the plot's left and right edge, as the zoom callbacks report them. */
  function timeAt(u: uPlot, left: number): number {
    const xs = u.data[0];
    const v = u.posToVal(left, 'x');
    if (u.scales.x?.distr !== 2) return v;
    return xs[Math.min(xs.length - 1, Math.max(0, Math.round(v)))]!;
  }

  function attachZoom(u: uPlot) {
    const onXRange = props.onXRange;
    if (!onXRange) return;
    const over = u.over;
    const visible = (): [number, number] => [timeAt(u, 0), timeAt(u, over.clientWidth)];
    over.addEventListener('dblclick', () => onXRange(null));
    over.addEventListener(
      'wheel',
      (e) => {
        const xs = u.data[0];
        if (xs.length < 3) return;
        e.preventDefault();
        const [from, to] = visible();
        const i0 = indexOf(xs, from, true);
        const i1 = indexOf(xs, to, false);
        const span = i1 - i0;
        if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
          // Pan by a tenth of the view.
          const shift = Math.sign(e.deltaX || e.deltaY) * Math.max(1, Math.round(span / 10));
          const a = Math.min(Math.max(0, i0 + shift), xs.length - 1 - span);
          onXRange([xs[a]!, xs[a + span]!]);
          return;
        }
        // Zoom around the bar under the pointer.
        const at = indexOf(xs, timeAt(u, e.offsetX), false);
        const factor = e.deltaY < 0 ? 0.8 : 1.25;
        const next = Math.max(2, Math.round(span * factor));
        const a = Math.max(0, Math.round(at - (at - i0) * (next / Math.max(1, span))));
        const b = Math.min(xs.length - 1, a + next);
        onXRange(a === 0 && b === xs.length - 1 ? null : [xs[a]!, xs[b]!]);
      },
      { passive: false },
    );
  }

  let label: HTMLDivElement | undefined;
  function moveLabel(u: uPlot) {
    const format = props.crosshairLabel;
    if (!format) return;
    if (!label) {
      label = document.createElement('div');
      label.className = 'crosshair-label';
      label.setAttribute('aria-hidden', 'true');
      label.dataset.testid = 'crosshair-label';
      root.append(label);
    }
    const top = u.cursor.top;
    if (top === undefined || top < 0 || u.cursor.left === undefined || u.cursor.left < 0) {
      label.hidden = true;
      return;
    }
    label.hidden = false;
    label.textContent = format(u.posToVal(top, 'y'));
    // On the y axis, left of the plot, level with the crosshair.
    label.style.top = `${u.over.offsetTop + top}px`;
    label.style.left = `${u.over.offsetLeft}px`;
  }

  // The root's width when the chart is first built (then the ResizeObserver below keeps it).
  const [initialWidth, setInitialWidth] = createSignal<number>();
  let built = false;

  onMount(() => {
    measureWidth(root, setInitialWidth, props.eager ?? false);
    createEffect(() => {
      const width = initialWidth();
      if (width === undefined) return;
      const opts = props.options();
      const zoomable = !!untrack(() => props.onXRange);
      const hooks: uPlot.Hooks.Arrays = {
        ...opts.hooks,
        draw: [...(opts.hooks?.draw ?? []), markDrawn],
        setCursor: [...(opts.hooks?.setCursor ?? []), moveLabel],
        setSelect: [
          ...(opts.hooks?.setSelect ?? []),
          (u: uPlot) => {
            if (!zoomable || u.select.width < 4) return;
            const range: [number, number] = [timeAt(u, u.select.left), timeAt(u, u.select.left + u.select.width)];
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            props.onXRange?.(range);
          },
        ],
      };
      const cursor = zoomable ? { ...opts.cursor, drag: { x: true, y: false, setScale: false } } : opts.cursor;
      const u = untrack(
        // The width measured with the other charts' (a rebuild, e.g. a new theme, measures again: one chart, one layout).
        () =>
          new uPlot(
            { ...opts, cursor, hooks, width: Math.max(built ? root.clientWidth : width, 1), height: props.height },
            props.data,
            root,
          ),
      );
      chart = u;
      built = true;
      attachZoom(u);
      untrack(() => applyRange(u, props.xRange));
      onCleanup(() => {
        u.destroy();
        label?.remove();
        label = undefined;
        if (chart === u) chart = undefined;
      });
    });

    createEffect(() => {
      const data = props.data;
      const range = untrack(() => props.xRange);
      if (!chart) return;
      chart.setData(data, !range);
      if (range) applyRange(chart, range);
    });

    createEffect(() => {
      const range = props.xRange;
      if (chart) applyRange(chart, range);
    });

    const resize = new ResizeObserver(([entry]) => {
      const width = Math.floor(entry?.contentRect.width ?? 0);
      if (chart && width > 0 && width !== chart.width) chart.setSize({ width, height: props.height });
    });
    resize.observe(root);
    onCleanup(() => resize.disconnect());
  });

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: the role is chosen at run time (group with a keyboard crosshair, img without).
    // biome-ignore lint/a11y/useAriaPropsSupportedByRole: same: Biome cannot see the run-time role that aria-roledescription and aria-label apply to.
    <div
      ref={root}
      class={`chart ${props.class ?? ''}`}
      data-testid={props.testid}
      // With a keyboard crosshair the live legend inside is content, which role="img" would hide.
      role={props.keyboard ? 'group' : 'img'}
      aria-roledescription="chart"
      aria-label={props.label}
      tabindex={props.keyboard ? 0 : undefined}
      onKeyDown={props.keyboard ? moveCursor : undefined}
      {...props.attrs}
    />
  );
}
