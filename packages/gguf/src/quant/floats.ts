// The unquantized tensor types as bytes: F32, F16 and BF16, little-endian, one value after another.
//
// f32 -> f16 and f32 -> bf16 round to nearest, ties to even, as ggml does
// (ggml_compute_fp32_to_fp16 / ggml_compute_fp32_to_bf16) and as gguf-py does (numpy's
// astype(float16); quants.py `BF16`). NaN becomes a quiet NaN with its sign. The scalar
// conversions are @llmts/safetensors' (its floats.ts, tested there against the IEEE definitions);
// here they are checked bit for bit against gguf-py on ties between neighbours and the values
// either side of them, subnormals, overflow and NaN (test/python-quants.test.ts). The reverse
// directions are exact.

import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from "@llmts/safetensors";
import { fail } from "../errors.ts";

function checkWhole(bytes: Uint8Array, size: number, type: string): number {
  if (bytes.byteLength % size !== 0)
    fail(`${type} data is ${bytes.byteLength} bytes, not a multiple of ${size}`);
  return bytes.byteLength / size;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function encodeF32(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length * 4);
  const dv = view(out);
  for (let i = 0; i < x.length; i++) dv.setFloat32(4 * i, x[i]!, true);
  return out;
}

export function decodeF32(bytes: Uint8Array): Float32Array {
  const n = checkWhole(bytes, 4, "F32");
  const out = new Float32Array(n);
  const dv = view(bytes);
  for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
  return out;
}

/** f32 -> f16 bits, round to nearest even; beyond ±65504 (after rounding) becomes ±inf. */
export function encodeF16(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length * 2);
  const dv = view(out);
  for (let i = 0; i < x.length; i++) dv.setUint16(2 * i, f32ToF16(x[i]!), true);
  return out;
}

export function decodeF16(bytes: Uint8Array): Float32Array {
  const n = checkWhole(bytes, 2, "F16");
  const out = new Float32Array(n);
  const dv = view(bytes);
  for (let i = 0; i < n; i++) out[i] = f16ToF32(dv.getUint16(2 * i, true));
  return out;
}

/** f32 -> bf16 (the top 16 bits of the f32, rounded to nearest even). */
export function encodeBF16(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length * 2);
  const dv = view(out);
  for (let i = 0; i < x.length; i++) dv.setUint16(2 * i, f32ToBf16(x[i]!), true);
  return out;
}

export function decodeBF16(bytes: Uint8Array): Float32Array {
  const n = checkWhole(bytes, 2, "BF16");
  const out = new Float32Array(n);
  const dv = view(bytes);
  for (let i = 0; i < n; i++) out[i] = bf16ToF32(dv.getUint16(2 * i, true));
  return out;
}
