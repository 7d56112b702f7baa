// The js backend: tuned TypeScript for every primitive that has a tuned twin —
//   matmul       the blocked, register-tiled kernel of matmul.ts (matrix-vector path for M = 1)
//   binary/copy  dims collapsed (neighbours merged where the strides allow), then plain strided
//   /assign      loops per innermost run instead of a callback per element
//   rows         softmax, sums over rows (rows.ts); exact GELU (unary.ts)
//   attention    fused: one query row at a time for T = 1 (attention-decode.ts), blocks of rows on
//                the blocked matmul otherwise and in backward (block-attention.ts)
//   adamw        the fused update (adamw.ts), bit-identical to the reference
// and, by leaving them out, the reference loops of @llmts/tensor for the rest: maxRows, sumCols,
// log-softmax, the norms forward and backward (single passes where a tuned twin measured no
// faster: README, "Twins"). Not here: threads or SIMD (../wasm/). Reference: @llmts/tensor's
// backend/reference.ts defines what each primitive computes.

import type { BackendKernels, BinaryOp, FloatArray, Strided, TypedArray } from "@llmts/tensor";
import { adamwJs } from "./adamw.ts";
import { attentionRows } from "./attention-decode.ts";
import { makeBlockAttention } from "./block-attention.ts";
import { matmulJs } from "./matmul.ts";
import { matmulQuantizedJs } from "./quantized.ts";
import { softmaxRowsJs, sumRowsJs } from "./rows.ts";
import { unaryGradJs, unaryJs } from "./unary.ts";

/**
 * The same walk over fewer, longer dims: size-1 dims dropped, and neighbours merged where both
 * operands step through them as one (strides[d] = strides[d+1] · shape[d+1]). Two contiguous
 * [12, 64, 128] operands become one run of 98304; a bias over [B, T, C] becomes rows of C.
 */
function collapseDims(
  shape: readonly number[],
  aStrides: readonly number[],
  bStrides: readonly number[],
): { shape: number[]; a: number[]; b: number[] } {
  const out = { shape: [] as number[], a: [] as number[], b: [] as number[] };
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = out.shape.length - 1;
    if (last >= 0 && out.a[last] === aStrides[d]! * size && out.b[last] === bStrides[d]! * size) {
      out.shape[last]! *= size;
      out.a[last] = aStrides[d]!;
      out.b[last] = bStrides[d]!;
    } else {
      out.shape.push(size);
      out.a.push(aStrides[d]!);
      out.b.push(bStrides[d]!);
    }
  }
  return out;
}

/**
 * Walks the outer dims like an odometer and hands each innermost run to `inner`, which loops
 * with plain strides — no per-element callback.
 */
function forEachRow(
  shape: readonly number[],
  aOffset: number,
  aStrides: readonly number[],
  bOffset: number,
  bStrides: readonly number[],
  inner: (o: number, ai: number, bi: number) => void,
): void {
  const nd = shape.length;
  if (nd === 0) {
    inner(0, aOffset, bOffset);
    return;
  }
  const cols = shape[nd - 1]!;
  let rows = 1;
  for (let d = 0; d < nd - 1; d++) rows *= shape[d]!;
  if (cols === 0 || rows === 0) return;
  const idx = new Array<number>(nd - 1).fill(0);
  let ai = aOffset;
  let bi = bOffset;
  for (let r = 0; r < rows; r++) {
    inner(r * cols, ai, bi);
    for (let d = nd - 2; d >= 0; d--) {
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

/** out[o + j] = x[ai + j·sa] (op) y[bi + j·sb] for j < n, with the common stride patterns unrolled. */
function binaryRun(
  op: BinaryOp,
  x: FloatArray,
  ai: number,
  sa: number,
  y: FloatArray,
  bi: number,
  sb: number,
  out: FloatArray,
  o: number,
  n: number,
): void {
  if (sa === 1 && sb === 1) {
    switch (op) {
      case "add":
        for (let j = 0; j < n; j++) out[o + j] = x[ai + j]! + y[bi + j]!;
        return;
      case "sub":
        for (let j = 0; j < n; j++) out[o + j] = x[ai + j]! - y[bi + j]!;
        return;
      case "mul":
        for (let j = 0; j < n; j++) out[o + j] = x[ai + j]! * y[bi + j]!;
        return;
      case "div":
        for (let j = 0; j < n; j++) out[o + j] = x[ai + j]! / y[bi + j]!;
        return;
    }
  }
  if (sa === 1 && sb === 0) {
    // a tensor and a scalar (or a value broadcast along this run): y read once
    const c = y[bi]!;
    switch (op) {
      case "add":
        for (let j = 0; j < n; j++) out[o + j] = x[ai + j]! + c;
        return;
      case "sub":
        for (let j = 0; j < n; j++) out[o + j] = x[ai + j]! - c;
        return;
      case "mul":
        for (let j = 0; j < n; j++) out[o + j] = x[ai + j]! * c;
        return;
      case "div":
        for (let j = 0; j < n; j++) out[o + j] = x[ai + j]! / c;
        return;
    }
  }
  switch (op) {
    case "add":
      for (let j = 0; j < n; j++) out[o + j] = x[ai + j * sa]! + y[bi + j * sb]!;
      return;
    case "sub":
      for (let j = 0; j < n; j++) out[o + j] = x[ai + j * sa]! - y[bi + j * sb]!;
      return;
    case "mul":
      for (let j = 0; j < n; j++) out[o + j] = x[ai + j * sa]! * y[bi + j * sb]!;
      return;
    case "div":
      for (let j = 0; j < n; j++) out[o + j] = x[ai + j * sa]! / y[bi + j * sb]!;
      return;
  }
}

function binaryJs(op: BinaryOp, a: Strided, b: Strided, out: FloatArray, shape: readonly number[]): void {
  const c = collapseDims(shape, a.strides, b.strides);
  const nd = c.shape.length;
  const cols = nd === 0 ? 1 : c.shape[nd - 1]!;
  const sa = nd === 0 ? 0 : c.a[nd - 1]!;
  const sb = nd === 0 ? 0 : c.b[nd - 1]!;
  const x = a.data as FloatArray;
  const y = b.data as FloatArray;
  forEachRow(c.shape, a.offset, c.a, b.offset, c.b, (o, ai, bi) =>
    binaryRun(op, x, ai, sa, y, bi, sb, out, o, cols),
  );
}

function copyStridedJs(src: Strided, out: TypedArray, shape: readonly number[]): void {
  const c = collapseDims(shape, src.strides, src.strides);
  const nd = c.shape.length;
  const cols = nd === 0 ? 1 : c.shape[nd - 1]!;
  const s = nd === 0 ? 0 : c.a[nd - 1]!;
  const d = src.data;
  forEachRow(c.shape, src.offset, c.a, 0, c.a, (o, si) => {
    if (s === 1) out.set(d.subarray(si, si + cols), o);
    else for (let j = 0; j < cols; j++) out[o + j] = d[si + j * s]!;
  });
}

function assignJs(src: Strided, dst: Strided, shape: readonly number[]): void {
  const c = collapseDims(shape, src.strides, dst.strides);
  const nd = c.shape.length;
  const cols = nd === 0 ? 1 : c.shape[nd - 1]!;
  const ss = nd === 0 ? 0 : c.a[nd - 1]!;
  const ds = nd === 0 ? 0 : c.b[nd - 1]!;
  const s = src.data;
  const d = dst.data;
  forEachRow(c.shape, src.offset, c.a, dst.offset, c.b, (_, si, di) => {
    if (ss === 1 && ds === 1) d.set(s.subarray(si, si + cols), di);
    else for (let j = 0; j < cols; j++) d[di + j * ds] = s[si + j * ss]!;
  });
}

const blocks = makeBlockAttention(matmulJs);

export const jsBackend = {
  name: "js",
  matmul: matmulJs,
  matmulQuantized: matmulQuantizedJs,
  binary: binaryJs,
  copyStrided: copyStridedJs,
  assign: assignJs,
  unary: unaryJs,
  unaryGrad: unaryGradJs,
  sumRows: sumRowsJs,
  softmaxRows: softmaxRowsJs,
  attention: (p) => (p.T === 1 ? attentionRows(p) : blocks.forward(p)),
  attentionGrad: blocks.backward,
  adamw: adamwJs,
} satisfies BackendKernels;
