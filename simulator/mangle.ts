import type { HostileMode } from './faults.ts';
import { hash, unit } from './hash.ts';

/**
 * Data-level faults: they rewrite a symbol's bars or the finished body text the way real feeds
 * misbehave (duplicate dates, bad ticks, truncated or oversized payloads: docs/twelve-data.md). Every
 * choice is hash-driven, so the same request gets the same damage.
 */

/** One bar as it goes on the wire: all strings, unless `hostileValues: 'wrongTypes'` got at it. */
export type BarItem = Record<string, string | number>;

/** One entry of `values`. `genuine` is false for anything that is not the bar's true, final data. */
export interface Row {
  ts: number;
  item: BarItem | number;
  genuine: boolean;
}

const DUPLICATE_EVERY = 4;
const CORRUPT_EVERY = 5;

/**
 * Repeats every 4th bar (counting from the newest) right after itself, the repeat closing a little
 * higher, as in twelvedata-python#54 where duplicates carried different values.
 */
export function duplicateBars(rows: Row[], seed: number, format: (value: number) => string): Row[] {
  return rows.flatMap((row, i) => {
    if (i % DUPLICATE_EVERY !== 0 || typeof row.item === 'number') return [row];
    const close = Number(row.item.close) * (1 + 0.0005 * (1 + unit(seed, 50, row.ts)));
    const twinClose = format(close);
    const twin: BarItem = { ...row.item, close: twinClose };
    if (close > Number(row.item.high)) twin.high = twinClose;
    return [row, { ts: row.ts, item: twin, genuine: false }];
  });
}

function corrupt(item: BarItem, mode: HostileMode, nth: number): BarItem | number {
  const { open = '', high = '', low = '', close = '' } = item;
  switch (mode) {
    case 'nan':
      return { ...item, high: 'NaN', close: 'NaN' };
    case 'negative':
      return { ...item, open: `-${open}`, high: `-${high}`, low: `-${low}`, close: `-${close}` };
    case 'inverted':
      return { ...item, high: low, low: high === low ? String(Number(high) * 1.01) : high };
    case 'wrongTypes':
      // Alternate the two ways a typed client trips: numbers where strings belong, and a bare
      // number where an object belongs.
      if (nth % 2 === 1) return Number(close);
      return { ...item, ...Object.fromEntries(['open', 'high', 'low', 'close'].map((k) => [k, Number(item[k])])) };
  }
}

/** Corrupts the newest bar and every 5th one after it. */
export function hostileValues(rows: Row[], mode: HostileMode): Row[] {
  return rows.map((row, i) => {
    if (i % CORRUPT_EVERY !== 0 || typeof row.item === 'number') return row;
    return { ts: row.ts, item: corrupt(row.item, mode, i / CORRUPT_EVERY), genuine: false };
  });
}

/** A deterministic shuffle that always moves something when there are two or more rows. */
export function shuffle(rows: Row[], seed: number): Row[] {
  const out = [...rows];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = hash(seed, 60, i) % (i + 1);
    [out[i], out[j]] = [out[j] as Row, out[i] as Row];
  }
  if (out.length >= 2 && out.every((row, i) => row === rows[i])) [out[0], out[1]] = [out[1] as Row, out[0] as Row];
  return out;
}

/** Cuts the body off half-way, as a dropped connection behind a proxy would. */
export function truncate(text: string): string {
  return text.slice(0, Math.floor(text.length / 2));
}

/**
 * Serialises `body` padded with a `_padding` string field to `bytes` bytes of valid JSON (exactly,
 * unless the body is already within the field's own 14 bytes of it). The field goes in the flat
 * body or, for a batch, in its first entry, so the map's keys stay symbols.
 */
export function padJson(body: object, bytes: number): string {
  const plain = JSON.stringify(body);
  if (Buffer.byteLength(plain) >= bytes) return plain;
  // A flat body has a string `status`; in a batch every value is an object, even one keyed "status".
  const batchKey = typeof (body as { status?: unknown }).status === 'string' ? undefined : Object.keys(body)[0];
  const host: Record<string, unknown> =
    batchKey === undefined ? { ...body } : { ...(body as Record<string, object>)[batchKey] };
  const padded = batchKey === undefined ? host : { ...body, [batchKey]: host };
  host._padding = '';
  host._padding = 'x'.repeat(Math.max(0, bytes - Buffer.byteLength(JSON.stringify(padded))));
  return JSON.stringify(padded);
}
