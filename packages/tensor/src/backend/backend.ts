// The backend interface: the handful of primitives every op is built from, and the switch that
// chooses which implementation runs (setBackend / getBackend).
//
// Ops (src/ops/*.ts) own shapes, broadcasting and autograd; a backend only runs loops over
// typed arrays. Model code never talks to a backend. A GPU backend would implement the same
// methods; since values leave a tensor only through dataSync()/data(), it could keep storage on
// the device and copy back only when read.
// Not here: op-level logic (shape checks, gradients) and any allocation policy.
// Reference: candle's `BackendStorage` trait, TF.js's `KernelBackend` (much smaller here).

import { fastBackend } from "./fast.ts";

export type FloatArray = Float32Array | Float64Array;
export type TypedArray = Float32Array | Float64Array | Int32Array;

/** A strided view of a buffer: element (i0, i1, ...) is data[offset + Σ i_d * strides[d]]. */
export interface Strided {
  data: TypedArray;
  offset: number;
  strides: readonly number[];
}

/** Elementwise functions of one input; `pow` takes its exponent as `param`. */
export type UnaryOp = "neg" | "exp" | "log" | "sqrt" | "tanh" | "relu" | "silu" | "gelu" | "geluTanh" | "pow";
export type BinaryOp = "add" | "sub" | "mul" | "div";

/**
 * C = A @ B for one matrix pair, with A and B described by strides so that transposed views are
 * read in place:  A[i, k] = a[aOffset + i * aRowStride + k * aColStride]  (M x K)
 *                 B[k, j] = b[bOffset + k * bRowStride + j * bColStride]  (K x N)
 *                 C[i, j] = out[outOffset + i * N + j]                   (M x N, overwritten)
 */
export interface MatmulParams {
  M: number;
  K: number;
  N: number;
  a: FloatArray;
  aOffset: number;
  aRowStride: number;
  aColStride: number;
  b: FloatArray;
  bOffset: number;
  bRowStride: number;
  bColStride: number;
  out: FloatArray;
  outOffset: number;
}

export interface Backend {
  readonly name: string;
  /** C = A @ B (see MatmulParams). By far the most time of a transformer is spent here. */
  matmul(p: MatmulParams): void;
  /** out[i] = f(x[i]) over contiguous arrays of equal length. */
  unary(op: UnaryOp, x: FloatArray, out: FloatArray, param: number): void;
  /** out[i] = g[i] * f'(x[i]); y = f(x) is passed too because some derivatives are cheaper from it. */
  unaryGrad(op: UnaryOp, x: FloatArray, y: FloatArray, g: FloatArray, out: FloatArray, param: number): void;
  /** out = a (op) b over `shape`; a and b carry strides already broadcast to `shape` (0 = repeat). */
  binary(op: BinaryOp, a: Strided, b: Strided, out: FloatArray, shape: readonly number[]): void;
  /** Gathers a strided view into a contiguous array (what contiguous() does). */
  copyStrided(src: Strided, out: TypedArray, shape: readonly number[]): void;
  /** out[r] = Σ_c x[r, c] over a contiguous [rows, cols] array. */
  sumRows(x: FloatArray, out: FloatArray, rows: number, cols: number): void;
  /** out[r] = max_c x[r, c], argmax[r] = first c that attains it. */
  maxRows(x: FloatArray, out: FloatArray, argmax: Int32Array, rows: number, cols: number): void;
  /** Softmax (or log-softmax when `log`) of each row of a contiguous [rows, cols] array. */
  softmaxRows(x: FloatArray, out: FloatArray, rows: number, cols: number, log: boolean): void;
  /** LayerNorm of each row: out = (x - mean) * rstd * weight + bias; also returns mean and rstd per row. */
  layerNormRows(
    x: FloatArray,
    weight: FloatArray | null,
    bias: FloatArray | null,
    out: FloatArray,
    mean: FloatArray,
    rstd: FloatArray,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  /** RMSNorm of each row: out = x * rstd * weight, rstd = 1 / sqrt(mean(x²) + eps). */
  rmsNormRows(
    x: FloatArray,
    weight: FloatArray | null,
    out: FloatArray,
    rstd: FloatArray,
    rows: number,
    cols: number,
    eps: number,
  ): void;
}

let current: Backend = fastBackend;

/** Chooses the backend every op uses from now on (default: fastBackend). Returns the previous one. */
export function setBackend(backend: Backend): Backend {
  const previous = current;
  current = backend;
  return previous;
}

export function getBackend(): Backend {
  return current;
}
