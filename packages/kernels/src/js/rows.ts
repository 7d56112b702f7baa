// Tuned TypeScript twins of two row kernels, each measured faster than its reference
// (@llmts/tensor's reference.ts) on the training and decoding shapes (README, "Twins"):
//   softmax      one exp per element instead of two: e = exp(x − max) is stored, then scaled
//                by 1/Σe (the reference recomputes exp for the output): ~1.7x
//   sumRows      four partial sums (the add chain of one long sum runs up to four times faster): ~1.6x
// All sums are JavaScript numbers (float64), as in the reference, so results agree to float32
// rounding.
// Not here: log-softmax, the norms forward and backward, and column sums — their "fast" twins
// measured within 0.7-1.2x of the reference loops (the norms only hoisted a branch), so the
// reference runs them; SIMD (these are single passes over memory; wasm/unary.ts has the
// exp-heavy ones).
// Reference: reference.ts; llm.c `softmax_forward`.

import { type FloatArray, referenceBackend } from "@llmts/tensor";

/** Softmax of each row; log-softmax is the reference's (one exp per element there already). */
export function softmaxRowsJs(
  x: FloatArray,
  out: FloatArray,
  rows: number,
  cols: number,
  log: boolean,
): void {
  if (log) {
    referenceBackend.softmaxRows(x, out, rows, cols, true);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = Number.NEGATIVE_INFINITY; // a row that is all -inf gives NaN, as in PyTorch
    for (let c = 0; c < cols; c++) if (x[o + c]! > m || Number.isNaN(x[o + c]!)) m = x[o + c]!;
    let s = 0;
    for (let c = 0; c < cols; c++) {
      const e = Math.exp(x[o + c]! - m);
      out[o + c] = e;
      s += e;
    }
    const inv = 1 / s;
    for (let c = 0; c < cols; c++) out[o + c]! *= inv;
  }
}

export function sumRowsJs(x: FloatArray, out: FloatArray, rows: number, cols: number): void {
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
