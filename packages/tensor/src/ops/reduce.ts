// Reductions over axes: sum, mean, max (with keepdim), and unbroadcast, which sums a gradient
// back to the shape of a broadcast input.
//
// Strategy: move the reduced axes to the end (a permuted view), lay the tensor out as
// [rows = kept elements, cols = reduced elements] and reduce each row with one backend call.
// A sum over leading axes of a contiguous tensor (bias and broadcast gradients) instead sums
// down the columns of the tensor as it lies, with no transposed copy.
//   sum:  dx = g broadcast back over the reduced axes
//   mean: sum / count, so dx = g / count broadcast
//   max:  dx = g at the position of each row's maximum (the first one on ties), 0 elsewhere;
//         over axes with no elements it throws (PyTorch does too) rather than return NaN
// Not here: argmax/min/prod as public ops.
// Reference: NumPy/PyTorch reduction semantics (`axis`, `keepdim`).

import { needsGrad, record } from "../autograd.ts";
import { getBackend } from "../backend/backend.ts";
import { ShapeError, shapeString } from "../errors.ts";
import { normalizeDim, numelOf, sameShape } from "../shape.ts";
import { Tensor } from "../tensor.ts";
import { mul } from "./elementwise.ts";
import { floatData, floatLike } from "./util.ts";
import { expand, permute, reshape } from "./views.ts";

interface Plan {
  axes: number[]; // reduced axes, sorted
  kept: number[]; // the other axes, in order
  order: number[]; // kept then reduced: the permutation that puts reduced axes last
  rows: number;
  cols: number;
  outShape: number[]; // the result's shape (with or without the kept 1s)
  keepShape: number[]; // the result's shape with 1 on reduced axes
}

function plan(x: Tensor, axes: number | readonly number[] | undefined, keepdim: boolean, op: string): Plan {
  const list = axes === undefined ? x.shape.map((_, i) => i) : typeof axes === "number" ? [axes] : [...axes];
  const reduced = [...new Set(list.map((a) => normalizeDim(a, x.ndim, op)))].sort((p, q) => p - q);
  const kept = x.shape.map((_, i) => i).filter((i) => !reduced.includes(i));
  const keepShape = x.shape.map((s, i) => (reduced.includes(i) ? 1 : s));
  return {
    axes: reduced,
    kept,
    order: [...kept, ...reduced],
    rows: numelOf(kept.map((i) => x.shape[i]!)),
    cols: numelOf(reduced.map((i) => x.shape[i]!)),
    outShape: keepdim ? keepShape : kept.map((i) => x.shape[i]!),
    keepShape,
  };
}

/** x's values arranged as [rows, cols] with the reduced axes last (copies only when needed). */
function rowsOf(x: Tensor, p: Plan, op: string) {
  const moved = new Tensor(
    x.storage,
    p.order.map((d) => x.shape[d]!),
    p.order.map((d) => x.strides[d]!),
    x.offset,
  );
  return floatData(moved, op);
}

export function sum(x: Tensor, axes?: number | readonly number[], keepdim = false): Tensor {
  const p = plan(x, axes, keepdim, "sum");
  const out = floatLike(x, p.rows);
  const leading = p.axes.every((a, i) => a === i); // e.g. a bias gradient: [B, T, C] summed to [C]
  // rows > 1: a full reduction (every axis "leading") is one row, which sumRows does faster.
  if (leading && p.rows > 1 && x.isContiguous()) {
    // x is [cols, rows] as laid out: sum down the columns instead of transposing it first
    getBackend().sumCols(floatData(x, "sum"), out, p.cols, p.rows);
  } else getBackend().sumRows(rowsOf(x, p, "sum"), out, p.rows, p.cols);
  const y = new Tensor(out, p.outShape);
  if (needsGrad(x)) record(y, "sum", [x], (g) => [expand(reshape(g, p.keepShape), x.shape)]);
  return y;
}

export function mean(x: Tensor, axes?: number | readonly number[], keepdim = false): Tensor {
  const p = plan(x, axes, keepdim, "mean");
  return mul(sum(x, axes, keepdim), 1 / p.cols);
}

export function max(x: Tensor, axes?: number | readonly number[], keepdim = false): Tensor {
  const p = plan(x, axes, keepdim, "max");
  if (p.cols === 0) {
    // The maximum of no elements does not exist (PyTorch: "Expected reduction dim to have non-zero size").
    throw new ShapeError(
      `max: axes ${shapeString(p.axes)} of ${shapeString(x.shape)} hold no elements to take the maximum of`,
    );
  }
  const out = floatLike(x, p.rows);
  const argmax = new Int32Array(p.rows);
  getBackend().maxRows(rowsOf(x, p, "max"), out, argmax, p.rows, p.cols);
  const y = new Tensor(out, p.outShape);
  if (needsGrad(x)) {
    record(y, "max", [x], (g) => {
      // Route each row's gradient to its argmax, in the permuted [kept..., reduced...] layout,
      // then permute back to x's axis order.
      const gd = floatData(g, "max");
      const dx = floatLike(x, x.size);
      for (let r = 0; r < p.rows; r++) dx[r * p.cols + argmax[r]!] = gd[r]!;
      const inverse = new Array<number>(x.ndim);
      p.order.forEach((d, i) => {
        inverse[d] = i;
      });
      return [
        permute(
          new Tensor(
            dx,
            p.order.map((d) => x.shape[d]!),
          ),
          inverse,
        ),
      ];
    });
  }
  return y;
}

/**
 * Sums a gradient of a broadcast result back to the shape of one operand: over the leading dims
 * the operand lacked and over the dims where it had size 1. [B, T, C] -> [C] sums over B and T.
 */
export function unbroadcast(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let d = 0; d < g.ndim; d++) {
    if (d < lead || (shape[d - lead] === 1 && g.shape[d] !== 1)) axes.push(d);
  }
  return reshape(sum(g, axes, true), shape);
}
