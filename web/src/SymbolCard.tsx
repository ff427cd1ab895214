import { createMemo, Show } from 'solid-js';
import { Chart } from './Chart.tsx';
import { columnData, sparkSpec } from './charts.ts';
import { formatNumber, formatPct, formatPercent, formatPrice, formatTime } from './format.ts';
import { annualised, barsPerYear, kpi } from './kpi.ts';
import { marketHoursLine } from './market-hours.ts';
import { baseLabel, type ReturnRow } from './returns.ts';
import { isoFromEpochSeconds } from './series.ts';
import type { Palette } from './theme.ts';
import type { LatestRow, Series } from './types.ts';
import type { ShownZone } from './zone.ts';

const SPARK_HEIGHT = 56;

export interface SymbolCardProps {
  symbol: string;
  latest: LatestRow | undefined;
  series: Series | undefined;
  range: string;
  /** The range's return as the database defines it; the card shows this, not a figure of its own. */
  ret: ReturnRow | undefined;
  /** Bar length in seconds (of the stored interval), to annualise the volatility. */
  intervalSeconds: number;
  /** The dashboard's clock (ms), for whether the market is open now. */
  now: number;
  palette: Palette;
  selected: boolean;
  stale: boolean;
  onSelect: () => void;
  /** The clock this card's times are stated on: its exchange's, the user's or UTC. */
  zone: ShownZone;
}

/** A watch-list KPI card: last price, change over the range, high/low, volatility, and a sparkline. */
export function SymbolCard(props: SymbolCardProps) {
  const figures = createMemo(() => kpi(props.series));
  const change = () => props.ret?.change_pct ?? null;
  const up = createMemo(() => {
    const c = change();
    return c === null ? null : c >= 0;
  });
  const spec = createMemo(() => sparkSpec(props.palette, up()));
  const data = createMemo(() => columnData(props.series, spec().columns));
  const currency = () => props.latest?.currency ?? null;
  const newest = () => {
    const ts = props.series?.ts;
    return ts && ts.length > 0 ? isoFromEpochSeconds(ts[ts.length - 1]!) : props.latest?.ts;
  };

  return (
    <article class="card" classList={{ selected: props.selected, stale: props.stale }} aria-label={`${props.symbol} summary`}>
      <header class="card-head">
        <h3>
          <button type="button" class="symbol-button" aria-pressed={props.selected} onClick={() => props.onSelect()}>
            {props.symbol}
          </button>
        </h3>
        <span class="meta">
          {props.latest?.asset_type ?? ''}
          <Show when={props.latest?.exchange}>{(exchange) => <> · {exchange()}</>}</Show>
        </span>
      </header>
      <Show when={figures()} fallback={<p class="quote muted">{props.series ? 'No bars in this range' : 'Loading…'}</p>}>
        {(f) => (
          <>
            <p class="quote">
              <span class="price" data-testid={`price-${props.symbol}`}>
                {formatPrice(props.ret?.close ?? f().last, currency())}
              </span>
              <span
                class={`change ${up() === null ? '' : up() ? 'up' : 'down'}`}
                data-testid={`change-${props.symbol}`}
                data-change-pct={change() ?? ''}
              >
                <span class="sr-only">{props.range} change </span>
                <Show when={up() !== null}>
                  <span aria-hidden="true">{up() ? '▲ ' : '▼ '}</span>
                </Show>
                {formatPct(change())}
              </span>
            </p>
            <p class="base muted" data-testid={`base-${props.symbol}`}>
              {baseLabel(props.ret, props.range)}
            </p>
            <dl class="kpis">
              <div>
                <dt>{props.range} high</dt>
                <dd>{formatPrice(f().high, currency())}</dd>
              </div>
              <div>
                <dt>{props.range} low</dt>
                <dd>{formatPrice(f().low, currency())}</dd>
              </div>
              <div>
                <dt
                  title={`Standard deviation of the last 20 bars' log returns, annualised: × √${formatNumber(
                    Math.round(barsPerYear(props.latest?.asset_type, props.intervalSeconds)),
                    0,
                  )} bars a year`}
                >
                  Volatility (ann.)
                </dt>
                <dd data-testid={`volatility-${props.symbol}`}>
                  {(() => {
                    const a = annualised(f().volatilityPct, props.latest?.asset_type, props.intervalSeconds);
                    return formatPercent(a, 1, false);
                  })()}
                </dd>
              </div>
            </dl>
          </>
        )}
      </Show>
      <Chart
        testid={`chart-${props.symbol}`}
        label={`${props.symbol}: close over ${props.range}`}
        height={SPARK_HEIGHT}
        options={() => spec().options}
        data={data()}
        class="spark"
      />
      <Show when={props.latest}>
        {(row) => (
          <p class="hours muted" data-testid={`hours-${props.symbol}`}>
            {marketHoursLine(row(), props.now, props.zone)}
          </p>
        )}
      </Show>
      <p class="asof muted" data-testid={`card-asof-${props.symbol}`}>
        <Show when={newest()} fallback={<>&nbsp;</>}>
          {(ts) => (
            <>
              <Show when={props.stale}>
                <span class="stale-tag">stale</span>{' '}
              </Show>
              bar of <time datetime={ts()}>{formatTime(ts(), props.zone)}</time>
            </>
          )}
        </Show>
      </p>
    </article>
  );
}
