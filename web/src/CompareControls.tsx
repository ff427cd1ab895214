import { For } from 'solid-js';
import { toggleCompared, type ViewState } from './view.ts';

export interface CompareControlsProps {
  /** The watch list: what may be compared, in order. */
  symbols: readonly string[];
  /** The choice as stored in the view (null: the whole watch list). */
  compare: readonly string[] | null;
  /** The symbols compared now. */
  compared: readonly string[];
  benchmark: string | null;
  onChange: (patch: Partial<Pick<ViewState, 'compare' | 'benchmark'>>) => void;
}

/** Which watched symbols the comparison draws, and which one is the benchmark: native inputs, labelled. */
export function CompareControls(props: CompareControlsProps) {
  return (
    <div class="compare-controls">
      <fieldset class="checks">
        <legend>Compare</legend>
        <For each={props.symbols}>
          {(symbol) => (
            <label class="check">
              <input
                type="checkbox"
                name="compare"
                value={symbol}
                data-testid={`compare-pick-${symbol}`}
                checked={props.compared.includes(symbol)}
                // The last one stays: an empty comparison has nothing to show.
                disabled={props.compared.length === 1 && props.compared.includes(symbol)}
                onChange={() =>
                  props.onChange({
                    compare: toggleCompared({ watch: [...props.symbols], compare: props.compare ? [...props.compare] : null }, symbol),
                  })
                }
              />
              <span>{symbol}</span>
            </label>
          )}
        </For>
      </fieldset>
      <label class="picker">
        <span>Benchmark</span>
        <select
          data-testid="compare-benchmark"
          onChange={(e) => props.onChange({ benchmark: e.currentTarget.value === '' ? null : e.currentTarget.value })}
        >
          <option value="" selected={props.benchmark === null}>
            None
          </option>
          <For each={props.symbols}>
            {(symbol) => (
              <option value={symbol} selected={props.benchmark === symbol}>
                {symbol}
              </option>
            )}
          </For>
        </select>
      </label>
    </div>
  );
}
