import { Show } from 'solid-js';
import { direction, formatChange, formatPrice, formatTime } from './format.ts';
import { PriceChart } from './PriceChart.tsx';
import type { LatestRow, Series } from './types.ts';

const ARROW = { up: '▲', down: '▼', flat: '■' } as const;

/** One configured symbol: its newest price and change, and its chart. */
export function SymbolCard(props: { id: string; symbol: string; latest: LatestRow | undefined; series: Series | undefined }) {
  const dir = () => direction(props.latest?.change ?? null);

  return (
    <article class="card" aria-labelledby={props.id}>
      <header class="card-head">
        <h2 id={props.id}>{props.symbol}</h2>
        <Show when={props.latest}>
          {(row) => (
            <span class="meta">
              {row().asset_type}
              <Show when={row().exchange}>{(exchange) => <> · {exchange()}</>}</Show>
            </span>
          )}
        </Show>
      </header>
      <Show when={props.latest} fallback={<p class="quote muted">—</p>}>
        {(row) => (
          <>
            <p class="quote">
              <span class="price">{formatPrice(row().close, row().currency)}</span>
              <span class={`change ${dir() ?? ''}`}>
                <Show when={dir()}>{(d) => <span aria-hidden="true">{ARROW[d()]} </span>}</Show>
                {formatChange(row().change, row().change_pct, row().close)}
              </span>
            </p>
            <p class="asof muted">
              bar of <time datetime={row().ts}>{formatTime(row().ts)}</time>
            </p>
          </>
        )}
      </Show>
      <div class="chart-box">
        <PriceChart symbol={props.symbol} series={props.series} />
        <Show when={(props.series?.ts.length ?? 0) === 0}>
          <p class="placeholder muted">{props.series ? 'No bars yet' : 'Loading…'}</p>
        </Show>
      </div>
    </article>
  );
}
