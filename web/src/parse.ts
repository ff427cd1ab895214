/**
 * Minimal shape checks for what the server sends, so a contract drift fails loudly at the boundary
 * instead of as NaN on a chart. Hand-written rather than zod to keep the bundle small.
 */
import {
  NULLABLE_COLUMNS,
  PRICE_COLUMNS,
  type AssetType,
  type BarsEvent,
  type Config,
  type EtlRun,
  type LatestRow,
  type RunStatus,
  type Series,
} from './types.ts';

export class ShapeError extends Error {
  override name = 'ShapeError';
  constructor(readonly path: string, expected: string) {
    super(`unexpected response: ${path} should be ${expected}`);
  }
}

type Obj = Record<string, unknown>;

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ShapeError(path, 'an object');
  return v as Obj;
}

function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new ShapeError(path, 'an array');
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new ShapeError(path, 'a string');
  return v;
}

function num(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ShapeError(path, 'a finite number');
  return v;
}

/** Rejects epoch milliseconds, the likeliest contract slip: they would plot tens of millennia ahead. */
function epochSeconds(v: unknown, path: string): number {
  const n = num(v, path);
  if (Math.abs(n) >= 1e11) throw new ShapeError(path, 'epoch seconds');
  return n;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw new ShapeError(path, 'a boolean');
  return v;
}

function nullable<T>(check: (v: unknown, path: string) => T) {
  return (v: unknown, path: string): T | null => (v === null ? null : check(v, path));
}

function oneOf<T extends string>(values: readonly T[]) {
  return (v: unknown, path: string): T => {
    if (!values.includes(v as T)) throw new ShapeError(path, `one of ${values.join('|')}`);
    return v as T;
  };
}

function isoTime(v: unknown, path: string): string {
  const s = str(v, path);
  if (Number.isNaN(Date.parse(s))) throw new ShapeError(path, 'an ISO time');
  return s;
}

const nullableStr = nullable(str);
const nullableNum = nullable(num);
const nullableIso = nullable(isoTime);
const assetType = oneOf<AssetType>(['stock', 'crypto']);
const runStatus = oneOf<RunStatus>(['running', 'succeeded', 'partial', 'failed', 'skipped']);

function strings(v: unknown, path: string): string[] {
  return arr(v, path).map((s, i) => str(s, `${path}[${i}]`));
}

export function parseConfig(body: unknown): Config {
  const o = obj(body, 'config');
  return {
    symbols: strings(o.symbols, 'config.symbols'),
    interval: str(o.interval, 'config.interval'),
    simulated: bool(o.simulated, 'config.simulated'),
  };
}

export function parseLatest(body: unknown): LatestRow[] {
  return arr(obj(body, 'latest').rows, 'latest.rows').map((r, i) => {
    const p = `latest.rows[${i}]`;
    const o = obj(r, p);
    return {
      symbol: str(o.symbol, `${p}.symbol`),
      asset_type: assetType(o.asset_type, `${p}.asset_type`),
      exchange: nullableStr(o.exchange, `${p}.exchange`),
      currency: nullableStr(o.currency, `${p}.currency`),
      ts: isoTime(o.ts, `${p}.ts`),
      close: num(o.close, `${p}.close`),
      change: nullableNum(o.change, `${p}.change`),
      change_pct: nullableNum(o.change_pct, `${p}.change_pct`),
    };
  });
}

export function parseRun(body: unknown, path = 'run'): EtlRun {
  const o = obj(body, path);
  return {
    etl_run_id: num(o.etl_run_id, `${path}.etl_run_id`),
    started_at: isoTime(o.started_at, `${path}.started_at`),
    finished_at: nullableIso(o.finished_at, `${path}.finished_at`),
    status: runStatus(o.status, `${path}.status`),
    trigger: str(o.trigger, `${path}.trigger`),
    bars_upserted: num(o.bars_upserted, `${path}.bars_upserted`),
    credits_used: num(o.credits_used, `${path}.credits_used`),
    error: nullableStr(o.error, `${path}.error`),
  };
}

export function parseLatestRun(body: unknown): EtlRun | null {
  const run = obj(body, 'runs/latest').run;
  return run === null ? null : parseRun(run, 'runs/latest.run');
}

export function parseBarsEvent(body: unknown): BarsEvent {
  const o = obj(body, 'bars');
  return {
    interval: str(o.interval, 'bars.interval'),
    symbols: o.symbols === undefined || o.symbols === null ? null : strings(o.symbols, 'bars.symbols'),
    max_ts: isoTime(o.max_ts, 'bars.max_ts'),
  };
}

function column<T>(v: unknown, path: string, length: number, check: (v: unknown, path: string) => T): T[] {
  const a = arr(v, path);
  if (a.length !== length) throw new ShapeError(path, `${length} long like ts`);
  for (let i = 0; i < a.length; i++) check(a[i], `${path}[${i}]`);
  return a as T[];
}

export function parseSeries(body: unknown): Series[] {
  return arr(obj(body, 'series').series, 'series.series').map((e, i) => {
    const p = `series.series[${i}]`;
    const o = obj(e, p);
    const ts = arr(o.ts, `${p}.ts`);
    const n = ts.length;
    const s = { symbol: str(o.symbol, `${p}.symbol`), ts: column(ts, `${p}.ts`, n, epochSeconds) } as Series;
    for (const c of PRICE_COLUMNS) s[c] = column(o[c], `${p}.${c}`, n, num);
    for (const c of NULLABLE_COLUMNS) s[c] = column(o[c], `${p}.${c}`, n, nullableNum);
    return s;
  });
}
