// quantize / dequantize: f32 values to a tensor type's bytes and back, for the five types this
// package handles. The same pair as gguf-py's `gguf.quants.quantize` / `dequantize`:
//
//   quantize(x, "Q8_0")   Float32Array(32 n) -> Uint8Array(34 n)    (q8_0.ts)
//   quantize(x, "Q4_0")   Float32Array(32 n) -> Uint8Array(18 n)    (q4_0.ts)
//   quantize(x, "F16")    Float32Array(n)    -> Uint8Array(2 n)     (floats.ts; also BF16, F32)
//   dequantize(bytes, type) is the reverse (exact for F32, F16, BF16; x ≈ q * d for the blocks).
//
// Blocks run along the flat array, so a tensor quantizes correctly only when its rows (its
// innermost dimension) are a multiple of 32 long: tensor.ts checks that for whole tensors.

import { fail } from "./errors.ts";
import { type GgufTensorType, isTensorType } from "./ggml-types.ts";
import { decodeBF16, decodeF16, decodeF32, encodeBF16, encodeF16, encodeF32 } from "./quant/floats.ts";
import { dequantizeQ4_0, quantizeQ4_0 } from "./quant/q4_0.ts";
import { dequantizeQ8_0, quantizeQ8_0 } from "./quant/q8_0.ts";

const CODECS: Record<
  GgufTensorType,
  { encode: (x: Float32Array) => Uint8Array; decode: (bytes: Uint8Array) => Float32Array }
> = {
  F32: { encode: encodeF32, decode: decodeF32 },
  F16: { encode: encodeF16, decode: decodeF16 },
  BF16: { encode: encodeBF16, decode: decodeBF16 },
  Q8_0: { encode: quantizeQ8_0, decode: dequantizeQ8_0 },
  Q4_0: { encode: quantizeQ4_0, decode: dequantizeQ4_0 },
};

function codec(type: GgufTensorType) {
  if (!isTensorType(type))
    fail(`cannot convert to or from type ${JSON.stringify(type)} (known: F32, F16, BF16, Q8_0, Q4_0)`);
  return CODECS[type];
}

/** f32 values -> the bytes of `type`. */
export function quantize(values: Float32Array, type: GgufTensorType): Uint8Array {
  if (!(values instanceof Float32Array)) fail(`quantize needs a Float32Array, got ${typeof values}`);
  return codec(type).encode(values);
}

/** The bytes of `type` -> f32 values. */
export function dequantize(bytes: Uint8Array, type: GgufTensorType): Float32Array {
  if (!(bytes instanceof Uint8Array)) fail(`dequantize needs a Uint8Array, got ${typeof bytes}`);
  return codec(type).decode(bytes);
}
