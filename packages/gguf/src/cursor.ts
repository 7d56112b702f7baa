// Reading a GGUF header field by field from wherever its bytes are: a buffer in memory, or a
// file read in chunks with positioned reads (node/source.ts), so that listing the tensors of a
// 500 MB file reads its header and nothing more.
//
// Every read says what it reads (`what`) and is checked against the size of the whole source
// first: a file that ends early gives "<what> needs N bytes at byte P but the file has S bytes",
// never a RangeError, and nothing is allocated for bytes that do not exist.
// Not here: what the fields mean (header.ts, read-value.ts).

import { fail } from "./errors.ts";

/** Random access to the bytes of a file. */
export interface ByteSource {
  /** Total size in bytes. */
  readonly byteLength: number;
  /** Exactly `length` bytes from `position` (callers stay within byteLength). May be a view. */
  read(position: number, length: number): Uint8Array;
}

/** A buffer in memory as a ByteSource (reads are views, no copies). */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    byteLength: bytes.byteLength,
    read: (position, length) => bytes.subarray(position, position + length),
  };
}

// Bytes fetched from the source at a time: a header is read in a few reads, not one per field.
const CHUNK = 1 << 16;

/** Little-endian fields, one after another, from a ByteSource. */
export class Cursor {
  /** Absolute position of the next byte to read. */
  position = 0;
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;
  private view = new DataView(this.window.buffer);

  constructor(
    private readonly source: ByteSource,
    readonly fileName?: string,
  ) {}

  /** Bytes left between the position and the end of the source. */
  get remaining(): number {
    return this.source.byteLength - this.position;
  }

  /** Make the next n bytes available in the window; returns their offset within it. */
  private take(n: number, what: string): number {
    if (n > this.remaining) {
      fail(
        `${what} needs ${n} bytes at byte ${this.position} but the file has ${this.source.byteLength} bytes`,
        this.fileName,
      );
    }
    let at = this.position - this.windowStart;
    if (at < 0 || at + n > this.window.byteLength) {
      const length = Math.min(this.remaining, Math.max(n, CHUNK));
      this.window = this.source.read(this.position, length);
      this.windowStart = this.position;
      this.view = new DataView(this.window.buffer, this.window.byteOffset, this.window.byteLength);
      at = 0;
    }
    this.position += n;
    return at;
  }

  /** The next n bytes (a view: copy it to keep it past the next read). */
  bytes(n: number, what: string): Uint8Array {
    const at = this.take(n, what);
    return this.window.subarray(at, at + n);
  }

  // NOTE: each reader calls take() before touching this.view: take() may replace the view, and
  // `this.view.getX(this.take(...))` would read from the old one.
  u8(what: string): number {
    const at = this.take(1, what);
    return this.view.getUint8(at);
  }
  i8(what: string): number {
    const at = this.take(1, what);
    return this.view.getInt8(at);
  }
  u16(what: string): number {
    const at = this.take(2, what);
    return this.view.getUint16(at, true);
  }
  i16(what: string): number {
    const at = this.take(2, what);
    return this.view.getInt16(at, true);
  }
  u32(what: string): number {
    const at = this.take(4, what);
    return this.view.getUint32(at, true);
  }
  i32(what: string): number {
    const at = this.take(4, what);
    return this.view.getInt32(at, true);
  }
  f32(what: string): number {
    const at = this.take(4, what);
    return this.view.getFloat32(at, true);
  }
  f64(what: string): number {
    const at = this.take(8, what);
    return this.view.getFloat64(at, true);
  }
  u64(what: string): bigint {
    const at = this.take(8, what);
    return this.view.getBigUint64(at, true);
  }
  i64(what: string): bigint {
    const at = this.take(8, what);
    return this.view.getBigInt64(at, true);
  }
}
