import type { HostileMode } from './faults.ts';
import { hash, unit } from './hash.ts';

/**
 * Data-level faults: they rewrite a symbol's bars or the finished body text the way real feeds
 * misbehave (duplicate dates, bad ticks, truncated or oversized payloads: docs/twelve-data.md). Every
 * choice is hash-driven, so the same request gets the same damage.
 */

/** One bar as it goes on the wire: all strings, unless `hostileValues: 'wrongTypes'` got at it. */
export type BarItem = Record<string, string | number>;

/**
 * Stands in for a deeply nested array (`[[[[…]]]]`) until the body is serialised: JSON.stringify
 * itself would overflow the stack on one. expandMarks() swaps it for the real text.
 */
export const NESTED_ARRAY_MARK = '\u0000sim:nested-array';
/** Deep enough that a recursive walk (JSON.stringify, String(), a naive validator) overflows V8's stack. */
const NESTED_DEPTH = 100_000;

/** One entry of `values`. `genuine` is false for anything that is not the bar's true, final data. */
export interface Row {
  ts: number;
  item: BarItem | number | string;
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
    if (i % DUPLICATE_EVERY !== 0 || typeof row.item !== 'object') return [row];
    const close = Number(row.item.close) * (1 + 0.0005 * (1 + unit(seed, 50, row.ts)));
    const twinClose = format(close);
    const twin: BarItem = { ...row.item, close: twinClose };
    if (close > Number(row.item.high)) twin.high = twinClose;
    return [row, { ts: row.ts, item: twin, genuine: false }];
  });
}

/** `2026-11-18 15:30:00` moved off any bar grid (`15:37:13`); a date gains that time of day. */
function offGrid(datetime: string): string {
  const [date, time = '12:00:00'] = String(datetime).split(' ');
  const [hh = '12', mm = '00'] = time.split(':');
  return `${date} ${hh}:${String((Number(mm) + 7) % 60).padStart(2, '0')}:13`;
}

function corrupt(item: BarItem, mode: HostileMode, nth: number): BarItem | number | string {
  const { open = '', high = '', low = '', close = '' } = item;
  const intraday = String(item.datetime).includes(' ');
  switch (mode) {
    case 'huge':
      // The wire form the issue saw ("1e308"), alternating with a plain decimal far past any real price.
      return { ...item, high: nth % 2 === 0 ? '1e308' : '1000000000000000.00', close: nth % 2 === 0 ? '1e308' : '1000000000000000.00' };
    case 'hex': {
      // "0x64" is 100 to Number(): consistent OHLC in hex, so only the notation gives it away.
      const hex = (v: string | number) => `0x${Math.max(1, Math.round(Number(v))).toString(16)}`;
      return { ...item, open: hex(open), high: hex(high), low: hex(low), close: hex(close) };
    }
    case 'offGrid':
      return { ...item, datetime: offGrid(String(item.datetime)) };
    case 'year1970':
      return {
        ...item,
        datetime: intraday ? `1970-01-01 ${String(nth % 24).padStart(2, '0')}:00:00` : `1970-01-${String((nth % 28) + 1).padStart(2, '0')}`,
      };
    case 'nestedArray':
      return NESTED_ARRAY_MARK;
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

/** Corrupts the newest bar and every 5th one after it; several modes take turns. */
export function hostileValues(rows: Row[], modes: HostileMode | readonly HostileMode[]): Row[] {
  const list = typeof modes === 'string' ? [modes] : modes;
  return rows.map((row, i) => {
    if (i % CORRUPT_EVERY !== 0 || typeof row.item !== 'object') return row;
    const k = i / CORRUPT_EVERY;
    const mode = list[k % list.length] as HostileMode;
    return { ts: row.ts, item: corrupt(row.item, mode, Math.floor(k / list.length)), genuine: false };
  });
}

/** Later marks in a body nest this deep only, so a body of thousands of bars stays a few MB. */
const SHALLOW_DEPTH = 64;

/**
 * The finished body text with NESTED_ARRAY_MARKs replaced by nested arrays: the first in each body
 * 100 000 deep (200 KB), the others 64 deep.
 */
export function expandMarks(text: string): string {
  const mark = JSON.stringify(NESTED_ARRAY_MARK);
  if (!text.includes(mark)) return text;
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  let first = true;
  return text.replaceAll(mark, () => {
    const depth = first ? NESTED_DEPTH : SHALLOW_DEPTH;
    first = false;
    return nested(depth);
  });
}

/** Pads every error message in `body` (flat, or each entry of a batch) to `chars` characters. */
export function padErrorMessages(body: object, chars: number): object {
  const pad = (entry: Record<string, unknown>) => {
    if (entry.status !== 'error' || typeof entry.message !== 'string' || entry.message.length >= chars) return entry;
    // Upstream text at its worst: newlines that would forge log lines and ANSI codes for the terminal.
    const filler = ' \n[etl] forged log line \u001b[31mred\u001b[0m';
    return { ...entry, message: (entry.message + filler.repeat(Math.ceil(chars / filler.length))).slice(0, chars) };
  };
  const flat = body as Record<string, unknown>;
  if (typeof flat.status === 'string') return pad(flat);
  return Object.fromEntries(Object.entries(flat).map(([key, entry]) => [key, pad(entry as Record<string, unknown>)]));
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
  const host: Record<string, unknown> = batchKey === undefined ? { ...body } : { ...(body as Record<string, object>)[batchKey] };
  const padded = batchKey === undefined ? host : { ...body, [batchKey]: host };
  host._padding = '';
  host._padding = 'x'.repeat(Math.max(0, bytes - Buffer.byteLength(JSON.stringify(padded))));
  return JSON.stringify(padded);
}
