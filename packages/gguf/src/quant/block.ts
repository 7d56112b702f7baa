// What Q8_0 and Q4_0 share: the checks on their input and the f16 scale every block stores.
//
// Not here: the block math itself (q8_0.ts, q4_0.ts).

import { f32ToF16 } from "@llmts/safetensors";
import { fail } from "../errors.ts";

/** Quantizing needs whole blocks of finite values (NaN or ±inf would poison a block's scale). */
export function checkQuantInput(x: Float32Array, blockSize: number, type: string): void {
  if (x.length % blockSize !== 0) {
    fail(`${type} quantizes blocks of ${blockSize} values; got ${x.length} values`);
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) fail(`${type} cannot quantize ${x[i]} (value ${i})`);
  }
}

/**
 * A block's scale d as f16 bits (round to nearest even, as ggml's GGML_FP32_TO_FP16 and numpy's
 * astype(float16) do). A scale beyond the f16 range would be stored as infinity, turning the whole
 * block into inf/NaN; ggml and gguf-py write that silently, we refuse it.
 */
export function f16Scale(d: number, type: string, block: number): number {
  const bits = f32ToF16(d);
  if ((bits & 0x7c00) === 0x7c00) {
    fail(
      `${type} block ${block} needs a scale of ${d}, beyond the f16 maximum 65504: its values are too large`,
    );
  }
  return bits;
}
