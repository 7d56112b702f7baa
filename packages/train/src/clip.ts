// Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_ (norm_type 2):
//
//   total = √(Σ over every parameter's gradient of g²)
//   if total > maxNorm: every g ← g · maxNorm / (total + 1e-6)
//
// One norm over all parameters together keeps the direction of the update and only shortens it,
// which tames the occasional huge gradient (a rare batch, a spike early in training).
// Not here: per-parameter clipping, clipping by value, other norms.

import { noGrad, type Tensor } from "@llmts/tensor";

/** Scales gradients in place so their global L2 norm is at most `maxNorm`; returns the norm before. */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  const grads: Tensor[] = [];
  for (const p of params) if (p.grad !== null) grads.push(p.grad);
  let sumSquares = 0;
  for (const g of grads) {
    const values = g.dataSync();
    for (let i = 0; i < values.length; i++) sumSquares += values[i]! * values[i]!;
  }
  const total = Math.sqrt(sumSquares);
  // PyTorch multiplies by min(coef, 1) unconditionally; skipping the multiply by 1 is the same.
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) {
    noGrad(() => {
      for (const g of grads) g.copy_(g.mul(coef));
    });
  }
  return total;
}
