// The plain-loop twin of the wasm quantized kernels (wasm/quant.wat): the same algorithm written
// out in TypeScript, on ggml's bytes as they are (f16 scale before each block). What the js
// backend runs, what auto runs for products too small to pay for a wasm call, and what the tests
// hold the SIMD kernels to (they differ only in the order float sums are added).
//
//   for each row i of x, each block b of 32:   d = max|x| / 32767,  xq = nearest(x / d)  (int16:
//                                              see quant.wat for why 16 bits, not runq's 8)
//   y[i, n] = Σ_b (Σ_{k in b} xq[i, k] · q[n, k]) · (d_x[i, b] · d_w[n, b])
//                  └── an exact integer sum ──┘
// Not here: the definition with float activations (@llmts/tensor's matmulQuantizedReference).
// Reference: llama2.c runq.c `quantize` and `matmul`; ggml-quants.c `ggml_vec_dot_q8_0_q8_0`.

import {
  halfToFloat,
  QUANT_BLOCK,
  QUANT_BLOCK_BYTES,
  type QuantizedMatmulParams,
  type QuantizedMatrix,
} from "@llmts/tensor";

/** Round half to even, as wasm's f32x4.nearest does (Math.round rounds half up). */
function nearest(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** x [M, K] quantized per block of 32: int16 values in -32767..32767 and one scale per block. */
export function quantizeActivations(
  x: ArrayLike<number>,
  M: number,
  K: number,
): { q: Int16Array; d: Float32Array } {
  const q = new Int16Array(M * K);
  const d = new Float32Array((M * K) / QUANT_BLOCK);
  for (let b = 0; b < d.length; b++) {
    const at = b * QUANT_BLOCK;
    let amax = 0;
    for (let j = 0; j < QUANT_BLOCK; j++) amax = Math.max(amax, Math.abs(x[at + j]!));
    d[b] = amax / 32767;
    const inv = d[b]! > 0 ? Math.fround(1 / d[b]!) : 0;
    // (clamped as wasm's saturating narrow would: x · (1/d) stays within float rounding of 32767)
    for (let j = 0; j < QUANT_BLOCK; j++) q[at + j] = Math.min(32767, nearest(Math.fround(x[at + j]! * inv)));
  }
  return { q, d };
}

/** Σ_{k in block} xq[k] · (weight quant k) for block `block` of W, starting at xq[at]. */
function blockDot(w: QuantizedMatrix, block: number, xq: Int16Array, at: number): number {
  const src = block * QUANT_BLOCK_BYTES[w.type] + 2;
  const bytes = w.data;
  let sum = 0;
  if (w.type === "Q8_0") {
    for (let j = 0; j < QUANT_BLOCK; j++) sum += xq[at + j]! * ((bytes[src + j]! << 24) >> 24);
  } else {
    for (let j = 0; j < 16; j++) {
      const byte = bytes[src + j]!;
      sum += xq[at + j]! * ((byte & 15) - 8) + xq[at + j + 16]! * ((byte >> 4) - 8);
    }
  }
  return sum;
}

export function matmulQuantizedJs(p: QuantizedMatmulParams): void {
  const { M, N, w, out } = p;
  const K = w.cols;
  const blocks = K / QUANT_BLOCK;
  const blockBytes = QUANT_BLOCK_BYTES[w.type];
  const { q, d } = quantizeActivations(p.x, M, K);
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < M; i++) {
      let y = 0;
      for (let b = 0; b < blocks; b++) {
        const block = n * blocks + b;
        const dw = halfToFloat(w.data[block * blockBytes]! | (w.data[block * blockBytes + 1]! << 8));
        y += blockDot(w, block, q, (i * blocks + b) * QUANT_BLOCK) * (d[i * blocks + b]! * dw);
      }
      out[i * N + n] = y;
    }
  }
}
