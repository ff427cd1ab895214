/**
 * Rows in PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html,
 * "Binary Format"), written straight into byte buffers.
 *
 * Why binary: a bulk load spent more time turning doubles into decimal text (and the server
 * more time parsing it back) than inserting them. Binary float8 is the IEEE 754 value itself,
 * so a double arrives bit for bit, and a timestamp is one 64-bit integer.
 *
 * Plain Uint8Array and DataView, so the same code runs on Node and in the Edge Function (Deno).
 */

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]; // "PGCOPY\n\377\r\n\0"
/** PostgreSQL's epoch, 2000-01-01T00:00:00Z, in Unix milliseconds. */
const PG_EPOCH_MS = 946_684_800_000;
const TWO_POW_32 = 4_294_967_296;

const encoder = new TextEncoder();

/** A text value encoded once and written many times (a symbol on each of its rows). */
export type EncodedText = Uint8Array;

export function encodeText(value: string): EncodedText {
  return encoder.encode(value);
}

export class BinaryCopyWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private offset = 0;

  /** `flushBytes`: how full the buffer gets before `takeIfFull` hands it over. */
  constructor(private readonly flushBytes = 1 << 20) {
    this.buffer = new Uint8Array(flushBytes + (64 << 10));
    this.view = new DataView(this.buffer.buffer);
    this.buffer.set(SIGNATURE, 0);
    this.offset = SIGNATURE.length;
    this.int32(0); // flags: no OIDs
    this.int32(0); // header extension length
  }

  /** Starts a row of `fields` values; each value follows with one of the methods below. */
  row(fields: number): this {
    this.reserve(2);
    this.view.setInt16(this.offset, fields);
    this.offset += 2;
    return this;
  }

  null(): this {
    this.int32(-1);
    return this;
  }

  text(value: EncodedText | null): this {
    if (value === null) return this.null();
    this.reserve(4 + value.length);
    this.view.setInt32(this.offset, value.length);
    this.buffer.set(value, this.offset + 4);
    this.offset += 4 + value.length;
    return this;
  }

  float8(value: number | null): this {
    if (value === null) return this.null();
    this.reserve(12);
    this.view.setInt32(this.offset, 8);
    this.view.setFloat64(this.offset + 4, value);
    this.offset += 12;
    return this;
  }

  int8(value: number | null): this {
    if (value === null) return this.null();
    this.reserve(12);
    this.view.setInt32(this.offset, 8);
    this.int64At(this.offset + 4, value);
    this.offset += 12;
    return this;
  }

  /** A timestamptz from Unix milliseconds: microseconds since 2000-01-01 UTC. */
  timestamptz(ms: number): this {
    return this.int8((ms - PG_EPOCH_MS) * 1000);
  }

  /** The bytes written so far once they reach `flushBytes`, else null. */
  takeIfFull(): Uint8Array | null {
    return this.offset >= this.flushBytes ? this.take() : null;
  }

  /** The rest of the data with the trailer that ends it. The writer is done after this. */
  finish(): Uint8Array {
    this.reserve(2);
    this.view.setInt16(this.offset, -1);
    this.offset += 2;
    return this.take();
  }

  private take(): Uint8Array {
    const chunk = this.buffer.slice(0, this.offset);
    this.offset = 0;
    return chunk;
  }

  private int32(value: number): void {
    this.reserve(4);
    this.view.setInt32(this.offset, value);
    this.offset += 4;
  }

  /**
   * Any integer within ±2^53 as a big-endian int64, without a BigInt per value: the high
   * word is floored so negative values come out in two's complement.
   */
  private int64At(at: number, value: number): void {
    const high = Math.floor(value / TWO_POW_32);
    this.view.setInt32(at, high);
    this.view.setUint32(at + 4, value - high * TWO_POW_32);
  }

  private reserve(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.offset + bytes));
    grown.set(this.buffer.subarray(0, this.offset));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }
}
