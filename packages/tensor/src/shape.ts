// Shape arithmetic shared by the Tensor class and the ops: element counts, row-major strides,
// negative-dim normalisation and NumPy broadcasting.
// Pure functions on number arrays; nothing here touches data.
// Broadcasting follows NumPy's rules (https://numpy.org/doc/stable/user/basics.broadcasting.html):
// align shapes on the right; two sizes are compatible when equal or when one of them is 1.

import { ShapeError, shapeString } from "./errors.ts";

/** Number of elements: the product of the sizes (1 for a scalar, shape []). */
export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Row-major ("C order") strides: the last axis moves fastest. [2, 3, 4] -> [12, 4, 1]. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = step;
    step *= shape[d]!;
  }
  return strides;
}

/** Turns -1 into ndim - 1 and checks the range; `op` names the caller in the error. */
export function normalizeDim(dim: number, ndim: number, op: string): number {
  const d = dim < 0 ? dim + ndim : dim;
  if (!Number.isInteger(dim) || d < 0 || d >= ndim) {
    throw new ShapeError(`${op}: dim ${dim} is out of range for a tensor with ${ndim} dims`);
  }
  return d;
}

/** Checks that a shape is a list of non-negative integers. */
export function checkShape(shape: readonly number[], op: string): void {
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 0) throw new ShapeError(`${op}: invalid shape ${shapeString(shape)}`);
  }
}

/** The shape two operands broadcast to, e.g. [4, 1, 3] and [5, 1] -> [4, 5, 3]. */
export function broadcastShapes(a: readonly number[], b: readonly number[], op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const sa = a[a.length - n + i] ?? 1;
    const sb = b[b.length - n + i] ?? 1;
    if (sa !== sb && sa !== 1 && sb !== 1) {
      throw new ShapeError(`${op}: shapes ${shapeString(a)} and ${shapeString(b)} do not broadcast`);
    }
    out[i] = sa === 1 ? sb : sa;
  }
  return out;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
