// The in-place ops of ops/inplace.ts: copy_ writes exactly the elements of the destination view
// (and nothing around it), broadcasts its source, and refuses the writes that would go wrong
// silently; adamwUpdate_ takes only the contiguous float32 tensors its kernel expects.

import { describe, expect, it } from "vitest";
import { adamwUpdate_, arange, fromArray, noGrad, tensor, zeros } from "../src/index.ts";

describe("copy_", () => {
  it("writes a narrowed slice of a buffer and leaves the rest alone", () => {
    const buffer = zeros([2, 4, 3]); // like a KV cache: [rows, capacity, width]
    const rows = arange(0, 12).reshape(2, 2, 3); // two new positions for both rows
    buffer.narrow(1, 1, 2).copy_(rows);
    expect(buffer.toNested()).toEqual([
      [
        [0, 0, 0],
        [0, 1, 2],
        [3, 4, 5],
        [0, 0, 0],
      ],
      [
        [0, 0, 0],
        [6, 7, 8],
        [9, 10, 11],
        [0, 0, 0],
      ],
    ]);
  });

  it("reads a transposed source and broadcasts a smaller one", () => {
    const t = zeros([2, 3]).copy_(arange(0, 6).reshape(3, 2).transpose(0, 1));
    expect(t.toNested()).toEqual([
      [0, 2, 4],
      [1, 3, 5],
    ]);
    expect(
      zeros([2, 3])
        .copy_(tensor([7, 8, 9]))
        .toNested(),
    ).toEqual([
      [7, 8, 9],
      [7, 8, 9],
    ]);
  });

  it("refuses mismatched dtypes, shapes that do not broadcast, expanded destinations and overlapping memory", () => {
    expect(() => zeros([3]).copy_(zeros([3], "float64"))).toThrow(/copy_: dtypes differ/);
    expect(() => zeros([2, 3]).copy_(zeros([2]))).toThrow(/copy_/);
    expect(() => zeros([3]).copy_(zeros([2, 3]))).toThrow(/does not broadcast to the destination \[3\]/);
    expect(() =>
      zeros([1, 3])
        .expand(2, 3)
        .copy_(zeros([2, 3])),
    ).toThrow(/expanded/);
    const x = arange(0, 6);
    expect(() => x.narrow(0, 0, 4).copy_(x.narrow(0, 2, 4))).toThrow(/overlap in memory/);
    // the same bytes seen through a subarray (dataSync of a narrowed view) count too
    const alias = fromArray(x.narrow(0, 1, 4).dataSync()).narrow(0, 0, 4);
    expect(() => x.narrow(0, 0, 4).copy_(alias)).toThrow(/overlap in memory/);
    x.narrow(0, 0, 3).copy_(x.narrow(0, 3, 3)); // disjoint halves of one buffer are fine
    expect(Array.from(x.dataSync())).toEqual([3, 4, 5, 3, 4, 5]);
  });

  it("refuses to write into what autograd still needs, and allows a parameter under noGrad", () => {
    const w = zeros([3]).requiresGrad_();
    expect(() => w.copy_(tensor([1, 2, 3]))).toThrow(/requires grad; write to it inside noGrad/);
    const y = w.mul(2);
    expect(() => noGrad(() => y.copy_(tensor([1, 2, 3])))).toThrow(/made by a recorded op/);
    noGrad(() => w.copy_(tensor([1, 2, 3])));
    expect(Array.from(w.dataSync())).toEqual([1, 2, 3]);
  });
});

describe("adamwUpdate_", () => {
  const hyper = { beta1: 0.9, beta2: 0.99, eps: 1e-8, stepSize: 0.1, biasCorrection2Sqrt: 0.1, decay: 1 };

  it("updates the parameter and both moments in place", () => {
    const p = tensor([1, -1]);
    const m = zeros([2]);
    const v = zeros([2]);
    adamwUpdate_(p, tensor([0.5, -2]), m, v, hyper);
    // m = 0.1·g, v = 0.01·g², so √v / 0.1 = |g| and p -= 0.1 · m / |g| = 0.01 · sign(g)
    expect(Array.from(m.dataSync())).toEqual([Math.fround(0.05), Math.fround(-0.2)]);
    expect(Array.from(v.dataSync())).toEqual([Math.fround(0.0025), Math.fround(0.04)]);
    expect(p.toArray()[0]).toBeCloseTo(0.99, 6);
    expect(p.toArray()[1]).toBeCloseTo(-0.99, 6);
  });

  it("refuses a strided moment or a float64 gradient, naming the role", () => {
    const p = zeros([2, 2]);
    expect(() => adamwUpdate_(p, zeros([2, 2]), zeros([2, 2]).transpose(0, 1), zeros([2, 2]), hyper)).toThrow(
      /adamwUpdate_: m must be a contiguous float32 \[2, 2\]/,
    );
    expect(() => adamwUpdate_(p, zeros([2, 2], "float64"), zeros([2, 2]), zeros([2, 2]), hyper)).toThrow(
      /adamwUpdate_: grad must be/,
    );
  });
});
