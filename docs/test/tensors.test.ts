// The worked strides example of docs/tensors.md, checked against the real Tensor. The expected
// numbers are worked out by hand from the layout rule on that page,
//   element (i0, ..., in) lives at storage[offset + Σ i_d · strides[d]],
// so if a view op changed how it lays out a tensor, the page would be caught saying something false.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// docs/ is not a workspace dependent of @llmts/tensor (its package.json lists vitest only), so the
// source is imported by path.
import { arange, tensor } from "../../packages/tensor/src/index.ts";

describe("the worked example in docs/tensors.md", () => {
  const x = arange(24).reshape(2, 3, 4);

  it("lays out a new tensor row-major: shape [2, 3, 4] has strides [12, 4, 1]", () => {
    expect([x.shape, x.strides, x.offset]).toEqual([[2, 3, 4], [12, 4, 1], 0]);
    expect(x.toNested()).toEqual([
      [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
        [8, 9, 10, 11],
      ],
      [
        [12, 13, 14, 15],
        [16, 17, 18, 19],
        [20, 21, 22, 23],
      ],
    ]);
  });

  it("transposes by swapping strides over the same storage, which is then not contiguous", () => {
    const t = x.transpose(1, 2);
    expect([t.shape, t.strides, t.offset]).toEqual([[2, 4, 3], [12, 1, 4], 0]);
    expect(t.storage).toBe(x.storage);
    expect(t.isContiguous()).toBe(false);
    expect((t.toNested() as number[][][])[1]![3]![2]).toBe(23); // = x[1, 2, 3]
    expect(Array.from(t.dataSync().slice(0, 6))).toEqual([0, 4, 8, 1, 5, 9]);
  });

  it("narrows by moving the offset: narrow(2, 1, 2) starts at element 1", () => {
    const n = x.narrow(2, 1, 2);
    expect([n.shape, n.strides, n.offset]).toEqual([[2, 3, 2], [12, 4, 1], 1]);
    expect(n.storage).toBe(x.storage);
    expect(n.toNested()).toEqual([
      [
        [1, 2],
        [5, 6],
        [9, 10],
      ],
      [
        [13, 14],
        [17, 18],
        [21, 22],
      ],
    ]);
  });

  it("expands with stride 0, so every row reads the same four numbers", () => {
    const e = tensor([10, 20, 30, 40]).expand(3, 4);
    expect([e.shape, e.strides]).toEqual([
      [3, 4],
      [0, 1],
    ]);
    expect(e.toNested()).toEqual([
      [10, 20, 30, 40],
      [10, 20, 30, 40],
      [10, 20, 30, 40],
    ]);
  });

  it("copies when reshaping a transposed tensor, and not when reshaping a contiguous one", () => {
    expect(x.transpose(1, 2).reshape(2, 12).storage).not.toBe(x.storage);
    expect(x.reshape(6, 4).storage).toBe(x.storage);
  });

  it("broadcasts a [4] row over every row of a [2, 3, 4] tensor", () => {
    const s = x.add(tensor([100, 200, 300, 400]));
    expect((s.toNested() as number[][][])[0]![0]).toEqual([100, 201, 302, 403]);
    expect((s.toNested() as number[][][])[1]![2]).toEqual([120, 221, 322, 423]);
  });

  it("sums the gradient of a broadcast operand over the dims it was repeated along", () => {
    const a = x.detach().requiresGrad_();
    const b = tensor([1, 2, 3, 4]).requiresGrad_();
    a.add(b).sum().backward();
    // Each b[c] fed 2·3 = 6 outputs, each with gradient 1.
    expect(Array.from(b.grad!.dataSync())).toEqual([6, 6, 6, 6]);
  });
});

describe("the backend boundary in docs/tensors.md", () => {
  // "No code outside packages/tensor touches Tensor.storage": the claim that lets a device backend
  // keep storage elsewhere. A `.storage` in another package's sources would break it.
  const root = join(import.meta.dirname, "..", "..");
  const sources = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.parentPath.includes("node_modules"))
      .map((e) => join(e.parentPath, e.name));

  it("holds: no package or app but packages/tensor reads Tensor.storage", () => {
    const dirs = [
      ...readdirSync(join(root, "packages"))
        .filter((p) => p !== "tensor")
        .map((p) => `packages/${p}`),
      ...readdirSync(join(root, "apps")).map((a) => `apps/${a}`),
    ];
    const offenders = dirs
      .flatMap(sources)
      .filter((file) => /\.storage\b/.test(readFileSync(file, "utf8")))
      .map((file) => file.slice(root.length + 1));
    expect(dirs.length).toBeGreaterThan(6);
    expect(offenders).toEqual([]);
  });
});
