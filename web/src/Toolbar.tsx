import { For } from 'solid-js';
import { RESOLUTION_LABELS } from './bars.ts';
import { BAR_CHOICES, CHART_KINDS, OVERLAY_LABELS, OVERLAYS, PANE_LABELS, PANES, RANGES, toggle, type ViewState } from './view.ts';
import { browserZone, TZ_CHOICES, type TzChoice } from './zone.ts';

/** The zone choices as the select offers them, the local one named so the user knows which it is. */
const TZ_OPTION_TEXT: Record<TzChoice, () => string> = {
  exchange: () => "Exchange's",
  local: () => `Mine (${browserZone().replace(/_/g, ' ')})`,
  utc: () => 'UTC',
};

/** Radio buttons drawn as pills: native inputs, so arrow keys and screen readers work as usual. */
function Pills<T extends string>(props: {
  name: string;
  legend: string;
  values: readonly T[];
  value: T;
  label?: (v: T) => string;
  onChange: (v: T) => void;
}) {
  return (
    <fieldset class="pills">
      <legend class="sr-only">{props.legend}</legend>
      <For each={props.values}>
        {(v) => (
          <label class="pill" data-testid={`${props.name}-${v}`}>
            <input type="radio" name={props.name} value={v} checked={props.value === v} onChange={() => props.onChange(v)} />
            <span>{props.label?.(v) ?? v}</span>
          </label>
        )}
      </For>
    </fieldset>
  );
}

function Checks<T extends string>(props: {
  legend: string;
  name: string;
  values: readonly T[];
  checked: readonly T[];
  label: (v: T) => string;
  onChange: (next: T[]) => void;
  /** The fewest that may stay checked; those last ones cannot be unchecked. */
  min?: number;
}) {
  return (
    <fieldset class="checks">
      <legend>{props.legend}</legend>
      <For each={props.values}>
        {(v) => (
          <label class="check">
            <input
              type="checkbox"
              name={props.name}
              value={v}
              checked={props.checked.includes(v)}
              disabled={props.checked.includes(v) && props.checked.length <= (props.min ?? 0)}
              onChange={() => props.onChange(toggle(props.checked, v, props.values))}
            />
            <span>{props.label(v)}</span>
          </label>
        )}
      </For>
    </fieldset>
  );
}

/** Everything that shapes the view; each change lands in the URL. */
export function Toolbar(props: { symbols: readonly string[]; view: ViewState; onChange: (patch: Partial<ViewState>) => void }) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: a fieldset's default border, padding and min-width would break the toolbar's flex layout.
    <div class="toolbar" role="group" aria-label="View settings">
      <label class="picker">
        <span>Symbol</span>
        <select data-testid="symbol-picker" value={props.view.symbol} onChange={(e) => props.onChange({ symbol: e.currentTarget.value })}>
          <For each={props.symbols}>{(s) => <option value={s}>{s}</option>}</For>
        </select>
      </label>
      <label class="picker">
        <span>Times</span>
        <select
          data-testid="tz-picker"
          value={props.view.tz}
          onChange={(e) => {
            const tz = TZ_CHOICES.find((c) => c === e.currentTarget.value);
            if (tz) props.onChange({ tz });
          }}
        >
          <For each={TZ_CHOICES}>{(c) => <option value={c}>{TZ_OPTION_TEXT[c]()}</option>}</For>
        </select>
      </label>
      <Pills name="range" legend="Time range" values={RANGES} value={props.view.range} onChange={(range) => props.onChange({ range })} />
      <Pills
        name="bars"
        legend="Bar size (auto: by range)"
        values={BAR_CHOICES}
        value={props.view.bars}
        label={(b) => (b === 'auto' ? 'Auto' : RESOLUTION_LABELS[b])}
        onChange={(bars) => props.onChange({ bars })}
      />
      <Pills
        name="chart"
        legend="Chart type"
        values={CHART_KINDS}
        value={props.view.chart}
        label={(k) => (k === 'line' ? 'Line' : 'Candles')}
        onChange={(chart) => props.onChange({ chart })}
      />
      <Checks
        legend="Overlays"
        name="overlays"
        values={OVERLAYS}
        checked={props.view.overlays}
        label={(o) => OVERLAY_LABELS[o]}
        onChange={(overlays) => props.onChange({ overlays })}
      />
      <Checks
        legend="Panes"
        name="panes"
        values={PANES}
        checked={props.view.panes}
        label={(p) => PANE_LABELS[p]}
        onChange={(panes) => props.onChange({ panes })}
      />
      <details
        class="watch-editor"
        data-testid="watch-editor"
        // Escape closes the editor and gives focus back to its summary, like a menu.
        onKeyDown={(e) => {
          if (e.key !== 'Escape' || !e.currentTarget.open) return;
          e.currentTarget.open = false;
          e.currentTarget.querySelector('summary')?.focus();
        }}
      >
        <summary>Watch list ({props.view.watch.length})</summary>
        <Checks
          legend="Symbols on the watch list and in the comparison"
          name="watch"
          values={props.symbols}
          checked={props.view.watch}
          label={(s) => s}
          // An empty watch list would leave nothing to compare, so the last symbol stays.
          min={1}
          onChange={(watch) => props.onChange({ watch })}
        />
      </details>
    </div>
  );
}
