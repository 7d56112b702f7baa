// Joining and cutting along a dim: concat copies its inputs into one tensor; split returns views.
//   concat backward: each input gets its slice of g (a narrow view)
//   split: the pieces are narrow() views, so their gradients flow through narrow's backward
// Not here: stack (use unsqueeze + concat).
// Reference: PyTorch `torch.cat`, `torch.split`.

import { needsGrad, record } from "../autograd.ts";
import { ShapeError, shapeString } from "../errors.ts";
import { normalizeDim, numelOf } from "../shape.ts";
import { allocate, Tensor } from "../tensor.ts";
import { narrow } from "./views.ts";

export function concat(tensors: readonly Tensor[], dim = 0): Tensor {
  const first = tensors[0];
  if (first === undefined) throw new ShapeError("concat: needs at least one tensor");
  const d = normalizeDim(dim, first.ndim, "concat");
  for (const t of tensors) {
    const ok = t.ndim === first.ndim && t.shape.every((s, i) => i === d || s === first.shape[i]);
    if (!ok) {
      throw new ShapeError(
        `concat: shapes ${shapeString(first.shape)} and ${shapeString(t.shape)} differ outside dim ${dim}`,
      );
    }
    if (t.dtype !== first.dtype) throw new TypeError(`concat: dtypes differ: ${first.dtype} and ${t.dtype}`);
  }
  const sizes = tensors.map((t) => t.shape[d]!);
  const total = sizes.reduce((p, q) => p + q, 0);
  const shape = [...first.shape];
  shape[d] = total;
  // View every tensor as [outer, size_d * inner]: the output's rows are the inputs' rows side by side.
  const outer = numelOf(first.shape.slice(0, d));
  const inner = numelOf(first.shape.slice(d + 1));
  const out = allocate(first.dtype, numelOf(shape));
  let start = 0;
  tensors.forEach((t, k) => {
    const src = t.dataSync();
    const chunk = sizes[k]! * inner;
    for (let o = 0; o < outer; o++) {
      const from = o * chunk;
      const to = o * total * inner + start * inner;
      // Short rows (RoPE's halves: 8 or 32 floats) by a plain loop: making a subarray for them
      // costs more than copying them (the demo model's training step: 95 -> 64 ms).
      if (chunk < 64) for (let i = 0; i < chunk; i++) out[to + i] = src[from + i]!;
      else out.set(src.subarray(from, from + chunk), to);
    }
    start += sizes[k]!;
  });
  const y = new Tensor(out, shape);
  if (needsGrad(...tensors)) {
    record(y, "concat", tensors, (g) => {
      let s = 0;
      return tensors.map((t, k) => {
        const piece = t.requiresGrad ? narrow(g, d, s, sizes[k]!) : null;
        s += sizes[k]!;
        return piece;
      });
    });
  }
  return y;
}

/** Cuts x along `dim` into pieces of `sizes` (a number: equal pieces, the last may be smaller). */
export function split(x: Tensor, sizes: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim(dim, x.ndim, "split");
  const n = x.shape[d]!;
  let list: number[];
  if (typeof sizes === "number") {
    if (!Number.isInteger(sizes) || sizes <= 0)
      throw new ShapeError(`split: size must be a positive integer, got ${sizes}`);
    list = [];
    for (let s = 0; s < n; s += sizes) list.push(Math.min(sizes, n - s));
  } else {
    list = [...sizes];
    if (list.reduce((p, q) => p + q, 0) !== n) {
      throw new ShapeError(
        `split: sizes [${list.join(", ")}] do not add up to dim ${dim} of ${shapeString(x.shape)}`,
      );
    }
  }
  let start = 0;
  return list.map((len) => {
    const piece = narrow(x, d, start, len);
    start += len;
    return piece;
  });
}
