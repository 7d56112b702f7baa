// Q4_0: ggml's 4-bit block quantization. Values are cut into blocks of 32; each block stores one
// f16 scale d and 32 unsigned 4-bit codes q, two per byte, 18 bytes in all (4.5 bits per value):
//
//   block = [ d: f16 little-endian (2 bytes) | qs[0..15]: 16 bytes ]
//   qs[j] = q[j] | q[j + 16] << 4       element j in the low nibble of byte j, element j+16 high
//
//   quantize:    max = the x[j] of largest magnitude, with its sign (the first one on a tie)
//                d = max / -8
//                q[j] = min(15, trunc(x[j] / d + 8.5))        a code in 0..15
//   dequantize:  x[j] ≈ (q[j] - 8) * d
//
// Why max / -8: the codes run from -8 to +7 around 8. Dividing by the signed max sends the largest
// magnitude to exactly -8 (code 0), so the side with the largest value uses the full range; the
// other side stops at +7. Worked example: a block whose largest-magnitude value is -4.0 has
// d = 0.5; x = -4.0 -> trunc(-8 + 8.5) = 0 -> (0 - 8) * 0.5 = -4.0; x = 1.2 -> trunc(2.4 + 8.5)
// = 10 -> 1.0; x = 3.9 -> trunc(7.8 + 8.5) = 16 -> min 15 -> 3.5.
//
// As in q8_0.ts the arithmetic is ggml's, in f32: id = 1/d, then trunc(x * id + 8.5).
// Reference: ggml/src/ggml-quants.c `quantize_row_q4_0_ref`, `dequantize_row_q4_0`; gguf-py
// gguf/quants.py `Q4_0` (our bytes equal its bytes, test/python-quants.test.ts).

import { f16ToF32 } from "@llmts/safetensors";
import { fail } from "../errors.ts";
import { checkQuantInput, f16Scale } from "./block.ts";

export const Q4_0_BLOCK = 32;
export const Q4_0_BYTES = 2 + 16;
const HALF = Q4_0_BLOCK / 2;

/** f32 values (a multiple of 32) -> Q4_0 blocks, 18 bytes per 32 values. */
export function quantizeQ4_0(x: Float32Array): Uint8Array {
  checkQuantInput(x, Q4_0_BLOCK, "Q4_0");
  const nBlocks = x.length / Q4_0_BLOCK;
  const out = new Uint8Array(nBlocks * Q4_0_BYTES);
  const view = new DataView(out.buffer);
  for (let b = 0; b < nBlocks; b++) {
    const block = x.subarray(b * Q4_0_BLOCK, (b + 1) * Q4_0_BLOCK);
    let amax = 0; // the largest magnitude...
    let max = 0; // ...and the value that has it, sign included
    for (const v of block) {
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }

    const d = Math.fround(max / -8);
    const id = d === 0 ? 0 : Math.fround(1 / d);
    const at = b * Q4_0_BYTES;
    view.setUint16(at, f16Scale(d, "Q4_0", b), true);
    // An f32-subnormal d whose reciprocal overflows: ggml casts inf/NaN to an integer (0 on x86,
    // as numpy does), so every code is 0 and the bytes stay 0. See q8_0.ts.
    if (!Number.isFinite(id)) continue;
    const code = (v: number) => Math.min(15, Math.trunc(Math.fround(Math.fround(v * id) + 8.5)));
    for (let j = 0; j < HALF; j++) {
      out[at + 2 + j] = code(block[j]!) | (code(block[j + HALF]!) << 4);
    }
  }
  return out;
}

/** Q4_0 blocks -> f32 values: x = (q - 8) * d, 32 values per 18-byte block. */
export function dequantizeQ4_0(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % Q4_0_BYTES !== 0) {
    fail(`Q4_0 data is ${bytes.byteLength} bytes, not a whole number of ${Q4_0_BYTES}-byte blocks`);
  }
  const nBlocks = bytes.byteLength / Q4_0_BYTES;
  const out = new Float32Array(nBlocks * Q4_0_BLOCK);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let b = 0; b < nBlocks; b++) {
    const at = b * Q4_0_BYTES;
    const d = f16ToF32(view.getUint16(at, true));
    for (let j = 0; j < HALF; j++) {
      const byte = bytes[at + 2 + j]!;
      out[b * Q4_0_BLOCK + j] = ((byte & 0x0f) - 8) * d;
      out[b * Q4_0_BLOCK + j + HALF] = ((byte >> 4) - 8) * d;
    }
  }
  return out;
}
