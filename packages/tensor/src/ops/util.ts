// Small helpers shared by the op files: dtype checks and fresh result tensors.
// Not here: anything an op user calls (see factories.ts for the public constructors).

import type { FloatArray } from "../backend/backend.ts";
import { allocate, type DType, Tensor } from "../tensor.ts";

/** A zero tensor of `shape` (used inside backward passes). */
export function zerosOf(shape: readonly number[], dtype: DType): Tensor {
  let n = 1;
  for (const s of shape) n *= s;
  return new Tensor(allocate(dtype, n), shape);
}

/** Throws unless x holds floats; ops like exp or matmul make no sense on token ids. */
export function assertFloat(x: Tensor, op: string): void {
  if (x.dtype === "int32") throw new TypeError(`${op}: expects a float tensor, got int32`);
}

/** x's values as a contiguous float array (no copy when x is already contiguous). */
export function floatData(x: Tensor, op: string): FloatArray {
  assertFloat(x, op);
  return x.dataSync() as FloatArray;
}

/** A new float array of n elements with x's dtype. */
export function floatLike(x: Tensor, n: number): FloatArray {
  return allocate(x.dtype, n) as FloatArray;
}
