import { createMemo, For, Show } from 'solid-js';
import { Chart } from './Chart.tsx';
import { compareData, compareOptions } from './charts.ts';
import { csvFileName, rebasedCsv } from './csv.ts';
import { download } from './download.ts';
import { formatPct } from './format.ts';
import { rebase } from './rebase.ts';
import { lastTs } from './series.ts';
import type { Palette } from './theme.ts';
import type { Series } from './types.ts';

export interface CompareProps {
  symbols: readonly string[];
  series: readonly Series[];
  /** The range in seconds, back from the newest bar of any compared symbol; null: everything held. */
  span: number | null;
  range: string;
  palette: Palette;
  compact: boolean;
}

/**
 * The watch list rebased to 100 at the start of one common window, so stocks and crypto compare on
 * one axis; best and worst performer over it. The window ends at the newest bar of any of them.
 */
export function Compare(props: CompareProps) {
  const from = createMemo(() => {
    const newest = Math.max(...props.series.map((s) => lastTs(s) ?? -Infinity));
    return props.span === null || !Number.isFinite(newest) ? undefined : newest - props.span;
  });
  const rebased = createMemo(() => rebase(props.series, from()));
  const drawn = createMemo(() => rebased().symbols, [], {
    equals: (a, b) => a.length === b.length && a.every((s, i) => s === b[i]),
  });
  const options = createMemo(() => compareOptions(drawn(), props.palette));
  const best = () => rebased().performance[0];
  const worst = () => {
    const p = rebased().performance;
    return p.length > 1 ? p[p.length - 1] : undefined;
  };

  return (
    <section class="panel" aria-labelledby="compare-title">
      <header class="panel-head">
        <h2 id="compare-title">
          Comparison<span class="muted"> · rebased to 100 at the start of {props.range}</span>
        </h2>
        <button
          type="button"
          data-testid="export-compare-csv"
          onClick={() => download(csvFileName('comparison', props.range, rebased().ts.at(-1)), rebasedCsv(rebased()))}
        >
          Download CSV
        </button>
      </header>
      <dl class="performers" data-testid="performers">
        <Show when={best()}>
          {(b) => (
            <div class="best">
              <dt>Best</dt>
              <dd>
                {b().symbol} <span class="up">{formatPct(b().changePct)}</span>
              </dd>
            </div>
          )}
        </Show>
        <Show when={worst()}>
          {(w) => (
            <div class="worst">
              <dt>Worst</dt>
              <dd>
                {w().symbol} <span class={w().changePct < 0 ? 'down' : 'up'}>{formatPct(w().changePct)}</span>
              </dd>
            </div>
          )}
        </Show>
        <Show when={rebased().missing.length > 0}>
          <div>
            <dt>No bars in range</dt>
            <dd>{rebased().missing.join(', ')}</dd>
          </div>
        </Show>
      </dl>
      <Chart
        testid="chart-compare"
        label={`${drawn().join(', ')} rebased to 100 at the start of ${props.range}`}
        height={props.compact ? 220 : 280}
        options={options}
        data={compareData(rebased())}
        attrs={{ 'data-symbols': drawn().join(',') }}
        keyboard
      />
      <ol class="ranking" aria-label="Change over the range, best first">
        <For each={rebased().performance}>
          {(p) => (
            <li>
              <span>{p.symbol}</span> <span class={p.changePct >= 0 ? 'up' : 'down'}>{formatPct(p.changePct)}</span>
            </li>
          )}
        </For>
      </ol>
    </section>
  );
}
