// The Tensor record this package reads and writes, and helpers that build one from JavaScript
// arrays. A tensor is just { dtype, shape, data }: little-endian bytes, C (row-major) order,
// data.byteLength == product(shape) * dtypeSize(dtype). No math lives here: @llmts/tensor does
// that; this package only moves bytes in and out of files.
import { type DType, dtypeSize, elementCount, isDType } from "./dtypes.ts";
import { fail } from "./errors.ts";
import { f32ToBf16, f32ToF16 } from "./floats.ts";

/** A tensor: its element type, its shape and its little-endian bytes (product(shape) * size). */
export interface Tensor {
  dtype: DType;
  shape: number[];
  data: Uint8Array;
}

export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Throw unless dtype is known, the shape is whole numbers >= 0 and the bytes match it. */
export function checkTensor(t: Tensor, name?: string): void {
  const where = name === undefined ? "tensor" : `tensor "${name}"`;
  if (!isDType(t.dtype)) fail(`${where} has unknown dtype ${JSON.stringify(t.dtype)}`);
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`${where} has shape ${JSON.stringify(t.shape)}; expected a list of whole numbers >= 0`);
  }
  if (!(t.data instanceof Uint8Array)) fail(`${where} data must be a Uint8Array`);
  const bytes = elementCount(t.shape) * dtypeSize(t.dtype);
  if (t.data.byteLength !== bytes) {
    fail(
      `${where} is ${t.dtype} [${t.shape.join(", ")}] (${bytes} bytes) but has ${t.data.byteLength} bytes of data`,
    );
  }
}

/**
 * Wrap existing bytes as a tensor, without copying: `data` may be any typed array whose bytes
 * are already in the dtype's little-endian layout (a Float32Array for F32, a BigInt64Array for
 * I64, a Uint16Array of raw bits for F16/BF16, a Uint8Array of raw bytes for anything).
 */
export function createTensor(dtype: DType, shape: number[], data: ArrayBufferView): Tensor {
  const t = { dtype, shape: [...shape], data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  checkTensor(t);
  return t;
}

/**
 * f32 values as an F32 tensor (a view, no copy) or converted to F16 / BF16 (round to nearest
 * even) / F64. E.g. `fromFloat32(logits, [B, T, V])`.
 */
export function fromFloat32(
  values: Float32Array,
  shape: number[],
  dtype: "F32" | "F16" | "BF16" | "F64" = "F32",
): Tensor {
  if (values.length !== elementCount(shape)) {
    fail(`${values.length} values do not fill shape [${shape.join(", ")}]`);
  }
  if (dtype === "F32") return createTensor("F32", shape, values);
  if (dtype === "F64") return createTensor("F64", shape, Float64Array.from(values));
  const round = dtype === "F16" ? f32ToF16 : f32ToBf16;
  const bits = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) bits[i] = round(values[i]!);
  return createTensor(dtype, shape, LITTLE_ENDIAN_HOST ? bits : toLittleEndian16(bits));
}

function toLittleEndian16(bits: Uint16Array): Uint8Array {
  const out = new Uint8Array(bits.length * 2);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < bits.length; i++) dv.setUint16(2 * i, bits[i]!, true);
  return out;
}

const INTEGER_RANGES: Partial<Record<DType, [bigint, bigint]>> = {
  I64: [-(2n ** 63n), 2n ** 63n - 1n],
  U64: [0n, 2n ** 64n - 1n],
  I32: [-(2n ** 31n), 2n ** 31n - 1n],
  U32: [0n, 2n ** 32n - 1n],
  I16: [-(2n ** 15n), 2n ** 15n - 1n],
  U16: [0n, 2n ** 16n - 1n],
  I8: [-128n, 127n],
  U8: [0n, 255n],
  BOOL: [0n, 1n],
};

/**
 * Any numbers (or bigints) as a tensor of `dtype`: `fromNumbers("I64", [B, T], ids)`. Integer
 * dtypes require whole numbers in range; float dtypes round like a typed-array store (F16/BF16
 * to nearest even). The fp8 dtypes are read-only here: pass their bytes to createTensor.
 */
export function fromNumbers(dtype: DType, shape: number[], values: ArrayLike<number | bigint>): Tensor {
  const n = elementCount(shape);
  if (values.length !== n) fail(`${values.length} values do not fill shape [${shape.join(", ")}]`);
  const out = new Uint8Array(n * dtypeSize(dtype));
  const dv = new DataView(out.buffer);
  const range = INTEGER_RANGES[dtype];
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (range) {
      if (typeof v === "number" && !Number.isInteger(v))
        fail(`value ${v} at index ${i} is not a whole number (${dtype})`);
      const big = BigInt(v);
      if (big < range[0] || big > range[1]) fail(`value ${v} at index ${i} does not fit in ${dtype}`);
      if (dtype === "I64") dv.setBigInt64(8 * i, big, true);
      else if (dtype === "U64") dv.setBigUint64(8 * i, big, true);
      else if (dtype === "I32") dv.setInt32(4 * i, Number(big), true);
      else if (dtype === "U32") dv.setUint32(4 * i, Number(big), true);
      else if (dtype === "I16") dv.setInt16(2 * i, Number(big), true);
      else if (dtype === "U16") dv.setUint16(2 * i, Number(big), true);
      else out[i] = Number(big) & 0xff; // I8 (two's complement), U8, BOOL
      continue;
    }
    const x = Number(v);
    if (dtype === "F64") dv.setFloat64(8 * i, x, true);
    else if (dtype === "F32") dv.setFloat32(4 * i, x, true);
    else if (dtype === "F16") dv.setUint16(2 * i, f32ToF16(x), true);
    else if (dtype === "BF16") dv.setUint16(2 * i, f32ToBf16(x), true);
    else fail(`fromNumbers cannot encode ${dtype}; pass its bytes to createTensor`);
  }
  return { dtype, shape: [...shape], data: out };
}
