import { createEffect, onCleanup, onMount, untrack } from 'solid-js';
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
  };

  function moveCursor(e: KeyboardEvent) {
    const u = chart;
    const n = u?.data[0].length ?? 0;
    if (!u || n === 0) return;
    const current = u.cursor.idx ?? n - 1;
    const step = e.shiftKey ? 10 : 1;
    const next =
      e.key === 'ArrowLeft' ? current - step
      : e.key === 'ArrowRight' ? current + step
      : e.key === 'Home' ? 0
      : e.key === 'End' ? n - 1
      : e.key === 'Escape' ? -1
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

  onMount(() => {
    createEffect(() => {
      const opts = props.options();
      const hooks = { ...opts.hooks, draw: [...(opts.hooks?.draw ?? []), markDrawn] };
      const u = untrack(
        () => new uPlot({ ...opts, hooks, width: Math.max(root.clientWidth, 1), height: props.height }, props.data, root),
      );
      chart = u;
      onCleanup(() => {
        u.destroy();
        if (chart === u) chart = undefined;
      });
    });

    createEffect(() => {
      const data = props.data;
      chart?.setData(data);
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
