// Tuned TypeScript twins of the row kernels (softmax / log-softmax, layerNorm and rmsNorm forward
// and backward, sum over rows). Each computes what its reference does (reference.ts,
// reference-norm.ts), with the per-element work trimmed:
//   softmax      one exp per element instead of two: e = exp(x − max) is stored, then scaled
//                by 1/Σe (the reference recomputes exp for the output)
//   norms        the weight/bias checks hoisted out of the inner loops; in backward the
//                dw / db sums kept in one float64 scratch reused across calls
//   sum          four partial sums (the add chain of one long sum runs up to four times faster);
//                column sums walk the array in memory order, one accumulator row
// All sums are JavaScript numbers (float64), as in the reference, so results agree to float32
// rounding.
// Not here: SIMD (these are single passes over memory; wasm/unary.ts has the exp-heavy ones).
// Reference: reference.ts / reference-norm.ts; llm.c `softmax_forward`, `layernorm_backward`.

import type { FloatArray } from "@llmts/tensor";

export function softmaxRowsFast(
  x: FloatArray,
  out: FloatArray,
  rows: number,
  cols: number,
  log: boolean,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = Number.NEGATIVE_INFINITY; // a row that is all -inf gives NaN, as in PyTorch
    for (let c = 0; c < cols; c++) if (x[o + c]! > m || Number.isNaN(x[o + c]!)) m = x[o + c]!;
    let s = 0;
    if (log) {
      for (let c = 0; c < cols; c++) s += Math.exp(x[o + c]! - m);
      const shift = m + Math.log(s);
      for (let c = 0; c < cols; c++) out[o + c] = x[o + c]! - shift;
    } else {
      for (let c = 0; c < cols; c++) {
        const e = Math.exp(x[o + c]! - m);
        out[o + c] = e;
        s += e;
      }
      const inv = 1 / s;
      for (let c = 0; c < cols; c++) out[o + c]! *= inv;
    }
  }
}

export function layerNormRowsFast(
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
    for (let c = 0; c < cols; c++) {
      const d = x[o + c]! - mu;
      v += d * d;
    }
    const rs = 1 / Math.sqrt(v / cols + eps);
    if (weight && bias)
      for (let c = 0; c < cols; c++) out[o + c] = (x[o + c]! - mu) * rs * weight[c]! + bias[c]!;
    else if (weight) for (let c = 0; c < cols; c++) out[o + c] = (x[o + c]! - mu) * rs * weight[c]!;
    else if (bias) for (let c = 0; c < cols; c++) out[o + c] = (x[o + c]! - mu) * rs + bias[c]!;
    else for (let c = 0; c < cols; c++) out[o + c] = (x[o + c]! - mu) * rs;
    mean[r] = mu;
    rstd[r] = rs;
  }
}

export function rmsNormRowsFast(
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
    if (weight) for (let c = 0; c < cols; c++) out[o + c] = x[o + c]! * rs * weight[c]!;
    else for (let c = 0; c < cols; c++) out[o + c] = x[o + c]! * rs;
    rstd[r] = rs;
  }
}

let sums = new Float64Array(0); // dw then db accumulators [2, cols]

export function layerNormGradRowsFast(
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
  if (sums.length < 2 * cols) sums = new Float64Array(2 * cols);
  const acc = sums;
  acc.fill(0, 0, 2 * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const mu = mean[r]!;
    const rs = rstd[r]!;
    let meanG = 0; // Σ ĝ, then its mean
    let meanGX = 0; // Σ ĝ ⊙ x̂, then its mean
    for (let c = 0; c < cols; c++) {
      const gh = weight ? g[o + c]! * weight[c]! : g[o + c]!;
      meanG += gh;
      meanGX += gh * (x[o + c]! - mu);
    }
    meanG /= cols;
    meanGX *= rs / cols;
    for (let c = 0; c < cols; c++) {
      const xh = (x[o + c]! - mu) * rs;
      const gc = g[o + c]!;
      dx[o + c] = rs * ((weight ? gc * weight[c]! : gc) - meanG - xh * meanGX);
      acc[c]! += gc * xh;
      acc[cols + c]! += gc;
    }
  }
  for (let c = 0; c < cols; c++) {
    if (dw) dw[c]! += acc[c]!;
    if (db) db[c]! += acc[cols + c]!;
  }
}

export function rmsNormGradRowsFast(
  x: FloatArray,
  weight: FloatArray | null,
  rstd: FloatArray,
  g: FloatArray,
  dx: FloatArray,
  dw: FloatArray | null,
  rows: number,
  cols: number,
): void {
  if (sums.length < cols) sums = new Float64Array(2 * cols);
  const acc = sums;
  acc.fill(0, 0, cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const rs = rstd[r]!;
    let meanGX = 0;
    if (weight) for (let c = 0; c < cols; c++) meanGX += g[o + c]! * weight[c]! * x[o + c]!;
    else for (let c = 0; c < cols; c++) meanGX += g[o + c]! * x[o + c]!;
    meanGX *= rs / cols; // mean(ĝ ⊙ x̂) with x̂ = x · rstd
    for (let c = 0; c < cols; c++) {
      const xh = x[o + c]! * rs;
      const gc = g[o + c]!;
      dx[o + c] = rs * ((weight ? gc * weight[c]! : gc) - xh * meanGX);
      acc[c]! += gc * xh;
    }
  }
  if (dw) for (let c = 0; c < cols; c++) dw[c]! += acc[c]!;
}

export function sumRowsFast(x: FloatArray, out: FloatArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let c = 0;
    for (; c + 3 < cols; c += 4) {
      s0 += x[o + c]!;
      s1 += x[o + c + 1]!;
      s2 += x[o + c + 2]!;
      s3 += x[o + c + 3]!;
    }
    for (; c < cols; c++) s0 += x[o + c]!;
    out[r] = s0 + s1 + (s2 + s3);
  }
}

let colSums = new Float64Array(0);

/** Σ over rows, walking x in memory order: each row is added into a float64 accumulator row. */
export function sumColsFast(x: FloatArray, out: FloatArray, rows: number, cols: number): void {
  if (colSums.length < cols) colSums = new Float64Array(cols);
  const acc = colSums;
  acc.fill(0, 0, cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) acc[c]! += x[o + c]!;
  }
  for (let c = 0; c < cols; c++) out[c] = acc[c]!;
}
