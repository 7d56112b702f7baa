// The AdamW update kernel: one pass over a parameter, its gradient and both moments, in PyTorch's
// order of operations (torch/optim/adamw.py, _single_tensor_adamw; the math is in
// packages/train/src/adamw.ts). Arithmetic is float64 with a float32 rounding at every store, the
// way PyTorch's in-place float32 tensors round after each op:
//   m ← β1·m + (1-β1)·g    v ← β2·v + (1-β2)·g²    w ← w·decay    w ← w − stepSize·m / (√v / bc2 + ε)
//
// Two twins that give bit-identical results (the test compares them bit for bit, and a resumed
// training run must reproduce the same losses): the reference writes each value and reads it
// back; the fast kernel keeps the rounded values in registers (Math.fround is exactly the rounding
// of a Float32Array store) and hoists the constants. IEEE float64 +, ·, /, √ are correctly rounded
// and JavaScript never fuses a multiply-add, so the same expression gives the same bits.
// Not here: wasm SIMD (measured: copying four arrays into wasm memory costs about what the
// f64x2 arithmetic would save), AMSGrad, per-group options.
// Reference: Loshchilov & Hutter 2019; PyTorch's AdamW.

import type { AdamWParams } from "./backend.ts";

export function adamwReference(p: AdamWParams): void {
  const { param: w, grad: g, m, v, beta1, beta2, eps, stepSize, biasCorrection2Sqrt, decay } = p;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i]!;
    m[i] = beta1 * m[i]! + (1 - beta1) * gi;
    v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
    // Read the stored (rounded) moments back, as PyTorch's in-place float32 tensors would.
    const denom = Math.sqrt(v[i]!) / biasCorrection2Sqrt + eps;
    w[i] = w[i]! * decay; // stored (rounded to float32) first, like PyTorch's in-place mul_
    w[i] = w[i]! - (stepSize * m[i]!) / denom;
  }
}

export function adamwFast(p: AdamWParams): void {
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
