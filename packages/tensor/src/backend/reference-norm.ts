// The reference kernels of the normalisations over the last axis, forward and backward, as plain
// loops with float64 sums (rounded once when stored). ops/norm.ts calls them through the backend.
// With x̂ = normalised x and ĝ = g ⊙ w (the gradient arriving at x̂), over a row of C elements:
//   layerNorm: dx = rstd · (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)),  dw += Σ_rows g ⊙ x̂,  db += Σ_rows g
//   rmsNorm:   dx = rstd · (ĝ − x̂ ⊙ mean(ĝ ⊙ x̂)),           dw += Σ_rows g ⊙ x̂
// (RMSNorm lacks the mean(ĝ) term because it does not centre x.) Backward is one pass per row
// for the two means and one for dx, instead of the dozen tensor ops the formulas spell.
// Not here: other axes, running statistics. Every backend runs these loops: a tuned twin that
// only hoisted the weight/bias branch measured 1.03-1.2x and was removed (@llmts/kernels README).
// Reference: Ba et al. 2016 (LayerNorm); Zhang & Sennrich 2019 (RMSNorm); llm.c
// `layernorm_forward` / `layernorm_backward` (train_gpt2.c).

import type { FloatArray } from "./backend.ts";

// LayerNorm (Ba et al. 2016): y = (x - μ) / √(σ² + eps) · w + b, μ and σ² (biased) over the row.
export function layerNormRows(
  x: FloatArray,
  weight: FloatArray | null,
  bias: FloatArray | null,
  out: FloatArray,
  mean: FloatArray,
  rstd: FloatArray,
  rows: number,
  cols: number,
  eps: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    for (let c = 0; c < cols; c++) s += x[o + c]!;
    const mu = s / cols;
    let v = 0;
    for (let c = 0; c < cols; c++) v += (x[o + c]! - mu) ** 2;
    const rs = 1 / Math.sqrt(v / cols + eps);
    for (let c = 0; c < cols; c++) {
      let y = (x[o + c]! - mu) * rs;
      if (weight) y *= weight[c]!;
      if (bias) y += bias[c]!;
      out[o + c] = y;
    }
    mean[r] = mu;
    rstd[r] = rs;
  }
}

// RMSNorm (Zhang & Sennrich 2019, as in Llama): y = x / √(mean(x²) + eps) · w.
export function rmsNormRows(
  x: FloatArray,
  weight: FloatArray | null,
  out: FloatArray,
  rstd: FloatArray,
  rows: number,
  cols: number,
  eps: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let ss = 0;
    for (let c = 0; c < cols; c++) ss += x[o + c]! * x[o + c]!;
    const rs = 1 / Math.sqrt(ss / cols + eps);
    for (let c = 0; c < cols; c++) out[o + c] = x[o + c]! * rs * (weight ? weight[c]! : 1);
    rstd[r] = rs;
  }
}

/** LayerNorm backward: dx overwritten; dw, db (when given) accumulate the sums over rows. */
export function layerNormGradRows(
  x: FloatArray,
  weight: FloatArray | null,
  mean: FloatArray,
  rstd: FloatArray,
  g: FloatArray,
  dx: FloatArray,
  dw: FloatArray | null,
  db: FloatArray | null,
  rows: number,
  cols: number,
): void {
  const dwSum = new Float64Array(cols);
  const dbSum = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const mu = mean[r]!;
    const rs = rstd[r]!;
    let meanG = 0; // mean(ĝ)
    let meanGX = 0; // mean(ĝ ⊙ x̂)
    for (let c = 0; c < cols; c++) {
      const gh = g[o + c]! * (weight ? weight[c]! : 1);
      meanG += gh;
      meanGX += gh * (x[o + c]! - mu) * rs;
    }
    meanG /= cols;
    meanGX /= cols;
    for (let c = 0; c < cols; c++) {
      const xh = (x[o + c]! - mu) * rs;
      const gh = g[o + c]! * (weight ? weight[c]! : 1);
      dx[o + c] = rs * (gh - meanG - xh * meanGX);
      dwSum[c]! += g[o + c]! * xh;
      dbSum[c]! += g[o + c]!;
    }
  }
  for (let c = 0; c < cols; c++) {
    if (dw) dw[c]! += dwSum[c]!;
    if (db) db[c]! += dbSum[c]!;
  }
}

/** RMSNorm backward: dx overwritten; dw (when given) accumulates the sum over rows. */
export function rmsNormGradRows(
  x: FloatArray,
  weight: FloatArray | null,
  rstd: FloatArray,
  g: FloatArray,
  dx: FloatArray,
  dw: FloatArray | null,
  rows: number,
  cols: number,
): void {
  const dwSum = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const rs = rstd[r]!;
    let meanGX = 0; // mean(ĝ ⊙ x̂)
    for (let c = 0; c < cols; c++) meanGX += g[o + c]! * (weight ? weight[c]! : 1) * x[o + c]! * rs;
    meanGX /= cols;
    for (let c = 0; c < cols; c++) {
      const xh = x[o + c]! * rs;
      dx[o + c] = rs * (g[o + c]! * (weight ? weight[c]! : 1) - xh * meanGX);
      dwSum[c]! += g[o + c]! * xh;
    }
  }
  if (dw) for (let c = 0; c < cols; c++) dw[c]! += dwSum[c]!;
}
