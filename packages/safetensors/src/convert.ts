// Whole-tensor conversions to JavaScript typed arrays: toFloat32 for weights, toInt32 /
// toBigInt64 for token ids, toFloat64 for checks.
//
// A matching dtype is returned as a view of the same bytes when aligned (no copy); anything else
// is converted exactly where the target can hold the value (f16/bf16/fp8 -> f32 bit for bit), and
// an integer that does not fit its target throws rather than wrapping.
//
// Not here: big-endian files (the format is little-endian and so is every host we run on; on a
// big-endian host the copying paths, which read through DataView, are used instead of views).
import { type DType, elementCount } from "./dtypes.ts";
import { fail } from "./errors.ts";
import { bf16ToF32, f8e4m3ToF32, f8e5m2ToF32, f8e8m0ToF32, f16ToF32 } from "./floats.ts";
import { checkTensor, LITTLE_ENDIAN_HOST, type Tensor } from "./tensor.ts";

function viewAs<T>(
  t: Tensor,
  size: number,
  make: (buffer: ArrayBufferLike, byteOffset: number, length: number) => T,
): T | undefined {
  if (!LITTLE_ENDIAN_HOST || t.data.byteOffset % size !== 0) return undefined;
  return make(t.data.buffer, t.data.byteOffset, t.data.byteLength / size);
}

function dataView(t: Tensor): DataView {
  return new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** Call `visit(i, value)` for every element as a number (I64/U64 through BigInt -> nearest double). */
function forEachNumber(t: Tensor, visit: (i: number, value: number) => void): void {
  const n = elementCount(t.shape);
  const dv = dataView(t);
  const d = t.data;
  const read: (i: number) => number = {
    F64: (i: number) => dv.getFloat64(8 * i, true),
    F32: (i: number) => dv.getFloat32(4 * i, true),
    F16: (i: number) => f16ToF32(dv.getUint16(2 * i, true)),
    BF16: (i: number) => bf16ToF32(dv.getUint16(2 * i, true)),
    F8_E4M3: (i: number) => f8e4m3ToF32(d[i]!),
    F8_E5M2: (i: number) => f8e5m2ToF32(d[i]!),
    F8_E8M0: (i: number) => f8e8m0ToF32(d[i]!),
    I64: (i: number) => Number(dv.getBigInt64(8 * i, true)),
    U64: (i: number) => Number(dv.getBigUint64(8 * i, true)),
    I32: (i: number) => dv.getInt32(4 * i, true),
    U32: (i: number) => dv.getUint32(4 * i, true),
    I16: (i: number) => dv.getInt16(2 * i, true),
    U16: (i: number) => dv.getUint16(2 * i, true),
    I8: (i: number) => dv.getInt8(i),
    U8: (i: number) => d[i]!,
    BOOL: (i: number) => (d[i] ? 1 : 0),
  }[t.dtype];
  for (let i = 0; i < n; i++) visit(i, read(i));
}

/**
 * The tensor as f32 values. F32 data is returned as a view of the same bytes when aligned (no
 * copy: writes go through to the tensor); every other dtype is converted into a new array.
 */
export function toFloat32(t: Tensor): Float32Array {
  checkTensor(t);
  if (t.dtype === "F32") {
    const view = viewAs(t, 4, (b, o, n) => new Float32Array(b, o, n));
    if (view) return view;
  }
  const n = elementCount(t.shape);
  if ((t.dtype === "F16" || t.dtype === "BF16") && LITTLE_ENDIAN_HOST) {
    // The hot path for half-precision checkpoints: build the f32 bit patterns directly.
    const out = new Float32Array(n);
    const bits = new Uint32Array(out.buffer);
    const src =
      t.data.byteOffset % 2 === 0 ? new Uint16Array(t.data.buffer, t.data.byteOffset, n) : undefined;
    const dv = dataView(t);
    if (t.dtype === "BF16") {
      for (let i = 0; i < n; i++) bits[i] = (src ? src[i]! : dv.getUint16(2 * i, true)) << 16;
    } else {
      const table = f16Table();
      for (let i = 0; i < n; i++) bits[i] = table[src ? src[i]! : dv.getUint16(2 * i, true)]!;
    }
    return out;
  }
  const out = new Float32Array(n);
  forEachNumber(t, (i, v) => {
    out[i] = v;
  });
  return out;
}

let f16Bits: Uint32Array | undefined;
/** All 65536 binary16 values as f32 bit patterns (256 KB, built on first use). */
function f16Table(): Uint32Array {
  if (!f16Bits) {
    const values = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) values[h] = f16ToF32(h);
    f16Bits = new Uint32Array(values.buffer);
    // NaN payloads survive a Float32Array store on V8, but build them from bits to be sure.
    for (let h = 0x7c01; h < 0x8000; h++) f16Bits[h] = 0x7f800000 | ((h & 0x3ff) << 13);
    for (let h = 0xfc01; h < 0x10000; h++) f16Bits[h] = 0xff800000 | ((h & 0x3ff) << 13);
  }
  return f16Bits;
}

/** The tensor as f64 values (F64 viewed without copy when aligned). I64/U64 round beyond 2^53. */
export function toFloat64(t: Tensor): Float64Array {
  checkTensor(t);
  if (t.dtype === "F64") {
    const view = viewAs(t, 8, (b, o, n) => new Float64Array(b, o, n));
    if (view) return view;
  }
  const out = new Float64Array(elementCount(t.shape));
  forEachNumber(t, (i, v) => {
    out[i] = v;
  });
  return out;
}

const INTEGER_DTYPES = new Set<DType>(["I64", "U64", "I32", "U32", "I16", "U16", "I8", "U8", "BOOL"]);

function requireInteger(t: Tensor, what: string): void {
  if (!INTEGER_DTYPES.has(t.dtype))
    fail(`cannot read a ${t.dtype} tensor as ${what}: it is not an integer type`);
}

/**
 * An integer tensor (typically I64 token ids) as Int32Array. I32 is viewed without copy when
 * aligned; other integer types are converted, and a value outside the int32 range throws.
 */
export function toInt32(t: Tensor): Int32Array {
  checkTensor(t);
  requireInteger(t, "Int32Array");
  if (t.dtype === "I32") {
    const view = viewAs(t, 4, (b, o, n) => new Int32Array(b, o, n));
    if (view) return view;
  }
  const out = new Int32Array(elementCount(t.shape));
  if (t.dtype === "I64" || t.dtype === "U64") {
    const dv = dataView(t);
    for (let i = 0; i < out.length; i++) {
      const v = t.dtype === "I64" ? dv.getBigInt64(8 * i, true) : dv.getBigUint64(8 * i, true);
      if (v < -2147483648n || v > 2147483647n)
        fail(`${t.dtype} value ${v} at index ${i} does not fit in an Int32Array`);
      out[i] = Number(v);
    }
    return out;
  }
  forEachNumber(t, (i, v) => {
    if (v > 2147483647) fail(`${t.dtype} value ${v} at index ${i} does not fit in an Int32Array`);
    out[i] = v;
  });
  return out;
}

/** An integer tensor as BigInt64Array (I64 viewed without copy when aligned; U64 over 2^63-1 throws). */
export function toBigInt64(t: Tensor): BigInt64Array {
  checkTensor(t);
  requireInteger(t, "BigInt64Array");
  if (t.dtype === "I64") {
    const view = viewAs(t, 8, (b, o, n) => new BigInt64Array(b, o, n));
    if (view) return view;
  }
  const out = new BigInt64Array(elementCount(t.shape));
  const dv = dataView(t);
  for (let i = 0; i < out.length; i++) {
    if (t.dtype === "I64") out[i] = dv.getBigInt64(8 * i, true);
    else if (t.dtype === "U64") {
      const v = dv.getBigUint64(8 * i, true);
      if (v > 0x7fffffffffffffffn) fail(`U64 value ${v} at index ${i} does not fit in a BigInt64Array`);
      out[i] = v;
    }
  }
  if (t.dtype !== "I64" && t.dtype !== "U64") {
    forEachNumber(t, (i, v) => {
      out[i] = BigInt(v);
    });
  }
  return out;
}
