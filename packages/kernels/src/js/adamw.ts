// The fast AdamW kernel, bit-identical to the reference adamwReference of @llmts/tensor
// (backend/adamw.ts, where the math is written out): it keeps the rounded values in registers
// (Math.fround is exactly the rounding of a Float32Array store) instead of writing each one and
// reading it back, and hoists the constants. IEEE float64 +, ·, /, √ are correctly rounded and
// JavaScript never fuses a multiply-add, so the same expression gives the same bits (the test
// compares the two bit for bit).
// Not here: wasm SIMD (measured: copying four arrays into wasm memory costs about what the
// f64x2 arithmetic would save).
// Reference: PyTorch's AdamW (torch/optim/adamw.py, _single_tensor_adamw).

import type { AdamWParams } from "@llmts/tensor";

export function adamwJs(p: AdamWParams): void {
  const { param: w, grad: g, m, v, beta1, beta2, eps, stepSize, biasCorrection2Sqrt, decay } = p;
  const a1 = 1 - beta1;
  const a2 = 1 - beta2;
  const round = Math.fround;
  const n = w.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    const mi = round(beta1 * m[i]! + a1 * gi);
    const vi = round(beta2 * v[i]! + a2 * gi * gi);
    m[i] = mi;
    v[i] = vi;
    const wi = round(w[i]! * decay);
    w[i] = wi - (stepSize * mi) / (Math.sqrt(vi) / biasCorrection2Sqrt + eps);
  }
}
