// The in-place operations: the only ways values change inside a tensor that already exists.
//
//   copy_(dst, src)        dst ← src, src broadcast to dst's shape (a KV cache row, a perturbed input)
//   adamwUpdate_(p, ...)   one fused AdamW step over a parameter and its moment tensors
//
// Everything else in this package makes new tensors, and values leave a tensor only through
// dataSync() / data(). Keeping writes to these named functions is what lets a backend own the
// storage: a device backend would run them where the data lives, and nothing outside
// packages/tensor ever touches `Tensor.storage` (docs/test/tensors.test.ts checks that).
// Neither op is recorded by autograd (PyTorch's optimizers and caches also write under no_grad):
// writing into a tensor the recorded graph still needs would silently change its gradient, so
// that is an error here.
// Not here: in-place arithmetic in general (a += b): the library stays functional.
// Reference: PyTorch's Tensor.copy_ and torch.optim.AdamW (foreach=False).

import { isGradEnabled } from "../autograd.ts";
import { type AdamWHyper, getBackend } from "../backend/backend.ts";
import { ShapeError, shapeString } from "../errors.ts";
import { broadcastShapes, sameShape } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { broadcastView } from "./elementwise.ts";

/** Refuses writes autograd could not account for; `op` names the caller. */
function checkWritable(t: Tensor, op: string): void {
  if (t.gradFn !== null) {
    throw new Error(`${op}: ${t} was made by a recorded op; writing into it would corrupt backward()`);
  }
  if (t.requiresGrad && isGradEnabled()) {
    throw new Error(`${op}: ${t} requires grad; write to it inside noGrad() (as optimizers do)`);
  }
}

/**
 * Whether two views may touch the same bytes: the spans from each one's first to its last element
 * intersect (within one ArrayBuffer; a subarray shares its parent's). Conservative: two
 * interleaved views that never share an element also count.
 */
function overlaps(a: Tensor, b: Tensor): boolean {
  if (a.storage.buffer !== b.storage.buffer || a.size === 0 || b.size === 0) return false;
  const span = (t: Tensor): [number, number] => {
    const bytes = t.storage.BYTES_PER_ELEMENT;
    let last = t.offset;
    t.shape.forEach((size, d) => {
      last += (size - 1) * t.strides[d]!;
    });
    return [t.storage.byteOffset + t.offset * bytes, t.storage.byteOffset + (last + 1) * bytes];
  };
  const [a0, a1] = span(a);
  const [b0, b1] = span(b);
  return a0 < b1 && b0 < a1;
}

/**
 * Writes src's values into dst (any view: a narrowed slice of a cache buffer, say) and returns
 * dst. src is broadcast to dst's shape with NumPy's rules; dtypes must match. dst may not be an
 * expanded view (several of its indices would name one element), and src may not overlap it in
 * memory (an overlapping copy would read values it has already overwritten).
 */
export function copy_(dst: Tensor, src: Tensor): Tensor {
  checkWritable(dst, "copy_");
  if (src.dtype !== dst.dtype) {
    throw new TypeError(`copy_: dtypes differ: ${dst.dtype} ${shapeString(dst.shape)} ← ${src.dtype}`);
  }
  if (!sameShape(broadcastShapes(dst.shape, src.shape, "copy_"), dst.shape)) {
    throw new ShapeError(
      `copy_: ${shapeString(src.shape)} does not broadcast to the destination ${shapeString(dst.shape)}`,
    );
  }
  if (dst.shape.some((size, d) => size > 1 && dst.strides[d] === 0)) {
    throw new ShapeError(`copy_: the destination ${shapeString(dst.shape)} is an expanded (broadcast) view`);
  }
  if (overlaps(src, dst)) throw new Error("copy_: source and destination overlap in memory");
  getBackend().assign(
    broadcastView(src, dst.shape),
    { data: dst.storage, offset: dst.offset, strides: dst.strides },
    dst.shape,
  );
  return dst;
}

/**
 * One AdamW update, in place: param, m and v change; grad is read. All four are contiguous
 * float32 tensors of one shape (the optimizer owns m and v; backward() makes grads contiguous).
 * The math is the backend's adamw primitive (backend.ts): PyTorch's order of operations.
 */
export function adamwUpdate_(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, hyper: AdamWHyper): void {
  checkWritable(param, "adamwUpdate_");
  for (const [role, t] of [
    ["param", param],
    ["grad", grad],
    ["m", m],
    ["v", v],
  ] as const) {
    if (t.dtype !== "float32" || !t.isContiguous() || !sameShape(t.shape, param.shape)) {
      throw new ShapeError(
        `adamwUpdate_: ${role} must be a contiguous float32 ${shapeString(param.shape)}, got ${t}${t.isContiguous() ? "" : " (strided)"}`,
      );
    }
  }
  // Contiguous: the elements are storage[offset .. offset + size), handed over without a copy.
  const f32 = (t: Tensor) => (t.storage as Float32Array).subarray(t.offset, t.offset + t.size);
  getBackend().adamw({ param: f32(param), grad: f32(grad), m: f32(m), v: f32(v), ...hyper });
}
