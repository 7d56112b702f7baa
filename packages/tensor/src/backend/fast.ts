// The fast backend: the blocked matmul of fast-matmul.ts, and elementwise/copy loops that walk
// the innermost dim with plain strides instead of a callback per element. The other primitives
// are the reference ones (memory-bound single passes already).
// Not here: threads or SIMD. Reference: reference.ts defines what each primitive computes.

import type { Backend, BinaryOp, FloatArray, Strided, TypedArray } from "./backend.ts";
import { matmulFast } from "./fast-matmul.ts";
import { referenceBackend } from "./reference.ts";

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

function binaryFast(op: BinaryOp, a: Strided, b: Strided, out: FloatArray, shape: readonly number[]): void {
  const nd = shape.length;
  const cols = nd === 0 ? 1 : shape[nd - 1]!;
  const sa = nd === 0 ? 0 : a.strides[nd - 1]!;
  const sb = nd === 0 ? 0 : b.strides[nd - 1]!;
  const x = a.data;
  const y = b.data;
  forEachRow(shape, a.offset, a.strides, b.offset, b.strides, (o, ai, bi) => {
    switch (op) {
      case "add":
        for (let j = 0; j < cols; j++) out[o + j] = x[ai + j * sa]! + y[bi + j * sb]!;
        return;
      case "sub":
        for (let j = 0; j < cols; j++) out[o + j] = x[ai + j * sa]! - y[bi + j * sb]!;
        return;
      case "mul":
        for (let j = 0; j < cols; j++) out[o + j] = x[ai + j * sa]! * y[bi + j * sb]!;
        return;
      case "div":
        for (let j = 0; j < cols; j++) out[o + j] = x[ai + j * sa]! / y[bi + j * sb]!;
        return;
    }
  });
}

function copyStridedFast(src: Strided, out: TypedArray, shape: readonly number[]): void {
  const nd = shape.length;
  const cols = nd === 0 ? 1 : shape[nd - 1]!;
  const s = nd === 0 ? 0 : src.strides[nd - 1]!;
  const d = src.data;
  forEachRow(shape, src.offset, src.strides, 0, src.strides, (o, si) => {
    if (s === 1) out.set(d.subarray(si, si + cols), o);
    else for (let j = 0; j < cols; j++) out[o + j] = d[si + j * s]!;
  });
}

export const fastBackend: Backend = {
  ...referenceBackend,
  name: "fast",
  matmul: matmulFast,
  binary: binaryFast,
  copyStrided: copyStridedFast,
};
