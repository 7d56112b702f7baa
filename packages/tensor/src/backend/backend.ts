// The backend interface: the handful of primitives every op is built from, and the switch that
// chooses which implementation runs (setBackend / getBackend).
//
// Ops (src/ops/*.ts) own shapes, broadcasting and autograd; a backend only runs loops over
// typed arrays. Model code never talks to a backend. This package ships one backend, the
// reference (reference.ts: the plainest correct loop for each primitive), and uses it unless told
// otherwise. An engine such as @llmts/kernels plugs in with setBackend(): it implements the
// primitives it accelerates, and every primitive it leaves out runs the reference loop.
// Values enter a tensor when it is made or through the in-place ops (ops/inplace.ts), and leave
// it only through dataSync()/data(); nothing outside this package touches Tensor.storage. So a GPU
// backend would implement these methods over its own buffer handles in place of the typed arrays,
// keep storage on the device, and copy back only when read (docs/tensors.md, "The backend boundary").
// Not here: op-level logic (shape checks, gradients), any allocation policy, fast kernels.
// Reference: candle's `BackendStorage` trait, TF.js's `KernelBackend`, tinygrad's small backend
// contract (much smaller here).

import type { QuantizedMatrix } from "../quantized.ts";
import { referenceBackend } from "./reference.ts";

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

/**
 * out = x @ Wᵀ with a quantized weight (what a linear layer with Q8_0 / Q4_0 weights runs):
 *   x [M, K] contiguous float, W [N, K] in ggml blocks along its rows (quantized.ts),
 *   out[i * N + n] = Σ_k x[i, k] · W[n, k]   (overwritten). N is w.rows, K is w.cols.
 */
export interface QuantizedMatmulParams {
  M: number;
  N: number;
  x: FloatArray;
  w: QuantizedMatrix;
  out: FloatArray;
}

/**
 * The shapes and operands of causal attention, shared by forward and backward:
 *   q [B, H, T, D], k and v [B, Hkv, S, D], each by strides (innermost stride 1 for the fast
 *   kernels). The T queries are the last T of S positions: query i sits at pos = S - T + i and
 *   sees key j iff j <= pos and pos - j < window (window = Infinity: no sliding window).
 *   Query head h reads key/value head floor(h / (H / Hkv)) (grouped-query attention).
 */
export interface AttentionInputs {
  B: number;
  H: number;
  Hkv: number;
  T: number;
  S: number;
  D: number;
  q: Strided;
  k: Strided;
  v: Strided;
  /** Multiplies q·k (1/sqrt(D) in every model here). */
  scale: number;
  window: number;
}

/** Forward: out = softmax(mask(q kᵀ · scale)) v, and lse = log Σ_j exp(score_ij) per query row. */
export interface AttentionParams extends AttentionInputs {
  /** [B, H, T, D] by strides (written). */
  out: Strided;
  /** [B·H·T] (written), what backward needs to rebuild the probabilities; null in inference. */
  lse: FloatArray | null;
}

/** Backward: dq, dk, dv from the output gradient dOut and the forward's lse. */
export interface AttentionGradParams extends AttentionInputs {
  lse: FloatArray;
  /** [B, H, T, D] by strides. */
  dOut: Strided;
  /** [B, H, T, D] by strides, overwritten. */
  dq: Strided;
  /** [B, Hkv, S, D] by strides, overwritten (summed over the query heads that share a kv head). */
  dk: Strided;
  dv: Strided;
}

/**
 * One AdamW update over a parameter's elements (PyTorch's order of operations, in float64
 * with a float32 rounding at every store, see packages/train/src/adamw.ts):
 *   m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²;  w = w·decay;  w = w - stepSize·m / (√v / bc2Sqrt + eps)
 */
export interface AdamWParams extends AdamWHyper {
  param: Float32Array;
  grad: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

/** The scalars of one AdamW step (the same for every parameter but `decay`). */
export interface AdamWHyper {
  beta1: number;
  beta2: number;
  eps: number;
  /** lr / (1 - β1^t) */
  stepSize: number;
  /** sqrt(1 - β2^t) */
  biasCorrection2Sqrt: number;
  /** 1 - lr·weightDecay (1 for tensors that do not decay) */
  decay: number;
}

export interface Backend {
  readonly name: string;
  /** C = A @ B (see MatmulParams). By far the most time of a transformer is spent here. */
  matmul(p: MatmulParams): void;
  /** out = x @ Wᵀ with W quantized (see QuantizedMatmulParams): decoding a quantized model. */
  matmulQuantized(p: QuantizedMatmulParams): void;
  /** out[i] = f(x[i]) over contiguous arrays of equal length. */
  unary(op: UnaryOp, x: FloatArray, out: FloatArray, param: number): void;
  /** out[i] = g[i] * f'(x[i]); y = f(x) is passed too because some derivatives are cheaper from it. */
  unaryGrad(op: UnaryOp, x: FloatArray, y: FloatArray, g: FloatArray, out: FloatArray, param: number): void;
  /** out = a (op) b over `shape`; a and b carry strides already broadcast to `shape` (0 = repeat). */
  binary(op: BinaryOp, a: Strided, b: Strided, out: FloatArray, shape: readonly number[]): void;
  /** Gathers a strided view into a contiguous array (what contiguous() does). */
  copyStrided(src: Strided, out: TypedArray, shape: readonly number[]): void;
  /**
   * Writes a strided view into another: dst[i] = src[i] for every index i of `shape` (src may
   * carry 0 strides, i.e. be broadcast; dst may not, and the two must not overlap). copy_() is
   * built on it: the one way values change inside an existing tensor.
   */
  assign(src: Strided, dst: Strided, shape: readonly number[]): void;
  /** out[r] = Σ_c x[r, c] over a contiguous [rows, cols] array. */
  sumRows(x: FloatArray, out: FloatArray, rows: number, cols: number): void;
  /** out[c] = Σ_r x[r, c] over a contiguous [rows, cols] array (a sum over leading axes). */
  sumCols(x: FloatArray, out: FloatArray, rows: number, cols: number): void;
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
  /** LayerNorm backward over rows (see reference-norm.ts): dx overwritten, dw / db accumulated when given. */
  layerNormGradRows(
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
  ): void;
  /** RMSNorm backward over rows: dx overwritten, dw accumulated when given. */
  rmsNormGradRows(
    x: FloatArray,
    weight: FloatArray | null,
    rstd: FloatArray,
    g: FloatArray,
    dx: FloatArray,
    dw: FloatArray | null,
    rows: number,
    cols: number,
  ): void;
  /** Fused causal attention forward: one row of scores at a time, never [T, S] (see AttentionParams). */
  attention(p: AttentionParams): void;
  /** Its backward, rebuilding each row of probabilities from lse (flash-attention style). */
  attentionGrad(p: AttentionGradParams): void;
  /** One fused AdamW pass over param, grad, m and v (bit-identical across backends). */
  adamw(p: AdamWParams): void;
}

/** What a backend supplies: its name and any of the primitives; the reference runs the rest. */
export type BackendKernels = { readonly name: string } & Partial<Omit<Backend, "name">>;

let current: Backend = referenceBackend;

/**
 * Chooses the kernels every op uses from now on: `kernels`' primitives, and the reference's for
 * every primitive it leaves out. Returns the backend that ran until now.
 */
export function setBackend(kernels: BackendKernels): Backend {
  const previous = current;
  current = { ...referenceBackend, ...kernels };
  return previous;
}

/** The backend every op calls (the reference until setBackend() chose another). */
export function getBackend(): Backend {
  return current;
}
