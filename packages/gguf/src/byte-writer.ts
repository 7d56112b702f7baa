// A growable little-endian byte buffer for building a GGUF header: append fields, take the bytes.
// Not here: what the fields are (write.ts, write-value.ts).

const encoder = new TextEncoder();

export class ByteWriter {
  private buffer = new Uint8Array(1024);
  private view = new DataView(this.buffer.buffer);
  /** Bytes written so far. */
  length = 0;

  /** Make room for n more bytes, doubling the buffer as needed; returns where they start. Call it
   * before touching this.buffer / this.view: it may replace them. */
  private reserve(n: number): number {
    const at = this.length;
    if (at + n > this.buffer.byteLength) {
      const bigger = new Uint8Array(Math.max(2 * this.buffer.byteLength, at + n));
      bigger.set(this.buffer.subarray(0, at));
      this.buffer = bigger;
      this.view = new DataView(bigger.buffer);
    }
    this.length += n;
    return at;
  }

  bytes(b: Uint8Array): void {
    const at = this.reserve(b.byteLength);
    this.buffer.set(b, at);
  }
  /** n zero bytes (padding). */
  zeros(n: number): void {
    const at = this.reserve(n);
    this.buffer.fill(0, at, at + n);
  }
  u8(v: number): void {
    const at = this.reserve(1);
    this.view.setUint8(at, v);
  }
  i8(v: number): void {
    const at = this.reserve(1);
    this.view.setInt8(at, v);
  }
  u16(v: number): void {
    const at = this.reserve(2);
    this.view.setUint16(at, v, true);
  }
  i16(v: number): void {
    const at = this.reserve(2);
    this.view.setInt16(at, v, true);
  }
  u32(v: number): void {
    const at = this.reserve(4);
    this.view.setUint32(at, v, true);
  }
  i32(v: number): void {
    const at = this.reserve(4);
    this.view.setInt32(at, v, true);
  }
  f32(v: number): void {
    const at = this.reserve(4);
    this.view.setFloat32(at, v, true);
  }
  f64(v: number): void {
    const at = this.reserve(8);
    this.view.setFloat64(at, v, true);
  }
  u64(v: bigint | number): void {
    const at = this.reserve(8);
    this.view.setBigUint64(at, BigInt(v), true);
  }
  i64(v: bigint): void {
    const at = this.reserve(8);
    this.view.setBigInt64(at, v, true);
  }
  /** A GGUF string: u64 byte length, then the UTF-8 bytes. */
  string(s: string): void {
    const utf8 = encoder.encode(s);
    this.u64(utf8.byteLength);
    this.bytes(utf8);
  }

  /** The bytes written (a copy, sized exactly). */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}
