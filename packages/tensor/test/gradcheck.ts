// Gradient checking: compares the gradients autograd computes with central finite differences.
//
// Everything runs in float64 (the ops accept float64 tensors for exactly this purpose), so the
// check measures the backward formulas rather than float32 rounding:
//   numeric  ∂L/∂x_i ≈ (L(x + h e_i) - L(x - h e_i)) / 2h,  h = 1e-6
// with L = Σ out ⊙ R for a fixed random R (so every output element counts, each differently).
// Error budget: truncation ≈ h²·|L'''|/6 ≈ 1e-12 and rounding ≈ ε·|L|/h ≈ 1e-16·|L|/1e-6 =
// 1e-10·|L| for the O(1..100) losses here, far below the tolerance 1e-6·(1 + |numeric|);
// a wrong backward formula is off by O(1) relative. A second check runs the same function in
// float32 and compares its analytic gradient with the float64 one (tolerance 1e-3 relative to
// the largest gradient), which covers the float32 kernels people actually use.

import { expect } from "vitest";
import { noGrad, Rng, randn, type Tensor, tensor } from "../src/index.ts";

function weightedSum(out: Tensor, r: Float64Array): number {
  const o = out.dataSync();
  let s = 0;
  for (let i = 0; i < o.length; i++) s += o[i]! * r[i]!;
  return s;
}

export interface GradcheckResult {
  maxError: number;
}

/**
 * `f` receives the inputs (fresh leaves requiring grad) and returns a tensor of any shape.
 * `inputs` are float64 tensors; they are copied, not modified.
 */
export function gradcheck(
  f: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  h = 1e-6,
): GradcheckResult {
  const leaves = inputs.map((x) => tensor(x.toArray(), x.shape, "float64").requiresGrad_());
  const out = f(...leaves);
  const r = randn(out.shape, new Rng(12345), 1, "float64").dataSync() as Float64Array;
  const loss = out.mul(tensor(r, out.shape, "float64")).sum();
  loss.backward();

  let maxError = 0;
  leaves.forEach((leaf, k) => {
    const analytic = leaf.grad?.dataSync() ?? new Float64Array(leaf.size);
    const data = leaf.storage;
    for (let i = 0; i < leaf.size; i++) {
      const saved = data[i]!;
      data[i] = saved + h;
      const plus = noGrad(() => weightedSum(f(...leaves), r));
      data[i] = saved - h;
      const minus = noGrad(() => weightedSum(f(...leaves), r));
      data[i] = saved;
      const numeric = (plus - minus) / (2 * h);
      const err = Math.abs(analytic[i]! - numeric);
      maxError = Math.max(maxError, err / (1 + Math.abs(numeric)));
      if (err > 1e-6 * (1 + Math.abs(numeric))) {
        expect.fail(`input ${k} element ${i}: analytic ${analytic[i]} vs numeric ${numeric}`);
      }
    }
  });

  // The same function in float32: its gradients must agree with float64's to float32 accuracy.
  const leaves32 = inputs.map((x) => tensor(x.toArray(), x.shape, "float32").requiresGrad_());
  const out32 = f(...leaves32);
  out32
    .mul(tensor(r, out.shape, "float32"))
    .sum()
    .backward();
  leaves32.forEach((leaf, k) => {
    const g32 = leaf.grad?.dataSync() ?? new Float32Array(leaf.size);
    const g64 = leaves[k]!.grad?.dataSync() ?? new Float64Array(leaf.size);
    let scale = 1e-3;
    for (const v of g64) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < g32.length; i++) {
      if (Math.abs(g32[i]! - g64[i]!) > 1e-3 * scale) {
        expect.fail(`float32 input ${k} element ${i}: ${g32[i]} vs float64 ${g64[i]}`);
      }
    }
  });
  return { maxError };
}

/** A float64 N(0, 1) tensor from a fixed seed. */
export function rnd(shape: readonly number[], seed: number): Tensor {
  return randn(shape, new Rng(seed), 1, "float64");
}

/** A float64 tensor with values in [lo, hi) (e.g. positive inputs for log and sqrt). */
export function rndRange(shape: readonly number[], seed: number, lo: number, hi: number): Tensor {
  const rng = new Rng(seed);
  const t = tensor(new Float64Array(shape.reduce((p, q) => p * q, 1)), shape, "float64");
  const d = t.storage;
  for (let i = 0; i < d.length; i++) d[i] = lo + (hi - lo) * rng.nextFloat();
  return t;
}
