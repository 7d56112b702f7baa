// Scalar functions behind the elementwise ops, each forward next to its derivative, and the
// table UNARY that the reference backend loops over (one entry per UnaryOp).
// Not here: loops, broadcasting, tensors.
// References: GELU — Hendrycks & Gimpel 2016, "Gaussian Error Linear Units"; the tanh form is
// the one GPT-2 uses (PyTorch `gelu(approximate="tanh")`). SiLU — Elfwing et al. 2017.

import type { UnaryOp } from "./backend.ts";

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * The error function erf(x) = 2/√π ∫₀ˣ e^(-t²) dt, to about 1e-15 (JavaScript has no Math.erf).
 * |x| < 3: Taylor series  erf(x) = 2/√π Σ (-1)ⁿ x^(2n+1) / (n! (2n+1)).
 * |x| ≥ 3: continued fraction  erfc(x) = e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))).
 * Accurate enough that finite differences of gelu in float64 match its derivative.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    // term_n = (-1)^n x^(2n+1) / n!; sum term_n / (2n+1)
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  if (ax > 6) return Math.sign(x); // erfc(6) ≈ 2e-17: below double precision next to 1
  let k = ax;
  for (let n = 60; n >= 1; n--) k = ax + n / 2 / k;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / k;
  return Math.sign(x) * (1 - erfc);
}

// gelu(x) = x Φ(x), Φ(x) = (1 + erf(x / √2)) / 2;  gelu'(x) = Φ(x) + x φ(x), φ(x) = e^(-x²/2) / √(2π)
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x * INV_SQRT_2));
}
export function geluGrad(x: number): number {
  return 0.5 * (1 + erf(x * INV_SQRT_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

// GPT-2's approximation: gelu(x) ≈ x/2 · (1 + tanh(u)), u = √(2/π) (x + 0.044715 x³)
// d/dx = (1 + tanh u)/2 + x/2 · (1 - tanh² u) · √(2/π) (1 + 3 · 0.044715 x²)
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
}
export function geluTanhGrad(x: number): number {
  const t = Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
}

// silu(x) = x σ(x);  silu'(x) = σ(x) (1 + x (1 - σ(x)))
export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}
export function siluGrad(x: number): number {
  const s = 1 / (1 + Math.exp(-x));
  return s * (1 + x * (1 - s));
}

/** f(x) and its derivative f'(x) for one elementwise op; y = f(x) is passed because some f' are cheaper from it. */
interface ScalarFunction {
  forward(x: number, param: number): number;
  derivative(x: number, y: number, param: number): number;
}

export const UNARY: Record<UnaryOp, ScalarFunction> = {
  neg: { forward: (x) => -x, derivative: () => -1 },
  exp: { forward: Math.exp, derivative: (_x, y) => y }, // d e^x = e^x
  log: { forward: Math.log, derivative: (x) => 1 / x },
  sqrt: { forward: Math.sqrt, derivative: (_x, y) => 0.5 / y }, // d √x = 1 / (2√x)
  tanh: { forward: Math.tanh, derivative: (_x, y) => 1 - y * y }, // d tanh x = 1 - tanh² x
  relu: { forward: (x) => Math.max(x, 0), derivative: (x) => (x > 0 ? 1 : 0) }, // 0 at x = 0, as PyTorch
  silu: { forward: silu, derivative: siluGrad },
  gelu: { forward: gelu, derivative: geluGrad },
  geluTanh: { forward: geluTanh, derivative: geluTanhGrad },
  pow: { forward: (x, p) => x ** p, derivative: (x, _y, p) => p * x ** (p - 1) }, // d xᵖ = p x^(p-1)
};
