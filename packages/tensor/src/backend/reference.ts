// The reference backend: every primitive as the plainest loop that is correct. It is the
// definition the faster backends of @llmts/kernels are tested against, and the one to read to learn what each kernel
// computes. Sums accumulate in JavaScript numbers (float64) and round once when stored.
// The normalisations, fused attention and the AdamW update have their reference loops in
// reference-norm.ts, reference-attention.ts and adamw.ts.
// Not here: any cache blocking, unrolling, SIMD or threads (@llmts/kernels has those).
// Reference: llm.c's `*_forward` CPU kernels (train_gpt2.c), e.g. `matmul_forward_naive`.

import { adamwReference } from "./adamw.ts";
import type { Backend, BinaryOp, FloatArray, MatmulParams, Strided, TypedArray, UnaryOp } from "./backend.ts";
import { attentionGradReference, attentionReference } from "./reference-attention.ts";
import { layerNormGradRows, layerNormRows, rmsNormGradRows, rmsNormRows } from "./reference-norm.ts";
import { matmulQuantizedReference } from "./reference-quantized.ts";
import { UNARY } from "./scalar.ts";

/** C[i, j] = Σ_k A[i, k] B[k, j] — the textbook triple loop. */
export function matmulReference(p: MatmulParams): void {
  const { M, K, N, a, b, out } = p;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < K; k++) {
        sum +=
          a[p.aOffset + i * p.aRowStride + k * p.aColStride]! *
          b[p.bOffset + k * p.bRowStride + j * p.bColStride]!;
      }
      out[p.outOffset + i * N + j] = sum;
    }
  }
}

/** out[i] = f(x[i]) with f from the UNARY table (scalar.ts). */
function unary(op: UnaryOp, x: FloatArray, out: FloatArray, param: number): void {
  const f = UNARY[op].forward;
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!, param);
}

/** out[i] = g[i] · f'(x[i]): the chain rule for an elementwise op. */
function unaryGrad(op: UnaryOp, x: FloatArray, y: FloatArray, g: FloatArray, out: FloatArray, param: number) {
  const df = UNARY[op].derivative;
  for (let i = 0; i < x.length; i++) out[i] = g[i]! * df(x[i]!, y[i]!, param);
}

const BINARY: Record<BinaryOp, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
};

/**
 * Walks every index of `shape` in row-major order and calls visit(outIndex, aIndex, bIndex),
 * where aIndex/bIndex are positions in two strided views. An "odometer": the last digit
 * turns fastest and carries into the one before it.
 */
export function forEachIndex(
  shape: readonly number[],
  aOffset: number,
  aStrides: readonly number[],
  bOffset: number,
  bStrides: readonly number[],
  visit: (o: number, ai: number, bi: number) => void,
): void {
  const nd = shape.length;
  let total = 1;
  for (const s of shape) total *= s;
  if (total === 0) return;
  const idx = new Array<number>(nd).fill(0);
  let ai = aOffset;
  let bi = bOffset;
  for (let o = 0; o < total; o++) {
    visit(o, ai, bi);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      ai += aStrides[d]!;
      bi += bStrides[d]!;
      if (idx[d]! < shape[d]!) break;
      ai -= aStrides[d]! * shape[d]!;
      bi -= bStrides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

function binary(op: BinaryOp, a: Strided, b: Strided, out: FloatArray, shape: readonly number[]): void {
  const [ad, bd, f] = [a.data, b.data, BINARY[op]];
  forEachIndex(shape, a.offset, a.strides, b.offset, b.strides, (o, ai, bi) => {
    out[o] = f(ad[ai]!, bd[bi]!);
  });
}

function copyStrided(src: Strided, out: TypedArray, shape: readonly number[]): void {
  const d = src.data;
  forEachIndex(shape, src.offset, src.strides, 0, src.strides, (o, si) => {
    out[o] = d[si]!;
  });
}

function assign(src: Strided, dst: Strided, shape: readonly number[]): void {
  const s = src.data;
  const d = dst.data;
  forEachIndex(shape, src.offset, src.strides, dst.offset, dst.strides, (_, si, di) => {
    d[di] = s[si]!;
  });
}

function sumRows(x: FloatArray, out: FloatArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += x[r * cols + c]!;
    out[r] = s;
  }
}

function sumCols(x: FloatArray, out: FloatArray, rows: number, cols: number): void {
  for (let c = 0; c < cols; c++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += x[r * cols + c]!;
    out[c] = s;
  }
}

function maxRows(x: FloatArray, out: FloatArray, argmax: Int32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (x[r * cols + c]! > x[r * cols + best]!) best = c;
    out[r] = x[r * cols + best]!;
    argmax[r] = best;
  }
}

// softmax(x)_c = exp(x_c - m) / Σ exp(x_j - m), m = max_j x_j — subtracting the max changes
// nothing mathematically but keeps exp from overflowing. log-softmax = (x_c - m) - log Σ exp(x_j - m).
function softmaxRows(x: FloatArray, out: FloatArray, rows: number, cols: number, log: boolean): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = Number.NEGATIVE_INFINITY; // a row that is all -inf gives NaN, as in PyTorch
    for (let c = 0; c < cols; c++) m = Math.max(m, x[o + c]!);
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(x[o + c]! - m);
    if (log) {
      const logS = Math.log(s);
      for (let c = 0; c < cols; c++) out[o + c] = x[o + c]! - m - logS;
    } else {
      for (let c = 0; c < cols; c++) out[o + c] = Math.exp(x[o + c]! - m) / s;
    }
  }
}

export const referenceBackend: Backend = {
  name: "reference",
  matmul: matmulReference,
  matmulQuantized: matmulQuantizedReference,
  unary,
  unaryGrad,
  binary,
  copyStrided,
  assign,
  sumRows,
  sumCols,
  maxRows,
  softmaxRows,
  layerNormRows,
  rmsNormRows,
  layerNormGradRows,
  rmsNormGradRows,
  attention: attentionReference,
  attentionGrad: attentionGradReference,
  adamw: adamwReference,
};
