// Tuned TypeScript for the elementwise functions whose reference form is slow: exact GELU.
// The reference computes erf by its Taylor series (up to ~40 terms per element, accurate to
// float64 for the gradient checks); on float32 arrays this uses Numerical Recipes' `erfcc`
// instead — one exp and a degree-9 polynomial, relative error < 1.2e-7 (float32's own
// precision) everywhere, including the tails where 1 + erf(x) would cancel:
//   gelu(x) = x/2 · erfc(−x/√2)          gelu'(x) = erfc(−x/√2)/2 + x · e^(−x²/2) / √(2π)
// Every other op, and float64 arrays, take the reference loops.
// Not here: SIMD (wasm/unary.ts runs exp, SiLU and both GELUs four lanes at a time).
// Reference: Press et al., Numerical Recipes, §6.2 `erfcc`; scalar.ts for the definitions.

import { type FloatArray, referenceBackend, type UnaryOp } from "@llmts/tensor";

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** erfc(z) with relative error < 1.2e-7 (Numerical Recipes' erfcc). */
function erfcFast(z: number): number {
  const a = Math.abs(z);
  const t = 1 / (1 + 0.5 * a);
  // Horner's rule for the polynomial in t, highest coefficient first
  let p = 0.17087277;
  p = p * t - 0.82215223;
  p = p * t + 1.48851587;
  p = p * t - 1.13520398;
  p = p * t + 0.27886807;
  p = p * t - 0.18628806;
  p = p * t + 0.09678418;
  p = p * t + 0.37409196;
  p = p * t + 1.00002368;
  p = p * t - 1.26551223;
  const r = t * Math.exp(p - a * a); // erfc(|z|)
  return z >= 0 ? r : 2 - r;
}

export function unaryJs(op: UnaryOp, x: FloatArray, out: FloatArray, param: number): void {
  if (op !== "gelu" || !(x instanceof Float32Array)) {
    referenceBackend.unary(op, x, out, param);
    return;
  }
  for (let i = 0; i < x.length; i++) out[i] = 0.5 * x[i]! * erfcFast(-x[i]! * Math.SQRT1_2);
}

export function unaryGradJs(
  op: UnaryOp,
  x: FloatArray,
  y: FloatArray,
  g: FloatArray,
  out: FloatArray,
  param: number,
): void {
  if (op !== "gelu" || !(x instanceof Float32Array)) {
    referenceBackend.unaryGrad(op, x, y, g, out, param);
    return;
  }
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = g[i]! * (0.5 * erfcFast(-v * Math.SQRT1_2) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
  }
}
