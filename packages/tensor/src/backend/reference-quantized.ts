// The reference kernel for products with a quantized weight: decode a block to 32 floats, then
// the plain dot product, exactly as matmulReference would run on the dequantized matrix.
//   out[i, n] = Σ_k x[i, k] · W[n, k]      x [M, K] float, W [N, K] in Q8_0 / Q4_0 blocks
// Sums accumulate in float64 and round once when stored, as in reference.ts. The activations
// stay float: what a faster kernel does differently (llama2.c's runq and ggml quantize x to
// int8 per block first) is measured against this.
// Not here: SIMD, threads, quantized activations (@llmts/kernels).
// Reference: ggml-quants.c `dequantize_row_q8_0` then ggml's f32 `ggml_vec_dot_f32`.

import { dequantizeBlock, QUANT_BLOCK } from "../quantized.ts";
import type { QuantizedMatmulParams } from "./backend.ts";

export function matmulQuantizedReference(p: QuantizedMatmulParams): void {
  const { M, N, x, w, out } = p;
  const K = w.cols;
  const blocks = K / QUANT_BLOCK;
  const block = new Float64Array(QUANT_BLOCK);
  const sums = new Float64Array(M);
  for (let n = 0; n < N; n++) {
    sums.fill(0);
    for (let b = 0; b < blocks; b++) {
      dequantizeBlock(w, n * blocks + b, block); // W[n, 32b .. 32b + 31]
      for (let i = 0; i < M; i++) {
        const xi = i * K + b * QUANT_BLOCK;
        let s = 0;
        for (let j = 0; j < QUANT_BLOCK; j++) s += x[xi + j]! * block[j]!;
        sums[i]! += s;
      }
    }
    for (let i = 0; i < M; i++) out[i * N + n] = sums[i]!;
  }
}
