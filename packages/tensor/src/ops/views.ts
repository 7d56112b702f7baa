// View ops: new shape/strides/offset over the same storage, no data copied (except reshape of
// a tensor whose strides cannot express the new shape, and contiguous(), which copy exactly
// when they must).
// Each backward maps the gradient back onto the input's shape:
//   reshape -> reshape back; permute -> inverse permutation; narrow -> pad with zeros;
//   expand -> sum over the broadcast dims; contiguous -> identity.
// Not here: slicing with steps, fancy indexing.
// Reference: PyTorch's view semantics (https://pytorch.org/docs/stable/tensor_view.html).

import { needsGrad, record } from "../autograd.ts";
import { getBackend } from "../backend/backend.ts";
import { ShapeError, shapeString } from "../errors.ts";
import { checkShape, contiguousStrides, normalizeDim, numelOf } from "../shape.ts";
import { allocate, Tensor } from "../tensor.ts";
import { concat } from "./join.ts";
import { unbroadcast } from "./reduce.ts";
import { zerosOf } from "./util.ts";

/** Copies into a fresh row-major tensor when the layout is anything else; otherwise returns x. */
export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous()) return x;
  const out = allocate(x.dtype, x.size);
  getBackend().copyStrided({ data: x.storage, offset: x.offset, strides: x.strides }, out, x.shape);
  const y = new Tensor(out, x.shape);
  if (needsGrad(x)) record(y, "contiguous", [x], (g) => [g]);
  return y;
}

/** Replaces one -1 in `shape` by whatever makes the element count match. */
function inferShape(x: Tensor, shape: readonly number[], op: string): number[] {
  const out = [...shape];
  const unknown = out.indexOf(-1);
  if (unknown >= 0) {
    const known = numelOf(out.filter((_, i) => i !== unknown));
    out[unknown] = known === 0 ? 0 : x.size / known;
  }
  if (
    out.indexOf(-1) !== out.lastIndexOf(-1) ||
    !Number.isInteger(out[unknown] ?? 0) ||
    numelOf(out) !== x.size
  ) {
    throw new ShapeError(`${op}: cannot reshape ${shapeString(x.shape)} to ${shapeString(shape)}`);
  }
  checkShape(out, op);
  return out;
}

/**
 * Strides that lay `shape` over x's elements in row-major order without moving them, or null
 * when none exist (x would need a copy). Splitting or merging dims works whenever the dims
 * involved are laid out one after another, e.g. [B, T, 3C] narrowed to [B, T, C] (row stride
 * 3C) reshapes to [B, T, H, D] as a view. PyTorch's computeStride (aten/src/ATen/TensorUtils.cpp).
 */
function viewStrides(x: Tensor, shape: readonly number[]): number[] | null {
  if (x.size === 0 || x.ndim === 0) return contiguousStrides(shape);
  const out = new Array<number>(shape.length);
  let viewD = shape.length - 1;
  // Walk x's dims from the last, in chunks of dims that are contiguous with each other; each
  // chunk must be covered exactly by a run of the new dims.
  let chunkStride = x.strides[x.ndim - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = x.ndim - 1; d >= 0; d--) {
    tensorNumel *= x.shape[d]!;
    const chunkEnds = d === 0 || (x.shape[d - 1] !== 1 && x.strides[d - 1] !== tensorNumel * chunkStride);
    if (!chunkEnds) continue;
    while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
      out[viewD] = viewNumel * chunkStride;
      viewNumel *= shape[viewD]!;
      viewD--;
    }
    if (viewNumel !== tensorNumel) return null;
    if (d > 0) {
      chunkStride = x.strides[d - 1]!;
      tensorNumel = 1;
      viewNumel = 1;
    }
  }
  return viewD === -1 ? out : null;
}

/** Same elements, new shape (one size may be -1). A view whenever strides allow, else a copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const newShape = inferShape(x, shape, "reshape");
  const strides = x.isContiguous() ? contiguousStrides(newShape) : viewStrides(x, newShape);
  const src = strides === null ? contiguous(x) : x;
  const y = new Tensor(src.storage, newShape, strides ?? contiguousStrides(newShape), src.offset);
  if (needsGrad(src)) record(y, "reshape", [src], (g) => [reshape(g, src.shape)]);
  return y;
}

/** Like reshape, but throws instead of copying when x's strides cannot express the new shape. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  if (!x.isContiguous() && viewStrides(x, inferShape(x, shape, "view")) === null) {
    throw new ShapeError(
      `view: tensor ${shapeString(x.shape)} is not contiguous enough to view as ${shapeString(shape)}; use reshape or contiguous()`,
    );
  }
  return reshape(x, shape);
}

/** Reorders the dims: y.shape[i] = x.shape[dims[i]]. Example: [B, T, H, D] -(0,2,1,3)-> [B, H, T, D]. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const nd = x.ndim;
  const order = dims.map((d) => normalizeDim(d, nd, "permute"));
  if (order.length !== nd || new Set(order).size !== nd) {
    throw new ShapeError(
      `permute: [${dims.join(", ")}] is not a permutation of the dims of ${shapeString(x.shape)}`,
    );
  }
  const y = new Tensor(
    x.storage,
    order.map((d) => x.shape[d]!),
    order.map((d) => x.strides[d]!),
    x.offset,
  );
  if (needsGrad(x)) {
    const inverse = new Array<number>(nd);
    order.forEach((d, i) => {
      inverse[d] = i;
    });
    record(y, "permute", [x], (g) => [permute(g, inverse)]);
  }
  return y;
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const order = x.shape.map((_, i) => i);
  const a = normalizeDim(dim0, x.ndim, "transpose");
  const b = normalizeDim(dim1, x.ndim, "transpose");
  order[a] = b;
  order[b] = a;
  return permute(x, order);
}

/** Elements start .. start+length-1 along `dim` (a slice with step 1). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim(dim, x.ndim, "narrow");
  const n = x.shape[d]!;
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(length) ||
    start < 0 ||
    length < 0 ||
    start + length > n
  ) {
    throw new ShapeError(
      `narrow: [${start}, ${start + length}) is out of range for dim ${dim} of ${shapeString(x.shape)}`,
    );
  }
  const shape = [...x.shape];
  shape[d] = length;
  const y = new Tensor(x.storage, shape, x.strides, x.offset + start * x.strides[d]!);
  if (needsGrad(x)) {
    record(y, "narrow", [x], (g) => {
      // The gradient is zero outside the slice: pad g with zeros before and after along d.
      const before = [...x.shape];
      before[d] = start;
      const after = [...x.shape];
      after[d] = n - start - length;
      return [concat([zerosOf(before, g.dtype), g, zerosOf(after, g.dtype)], d)];
    });
  }
  return y;
}

/** Broadcasts size-1 dims (and new leading dims) to `shape` with stride 0; -1 keeps a size. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - x.ndim;
  if (lead < 0)
    throw new ShapeError(`expand: cannot expand ${shapeString(x.shape)} to fewer dims ${shapeString(shape)}`);
  const outShape = new Array<number>(shape.length);
  const strides = new Array<number>(shape.length);
  for (let i = 0; i < shape.length; i++) {
    const src = i - lead;
    const from = src >= 0 ? x.shape[src]! : 1;
    const to = shape[i] === -1 && src >= 0 ? from : shape[i]!;
    if (from !== to && from !== 1) {
      throw new ShapeError(`expand: cannot expand ${shapeString(x.shape)} to ${shapeString(shape)}`);
    }
    outShape[i] = to;
    strides[i] = src >= 0 && from === to ? x.strides[src]! : 0;
  }
  checkShape(outShape, "expand");
  const y = new Tensor(x.storage, outShape, strides, x.offset);
  if (needsGrad(x)) record(y, "expand", [x], (g) => [unbroadcast(g, x.shape)]);
  return y;
}

/** Inserts a size-1 dim at `dim` (dim may equal ndim: append). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim + 1, "unsqueeze");
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < x.ndim ? x.strides[d]! * x.shape[d]! : 1);
  const y = new Tensor(x.storage, shape, strides, x.offset);
  if (needsGrad(x)) record(y, "unsqueeze", [x], (g) => [reshape(g, x.shape)]);
  return y;
}

/** Removes size-1 dim `dim`, or every size-1 dim when dim is omitted. */
export function squeeze(x: Tensor, dim?: number): Tensor {
  const drop = dim === undefined ? null : normalizeDim(dim, x.ndim, "squeeze");
  if (drop !== null && x.shape[drop] !== 1) {
    throw new ShapeError(`squeeze: dim ${dim} of ${shapeString(x.shape)} has size ${x.shape[drop]}, not 1`);
  }
  const keep = x.shape.map((s, i) => (drop === null ? s !== 1 : i !== drop));
  const y = new Tensor(
    x.storage,
    x.shape.filter((_, i) => keep[i]),
    x.strides.filter((_, i) => keep[i]),
    x.offset,
  );
  if (needsGrad(x)) record(y, "squeeze", [x], (g) => [reshape(g, x.shape)]);
  return y;
}
