/**
 * The dashboard's boundary: every answer of the read API and every stream event goes through the
 * shared contract's schemas (functions/_shared/contract.ts), so a contract drift fails loudly here
 * instead of as NaN on a chart. The error names the field: `latest.rows[0].close should be ...`.
 */
import {
  barsEventSchema,
  configSchema,
  etlRunSchema,
  latestRunSchema,
  latestSchema,
  NULLABLE_COLUMNS,
  PRICE_COLUMNS,
  SERIES_COLUMNS,
  type SeriesColumn,
  seriesSchema,
} from '../../functions/_shared/contract.ts';
import type { BarsEvent, Config, EtlRun, LatestRow, Series } from './types.ts';

export class ShapeError extends Error {
  override name = 'ShapeError';
  constructor(
    readonly path: string,
    expected: string,
  ) {
    super(`unexpected response: ${path} should be ${expected}`);
  }
}

interface Issue {
  path: readonly PropertyKey[];
  message: string;
}

interface Schema<T> {
  safeParse(body: unknown): { success: true; data: T } | { success: false; error: { issues: readonly Issue[] } };
}

function pathOf(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${String(key)}`), root);
}

function parseWith<T>(schema: Schema<T>, body: unknown, root: string): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  throw new ShapeError(pathOf(root, issue?.path ?? []), issue?.message ?? 'valid');
}

export function parseConfig(body: unknown): Config {
  return parseWith(configSchema, body, 'config');
}

export function parseLatest(body: unknown): LatestRow[] {
  return parseWith(latestSchema, body, 'latest').rows;
}

export function parseRun(body: unknown, path = 'run'): EtlRun {
  return parseWith(etlRunSchema, body, path);
}

export function parseLatestRun(body: unknown): EtlRun | null {
  return parseWith(latestRunSchema, body, 'runs/latest').run;
}

export function parseBarsEvent(body: unknown): BarsEvent {
  return parseWith(barsEventSchema, body, 'bars');
}

/**
 * The series answer, holding at least `columns` (the ones asked for), each as long as `ts`. Columns
 * not asked for are filled with nulls, so every held series has the same shape: nothing is drawn
 * from them.
 */
export function parseSeries(body: unknown, columns: readonly SeriesColumn[] = SERIES_COLUMNS): Series[] {
  return parseWith(seriesSchema, body, 'series').series.map((entry, i) => {
    const n = entry.ts.length;
    const s = { symbol: entry.symbol, ts: entry.ts } as Series;
    for (const c of [...PRICE_COLUMNS, ...NULLABLE_COLUMNS]) {
      const values = entry[c];
      if (values === undefined) {
        if (columns.includes(c)) throw new ShapeError(`series.series[${i}].${c}`, 'an array');
        (s as Record<SeriesColumn, (number | null)[]>)[c] = new Array<null>(n).fill(null);
        continue;
      }
      if (values.length !== n) throw new ShapeError(`series.series[${i}].${c}`, `${n} long like ts`);
      (s as Record<SeriesColumn, (number | null)[]>)[c] = values;
    }
    return s;
  });
}
