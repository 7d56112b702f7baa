// Views share storage and copy only when they must; the Tensor reading API.

import { describe, expect, it } from "vitest";
import { arange, fromArray, intTensor, Rng, randn, ShapeError, Tensor, tensor, zeros } from "../src/index.ts";

describe("views", () => {
  const x = arange(24).reshape(2, 3, 4);

  it("reshape of a contiguous tensor shares storage and infers one -1", () => {
    const y = x.reshape(6, -1);
    expect(y.shape).toEqual([6, 4]);
    expect(y.storage).toBe(x.storage);
    expect(() => x.reshape(5, -1)).toThrow(ShapeError);
  });

  it("permute and transpose change strides, not data", () => {
    const y = x.permute(2, 0, 1);
    expect(y.shape).toEqual([4, 2, 3]);
    expect(y.strides).toEqual([1, 12, 4]);
    expect(y.storage).toBe(x.storage);
    expect(y.isContiguous()).toBe(false);
    expect(x.transpose(0, 1).toNested()).toEqual([
      [
        [0, 1, 2, 3],
        [12, 13, 14, 15],
      ],
      [
        [4, 5, 6, 7],
        [16, 17, 18, 19],
      ],
      [
        [8, 9, 10, 11],
        [20, 21, 22, 23],
      ],
    ]);
  });

  it("narrow moves the offset; contiguous() copies only a non-contiguous view", () => {
    const y = x.narrow(2, 1, 2);
    expect(y.offset).toBe(1);
    expect(y.toNested()).toEqual([
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
    expect(x.contiguous()).toBe(x);
    expect(y.contiguous().storage).not.toBe(x.storage);
    const rows = x.narrow(0, 1, 1);
    expect(rows.isContiguous()).toBe(true);
    expect(Array.from(rows.dataSync())).toEqual(Array.from({ length: 12 }, (_, i) => 12 + i));
  });

  it("reshape of a non-contiguous view copies, view() refuses", () => {
    const t = x.transpose(1, 2);
    expect(t.reshape(-1).toNested()).toEqual(Array.from(t.contiguous().dataSync()));
    expect(() => t.view(-1)).toThrow("not contiguous");
  });

  it("reshape splits or merges dims of a strided view without copying when the strides allow", () => {
    // [2, 3, 6] narrowed to [2, 3, 4] along the last dim (a q of a fused qkv), then split in two: a view
    const qkv = arange(2 * 3 * 6).reshape(2, 3, 6);
    const q = qkv.narrow(2, 2, 4); // rows of 4 out of 6
    const heads = q.reshape(2, 3, 2, 2);
    expect(heads.storage).toBe(qkv.storage);
    expect(heads.toNested()).toEqual(q.contiguous().reshape(2, 3, 2, 2).toNested());
    // merging dims 0 and 1 of the narrowed tensor works too (they are laid out one after another)
    expect(q.reshape(6, 4).storage).toBe(qkv.storage);
    // merging dims 1 and 2 does not (a gap of 2 after every row of 4): a copy
    const merged = q.reshape(2, 12);
    expect(merged.storage).not.toBe(qkv.storage);
    expect(merged.toNested()).toEqual(q.contiguous().reshape(2, 12).toNested());
  });

  it("reshape gives the values of a contiguous copy on 50 random views", () => {
    const rng = new Rng(3);
    for (let t = 0; t < 50; t++) {
      const shape = Array.from({ length: 1 + rng.nextInt(4) }, () => 1 + rng.nextInt(4));
      let v = randn(shape, rng);
      if (v.ndim > 1 && rng.nextInt(2) === 0) v = v.transpose(0, v.ndim - 1);
      if (rng.nextInt(2) === 0) v = v.narrow(0, 0, Math.max(1, v.shape[0]! - 1));
      // a random factorisation of the element count
      const target: number[] = [];
      let left = v.size;
      for (let d = 2; d <= left; d++) {
        while (left % d === 0 && rng.nextInt(2) === 0) {
          target.push(d);
          left /= d;
        }
      }
      target.push(left);
      expect(v.reshape(target).toNested(), `[${v.shape}] -> [${target}]`).toEqual(
        v.contiguous().reshape(target).toNested(),
      );
    }
  });

  it("expand repeats size-1 dims with stride 0", () => {
    const col = tensor([[1], [2]]).expand(2, 3);
    expect(col.strides).toEqual([1, 0]);
    expect(col.toNested()).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    expect(tensor([1, 2]).expand(3, -1).shape).toEqual([3, 2]);
    expect(() => tensor([1, 2]).expand(3)).toThrow("expand: cannot expand [2] to [3]");
  });

  it("unsqueeze and squeeze add and remove size-1 dims", () => {
    expect(x.unsqueeze(1).shape).toEqual([2, 1, 3, 4]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 3, 4, 1]);
    expect(zeros([1, 3, 1]).squeeze().shape).toEqual([3]);
    expect(() => x.squeeze(0)).toThrow(ShapeError);
  });

  it("views work on int32 tensors (slicing batches of token ids)", () => {
    const ids = intTensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(ids.narrow(1, 1, 2).toNested()).toEqual([
      [2, 3],
      [5, 6],
    ]);
    expect(ids.dtype).toBe("int32");
  });
});

describe("reading values", () => {
  it("fromArray wraps a Float32Array without copying, and dataSync returns it live", () => {
    const buf = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = fromArray(buf, [2, 3]);
    expect(t.dataSync()).toBe(buf);
    buf[0] = 9;
    expect(t.toNested()).toEqual([
      [9, 2, 3],
      [4, 5, 6],
    ]);
    expect(Tensor.fromArray(buf).shape).toEqual([6]);
    expect(() => fromArray(buf, [4, 2])).toThrow("needs 8 elements, got 6");
  });

  it("toArray copies, data() resolves to the values, item() reads a one-element tensor", async () => {
    const t = tensor([[1, 2]]);
    const copy = t.toArray();
    copy[0] = 100;
    expect(t.item.bind(t)).toThrow("one-element");
    expect(Array.from(await t.data())).toEqual([1, 2]);
    expect(tensor(7).item()).toBe(7);
    expect(tensor([[3]]).item()).toBe(3);
  });

  it("tensor() infers the shape of nested arrays and rejects ragged ones", () => {
    expect(tensor([[[1], [2]]]).shape).toEqual([1, 2, 1]);
    expect(() => tensor([[1, 2], [3]])).toThrow("not rectangular");
    expect(tensor([1, 2, 3, 4], [2, 2]).toNested()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});
