// Test helper: build safetensors bytes by hand, straight from the spec (u64 little-endian header
// length, the header text, the data), independently of the package's writer.

/** `header` is used exactly as given (no padding added); `lengthOverride` forces the prefix. */
export function assemble(header: string, data: ArrayLike<number> = [], lengthOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(Array.from(data), 8 + json.length);
  return out;
}

/** Little-endian bytes of f32 values, via DataView. */
export function f32Bytes(values: number[]): number[] {
  const dv = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((v, i) => {
    dv.setFloat32(4 * i, v, true);
  });
  return [...new Uint8Array(dv.buffer)];
}

/** Bytes of an ASCII string, for spelling expected headers. */
export function ascii(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}
