// Q8_0: ggml's 8-bit block quantization. Values are cut into blocks of 32; each block stores one
// f16 scale d and 32 signed bytes q, 34 bytes in all (8.5 bits per value):
//
//   block = [ d: f16 little-endian (2 bytes) | q[0..31]: int8 (32 bytes) ]
//   quantize:    amax = max |x[j]|,  d = amax / 127,  q[j] = round(x[j] / d)   (half away from 0)
//   dequantize:  x[j] ≈ q[j] * d
//
// Worked example: a block whose largest |x| is 2.54 gets d = 0.02; x = 1.0 -> q = round(50.0) = 50
// -> 50 * 0.02 = 1.0; x = -0.011 -> q = round(-0.55) = -1 -> -0.02.
//
// The arithmetic follows ggml exactly, in f32: id = 1/d and q = round(x * id) (a multiply by the
// reciprocal, not a division: the two can differ in the last bit), with d rounded to f16 only
// when stored. Math.fround after each operation gives f32 results: an f32 sum, product or
// quotient computed in doubles and rounded once is the correctly rounded f32 result.
// Reference: ggml/src/ggml-quants.c `quantize_row_q8_0_ref`, `dequantize_row_q8_0`; gguf-py
// gguf/quants.py `Q8_0` (bit-exact with ggml; our bytes equal its bytes, test/python-quants.test.ts).

import { f16ToF32 } from "@llmts/safetensors";
import { fail } from "../errors.ts";
import { checkQuantInput, f16Scale } from "./block.ts";

export const Q8_0_BLOCK = 32;
export const Q8_0_BYTES = 2 + 32;

/** roundf: to the nearest integer, halves away from zero (Math.round sends -2.5 to -2). */
function roundHalfAwayFromZero(v: number): number {
  return Math.sign(v) * Math.floor(Math.abs(v) + 0.5);
}

/** f32 values (a multiple of 32) -> Q8_0 blocks, 34 bytes per 32 values. */
export function quantizeQ8_0(x: Float32Array): Uint8Array {
  checkQuantInput(x, Q8_0_BLOCK, "Q8_0");
  const nBlocks = x.length / Q8_0_BLOCK;
  const out = new Uint8Array(nBlocks * Q8_0_BYTES);
  const view = new DataView(out.buffer);
  for (let b = 0; b < nBlocks; b++) {
    const block = x.subarray(b * Q8_0_BLOCK, (b + 1) * Q8_0_BLOCK);
    let amax = 0; // the largest magnitude in the block
    for (const v of block) amax = Math.max(amax, Math.abs(v));

    const d = Math.fround(amax / 127);
    const id = d === 0 ? 0 : Math.fround(1 / d);
    const at = b * Q8_0_BYTES;
    view.setUint16(at, f16Scale(d, "Q8_0", b), true);
    // A block whose amax is below about 2^-121 has an f32-subnormal d whose reciprocal overflows to
    // infinity. ggml then casts inf/NaN to int8 (undefined in C; 0 on x86, and numpy does the
    // same); its f16 scale is 0 anyway. We write the 0 explicitly.
    if (!Number.isFinite(id)) continue;
    for (let j = 0; j < Q8_0_BLOCK; j++) {
      const q = roundHalfAwayFromZero(Math.fround(block[j]! * id)); // in [-127, 127]
      view.setInt8(at + 2 + j, q);
    }
  }
  return out;
}

/** Q8_0 blocks -> f32 values: x[j] = q[j] * d, 32 values per 34-byte block. */
export function dequantizeQ8_0(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % Q8_0_BYTES !== 0) {
    fail(`Q8_0 data is ${bytes.byteLength} bytes, not a whole number of ${Q8_0_BYTES}-byte blocks`);
  }
  const nBlocks = bytes.byteLength / Q8_0_BYTES;
  const out = new Float32Array(nBlocks * Q8_0_BLOCK);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let b = 0; b < nBlocks; b++) {
    const at = b * Q8_0_BYTES;
    const d = f16ToF32(view.getUint16(at, true));
    for (let j = 0; j < Q8_0_BLOCK; j++) out[b * Q8_0_BLOCK + j] = view.getInt8(at + 2 + j) * d;
  }
  return out;
}
