import { createEffect, createMemo, createSignal, For, on, onCleanup, Show, untrack } from 'solid-js';
import { Chart } from './Chart.tsx';
import { CompareControls } from './CompareControls.tsx';
import { type CompareLine, compareData, compareLineStyle, compareOptions, markerBackground, type TimeAxis } from './charts.ts';
import { csvFileName, rebasedCsv } from './csv.ts';
import { download } from './download.ts';
import { formatCrosshairTime, formatPct, formatPp } from './format.ts';
import { type RebaseAnchor, rebase, valueAt } from './rebase.ts';
import { baseLabel, type ReturnRow } from './returns.ts';
import { isoFromEpochSeconds } from './series.ts';
import type { Palette } from './theme.ts';
import type { Series } from './types.ts';
import { benchmarkOf, comparedSymbols, type ViewState } from './view.ts';

export interface CompareProps {
  /** The watch list: the symbols that may be compared, in order. */
  symbols: readonly string[];
  /** The symbols chosen (view.compare); null: the whole watch list. */
  compare: readonly string[] | null;
  /** The symbol the others are measured against; null: none. */
  benchmark: string | null;
  series: readonly Series[];
  /** Each symbol's return over the range (market.returns): its base close is the line's 0 %. */
  returns: ReadonlyMap<string, ReturnRow>;
  range: string;
  palette: Palette;
  compact: boolean;
  onChange: (patch: Partial<Pick<ViewState, 'compare' | 'benchmark'>>) => void;
  /** The clock of the time axis and legend (exchange mode: the one most compared symbols trade on). */
  time: TimeAxis;
}

const epoch = (iso: string) => Date.parse(iso) / 1000;

/**
 * The chosen symbols (and the benchmark) as percent change from each one's base close for the range
 * (market.returns: the same calendar span for stocks and crypto), on one time axis from the
 * earliest base to the newest bar. Each line ends at exactly its card's return; the ranking and the
 * best and worst performer are those returns, and with a benchmark each one's lead or lag on it.
 */
/** How long the comparison waits for a commit's answers to settle before redrawing. */
const SETTLE_MS = 150;

/**
 * `source`, passed on once it has not changed for `ms` (the first value at once): a trailing
 * debounce as a signal.
 */
function settled<T>(source: () => T, ms: number): () => T {
  const [value, setValue] = createSignal<T>(untrack(source));
  let timer: ReturnType<typeof setTimeout> | undefined;
  createEffect(
    on(
      source,
      (next) => {
        clearTimeout(timer);
        timer = setTimeout(() => setValue(() => next), ms);
      },
      { defer: true },
    ),
  );
  onCleanup(() => clearTimeout(timer));
  return value;
}

export function Compare(props: CompareProps) {
  const compared = () => comparedSymbols({ watch: [...props.symbols], compare: props.compare ? [...props.compare] : null });
  const benchmark = () => benchmarkOf({ watch: [...props.symbols], benchmark: props.benchmark });
  /** What is drawn: the compared symbols and the benchmark, in watch-list order. */
  const wanted = createMemo(
    () => {
      const chosen = new Set([...compared(), ...(benchmark() ? [benchmark()!] : [])]);
      return props.symbols.filter((s) => chosen.has(s));
    },
    [],
    { equals: (a, b) => a.length === b.length && a.every((s, i) => s === b[i]) },
  );
  const anchors = createMemo(() => {
    const out = new Map<string, RebaseAnchor>();
    for (const [symbol, r] of props.returns) {
      if (r.base_ts !== null && r.base_close !== null)
        out.set(symbol, { baseTs: epoch(r.base_ts), baseClose: r.base_close, asOfTs: epoch(r.as_of), close: r.close });
    }
    return out;
  });
  // One commit brings several answers (each group of symbols, the returns); the comparison takes
  // them together once they have settled, so redrawing every line does not hold back the cards.
  const inputs = settled(() => ({ series: props.series, anchors: anchors() }), SETTLE_MS);
  const rebased = createMemo(() => {
    const { series, anchors: bases } = inputs();
    const bySymbol = new Map(series.map((s) => [s.symbol, s]));
    return rebase(
      wanted().flatMap((s) => bySymbol.get(s) ?? []),
      bases,
    );
  });
  const performance = createMemo(() =>
    wanted()
      .flatMap((symbol) => {
        const pct = props.returns.get(symbol)?.change_pct;
        return pct === null || pct === undefined ? [] : [{ symbol, changePct: pct }];
      })
      .sort((a, b) => b.changePct - a.changePct),
  );
  const missing = () => wanted().filter((s) => !performance().some((p) => p.symbol === s));
  const benchmarkPct = () => {
    const b = benchmark();
    return b === null ? null : (props.returns.get(b)?.change_pct ?? null);
  };

  const color = (symbol: string) =>
    symbol === benchmark()
      ? props.palette.axis
      : props.palette.series[Math.max(0, props.symbols.indexOf(symbol)) % props.palette.series.length]!;
  const lines = createMemo<CompareLine[]>(
    () => rebased().symbols.map((symbol) => ({ symbol, color: color(symbol), benchmark: symbol === benchmark() })),
    [],
    {
      equals: (a, b) =>
        a.length === b.length && a.every((l, i) => l.symbol === b[i]!.symbol && l.color === b[i]!.color && l.benchmark === b[i]!.benchmark),
    },
  );
  /** A line's legend marker: drawn with its colour and dash, as on the chart. */
  const marker = (symbol: string) => {
    const i = lines().findIndex((l) => l.symbol === symbol);
    return i < 0 ? 'none' : markerBackground(compareLineStyle(lines()[i]!, i));
  };
  /** The time under the cursor, epoch seconds; null: not hovering, the legend shows the newest values. */
  const [hover, setHover] = createSignal<number | null>(null);
  const time = createMemo(() => props.time, undefined, { equals: (a, b) => a.zone === b.zone && a.name === b.name });
  const options = createMemo(() => compareOptions(lines(), props.palette, time(), setHover));
  // A rebuilt chart has no cursor until the pointer moves again.
  createEffect(on(options, () => setHover(null), { defer: true }));
  const shownAt = () => hover() ?? rebased().span?.[1] ?? null;
  /** Best and worst among the compared symbols: the benchmark is the yardstick, not a contender (unless also compared). */
  const contenders = () => performance().filter((p) => compared().includes(p.symbol));
  const best = () => contenders()[0];
  const worst = () => {
    const p = contenders();
    return p.length > 1 ? p[p.length - 1] : undefined;
  };

  return (
    <section class="panel" aria-labelledby="compare-title">
      <header class="panel-head">
        <h2 id="compare-title">
          Comparison<span class="muted"> · % change since each symbol's {props.range} base close</span>
        </h2>
        <button
          type="button"
          data-testid="export-compare-csv"
          onClick={() =>
            download(csvFileName('comparison', props.range, rebased().ts.at(-1)), rebasedCsv(rebased(), props.range, time().name))
          }
        >
          Download CSV
        </button>
      </header>
      <CompareControls
        symbols={props.symbols}
        compare={props.compare}
        compared={compared()}
        benchmark={benchmark()}
        onChange={props.onChange}
      />
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
        <Show when={missing().length > 0}>
          <div>
            <dt>No return over {props.range}</dt>
            <dd>
              {missing()
                .map((s) => `${s}${props.returns.get(s) ? ` (${baseLabel(props.returns.get(s), props.range)})` : ''}`)
                .join(', ')}
            </dd>
          </div>
        </Show>
      </dl>
      <Chart
        testid="chart-compare"
        label={`${rebased().symbols.join(', ')}: percent change since the ${props.range} base close${benchmark() ? `, against ${benchmark()}` : ''}`}
        height={props.compact ? 220 : 280}
        options={options}
        data={compareData(rebased())}
        attrs={{ 'data-symbols': rebased().symbols.join(','), 'data-benchmark': benchmark() ?? '' }}
        keyboard
      />
      <div class="compare-legend" data-testid="compare-legend">
        <Show when={shownAt() !== null}>
          <span class="muted" data-testid="compare-legend-time" data-t={shownAt()!}>
            {hover() === null ? 'Latest · ' : ''}
            <time
              datetime={isoFromEpochSeconds(shownAt()!)}
            >{`${formatCrosshairTime(shownAt()! * 1000, time().zone)} ${time().name}`}</time>
          </span>
        </Show>
        <For each={rebased().lines}>
          {(line) => {
            const value = () => {
              const t = shownAt();
              return t === null ? null : valueAt(line, t);
            };
            return (
              <span class="compare-legend-item" data-testid={`compare-item-${line.symbol}`} data-end-pct={line.pct.at(-1)}>
                <span class="compare-marker" style={{ background: marker(line.symbol) }} aria-hidden="true" />
                {line.symbol}
                <Show when={line.symbol === benchmark()}>
                  <span class="muted"> (benchmark)</span>
                </Show>{' '}
                <span data-testid={`compare-value-${line.symbol}`} data-value={value() ?? ''}>
                  {formatPct(value())}
                </span>
              </span>
            );
          }}
        </For>
      </div>
      <ol class="ranking" aria-label={`Change over the range, best first${benchmark() ? `, and against ${benchmark()}` : ''}`}>
        <For each={performance()}>
          {(p) => {
            const vs = () => {
              const b = benchmarkPct();
              return b === null || p.symbol === benchmark() ? null : p.changePct - b;
            };
            return (
              <li data-testid={`rank-${p.symbol}`} data-change-pct={p.changePct} data-vs-benchmark={vs() ?? ''}>
                <span>{p.symbol}</span> <span class={p.changePct >= 0 ? 'up' : 'down'}>{formatPct(p.changePct)}</span>{' '}
                <Show when={p.symbol === benchmark()}>
                  <span class="benchmark-tag">benchmark</span>{' '}
                </Show>
                <Show when={vs() !== null}>
                  <span data-testid={`vs-benchmark-${p.symbol}`}>
                    {formatPp(vs()!)} vs {benchmark()}
                  </span>{' '}
                </Show>
                <span class="muted">{baseLabel(props.returns.get(p.symbol), props.range)}</span>
              </li>
            );
          }}
        </For>
      </ol>
    </section>
  );
}
