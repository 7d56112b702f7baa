// The AdamW update kernel: one pass over a parameter, its gradient and both moments, in PyTorch's
// order of operations (torch/optim/adamw.py, _single_tensor_adamw; the math is in
// packages/train/src/adamw.ts). Arithmetic is float64 with a float32 rounding at every store, the
// way PyTorch's in-place float32 tensors round after each op:
//   m ← β1·m + (1-β1)·g    v ← β2·v + (1-β2)·g²    w ← w·decay    w ← w − stepSize·m / (√v / bc2 + ε)
//
// This is the reference: it writes each value and reads it back. @llmts/kernels has a fast twin
// (js/adamw.ts) that must give bit-identical results, because a resumed training run must
// reproduce the same losses whichever backend ran.
// Not here: the fast twin, AMSGrad, per-group options.
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
