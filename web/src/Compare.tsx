import { createMemo, For, Show } from 'solid-js';
import { Chart } from './Chart.tsx';
import { compareData, compareOptions, type TimeAxis } from './charts.ts';
import { csvFileName, rebasedCsv } from './csv.ts';
import { download } from './download.ts';
import { formatPct } from './format.ts';
import { type RebaseBase, rebase } from './rebase.ts';
import { baseLabel, type ReturnRow } from './returns.ts';
import type { Palette } from './theme.ts';
import type { Series } from './types.ts';

export interface CompareProps {
  symbols: readonly string[];
  series: readonly Series[];
  /** Each symbol's return over the range (market.returns): its base close is the line's 100. */
  returns: ReadonlyMap<string, ReturnRow>;
  range: string;
  palette: Palette;
  compact: boolean;
  /** The clock of the time axis and legend (exchange mode: the one most compared symbols trade on). */
  time: TimeAxis;
}

/**
 * The watch list rebased to 100 at each symbol's base close for the range (market.returns: the same
 * calendar span for stocks and crypto), so they compare on one axis; the ranking and the best and
 * worst performer are the database's returns, the very numbers on the cards.
 */
export function Compare(props: CompareProps) {
  const bases = createMemo(() => {
    const out = new Map<string, RebaseBase>();
    for (const [symbol, r] of props.returns) {
      if (r.base_ts !== null && r.base_close !== null && r.base_close > 0)
        out.set(symbol, { ts: Date.parse(r.base_ts) / 1000, close: r.base_close });
    }
    return out;
  });
  const rebased = createMemo(() => {
    const drawn = rebase(props.series, undefined, bases());
    const performance = props.symbols
      .flatMap((symbol) => {
        const pct = props.returns.get(symbol)?.change_pct;
        return pct === null || pct === undefined ? [] : [{ symbol, changePct: pct }];
      })
      .sort((a, b) => b.changePct - a.changePct);
    const missing = props.symbols.filter((s) => !performance.some((p) => p.symbol === s));
    return { ...drawn, performance, missing };
  });
  const drawn = createMemo(() => rebased().symbols, [], {
    equals: (a, b) => a.length === b.length && a.every((s, i) => s === b[i]),
  });
  const time = createMemo(() => props.time, undefined, { equals: (a, b) => a.zone === b.zone && a.name === b.name });
  const options = createMemo(() => compareOptions(drawn(), props.palette, time()));
  const best = () => rebased().performance[0];
  const worst = () => {
    const p = rebased().performance;
    return p.length > 1 ? p[p.length - 1] : undefined;
  };

  return (
    <section class="panel" aria-labelledby="compare-title">
      <header class="panel-head">
        <h2 id="compare-title">
          Comparison<span class="muted"> · rebased to 100 at each symbol's {props.range} base close</span>
        </h2>
        <button
          type="button"
          data-testid="export-compare-csv"
          onClick={() => download(csvFileName('comparison', props.range, rebased().ts.at(-1)), rebasedCsv(rebased(), time().name))}
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
                {b().symbol} <span class={b().changePct < 0 ? 'down' : 'up'}>{formatPct(b().changePct)}</span>
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
            <dt>No return over {props.range}</dt>
            <dd>
              {rebased()
                .missing.map((s) => `${s}${props.returns.get(s) ? ` (${baseLabel(props.returns.get(s), props.range)})` : ''}`)
                .join(', ')}
            </dd>
          </div>
        </Show>
      </dl>
      <Chart
        testid="chart-compare"
        label={`${drawn().join(', ')} rebased to 100 at the ${props.range} base close`}
        height={props.compact ? 220 : 280}
        options={options}
        data={compareData(rebased())}
        attrs={{ 'data-symbols': drawn().join(',') }}
        keyboard
      />
      <ol class="ranking" aria-label="Change over the range, best first">
        <For each={rebased().performance}>
          {(p) => (
            <li data-testid={`rank-${p.symbol}`} data-change-pct={p.changePct}>
              <span>{p.symbol}</span> <span class={p.changePct >= 0 ? 'up' : 'down'}>{formatPct(p.changePct)}</span>{' '}
              <span class="muted">{baseLabel(props.returns.get(p.symbol), props.range)}</span>
            </li>
          )}
        </For>
      </ol>
    </section>
  );
}
