// Building GGUF bytes by hand, field by field, for the malformed-file tests: every field is
// written exactly as given, so a test can put any count, length, type or offset in any place.
const encoder = new TextEncoder();

export class Assembler {
  private bytes: number[] = [];

  raw(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.bytes.push(b[i]!);
    return this;
  }
  u8(v: number): this {
    return this.raw([v & 0xff]);
  }
  u32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    return this.raw(b);
  }
  u64(v: number | bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
    return this.raw(b);
  }
  /** A GGUF string (u64 length + UTF-8), or raw bytes with their length. */
  str(s: string | Uint8Array): this {
    const b = typeof s === "string" ? encoder.encode(s) : s;
    return this.u64(b.byteLength).raw(b);
  }
  /** "GGUF", version, tensor count, key count. */
  preamble(tensors: number | bigint, keys: number | bigint, version = 3): this {
    return this.raw(encoder.encode("GGUF")).u32(version).u64(tensors).u64(keys);
  }
  /** A key with a uint32 value. */
  kvU32(key: string, value: number): this {
    return this.str(key).u32(4).u32(value);
  }
  /** A tensor info: name, dims (ne, innermost first), ggml type id, offset. */
  tensor(name: string, ne: (number | bigint)[], type: number, offset: number | bigint): this {
    this.str(name).u32(ne.length);
    for (const d of ne) this.u64(d);
    return this.u32(type).u64(offset);
  }
  /** Zero bytes up to a multiple of `alignment`. */
  pad(alignment = 32): this {
    while (this.bytes.length % alignment !== 0) this.bytes.push(0);
    return this;
  }
  zeros(n: number): this {
    for (let i = 0; i < n; i++) this.bytes.push(0);
    return this;
  }
  get length(): number {
    return this.bytes.length;
  }
  build(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export const gguf = () => new Assembler();
