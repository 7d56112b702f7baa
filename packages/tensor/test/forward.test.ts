// Forward values of the ops against hand-computed numbers or values from Python's math module
// (math.erf, math.exp in float64), never against our own output.

import { describe, expect, it } from "vitest";
import { erf } from "../src/backend/scalar.ts";
import {
  add,
  arange,
  causalMask,
  concat,
  crossEntropy,
  dropout,
  embedding,
  gelu,
  intTensor,
  layerNorm,
  logSoftmax,
  maskedFill,
  matmul,
  max,
  mean,
  Rng,
  rmsNorm,
  ShapeError,
  silu,
  softmax,
  split,
  sum,
  tensor,
  zeros,
} from "../src/index.ts";

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++)
    expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(tol);
}

describe("elementwise forward values", () => {
  it("erf matches Python's math.erf to 1e-13 on both sides of the series/continued-fraction switch", () => {
    const points: [number, number][] = [
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [2.9, 0.9999589021219005],
      [3, 0.9999779095030014],
      [3.5, 0.9999992569016276],
      [4, 0.9999999845827421],
      [5, 0.9999999999984626],
    ];
    for (const [x, want] of points) {
      expect(Math.abs(erf(x) - want)).toBeLessThan(1e-13);
      expect(Math.abs(erf(-x) + want)).toBeLessThan(1e-13);
    }
  });

  it("gelu exact and tanh forms match Python at known points, and differ from each other", () => {
    const x = tensor([-3, -1, -0.5, 0, 0.5, 1, 2, 3.5], undefined, "float64");
    expectClose(
      gelu(x).dataSync(),
      [
        -0.00404969409489031, -0.15865525393145707, -0.15426876936299344, 0, 0.34573123063700656,
        0.8413447460685429, 1.9544997361036416, 3.4991857982233756,
      ],
      1e-14,
    );
    expectClose(
      gelu(x, "tanh").dataSync(),
      [
        -0.0036373920817729943, -0.15880800939172324, -0.15428599017485606, 0, 0.34571400982514394,
        0.8411919906082768, 1.954597694087775, 3.499383802344626,
      ],
      1e-14,
    );
  });

  it("silu(x) = x·sigmoid(x)", () => {
    expectClose(
      silu(tensor([-1, 0, 1, 2])).dataSync(),
      [-0.2689414213699951, 0, 0.7310585786300049, 1.7615941559557646],
    );
  });

  it("add broadcasts a row over a matrix following NumPy's rules", () => {
    const y = add(tensor([[1], [2]]), tensor([10, 20, 30]));
    expect(y.shape).toEqual([2, 3]);
    expect(y.toNested()).toEqual([
      [11, 21, 31],
      [12, 22, 32],
    ]);
  });

  it("shape errors name the op and both shapes", () => {
    expect(() => add(zeros([2, 3]), zeros([4]))).toThrow(ShapeError);
    expect(() => add(zeros([2, 3]), zeros([4]))).toThrow("add: shapes [2, 3] and [4] do not broadcast");
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow(
      "matmul: inner dimensions differ: [2, 3] @ [4, 5]",
    );
    try {
      matmul(zeros([2, 3]), zeros([4, 5]));
    } catch (e) {
      expect((e as Error).name).toBe("ShapeError");
    }
    expect(() => matmul(zeros([2, 2, 3]), zeros([3, 3, 5]))).toThrow(
      "matmul: batch dims do not broadcast: [2, 2, 3] @ [3, 3, 5]",
    );
  });
});

describe("reductions", () => {
  const x = tensor([
    [1, 5, 3],
    [4, 2, 6],
  ]);
  it("sum, mean and max over chosen axes with and without keepdim", () => {
    expect(sum(x).item()).toBe(21);
    expect(sum(x, 0).toNested()).toEqual([5, 7, 9]);
    expect(sum(x, -1, true).toNested()).toEqual([[9], [12]]);
    expect(mean(x, 1).toNested()).toEqual([3, 4]);
    expect(max(x, 1).toNested()).toEqual([5, 6]);
    expect(max(x, 0, true).toNested()).toEqual([[4, 5, 6]]);
    expect(max(x).item()).toBe(6);
  });
  it("reduces non-contiguous views", () => {
    expect(sum(x.transpose(0, 1), 1).toNested()).toEqual([5, 7, 9]);
  });
  it("max over an axis with no elements is an error, as in PyTorch, while sum gives 0", () => {
    expect(() => max(zeros([3, 0]), 1)).toThrow(ShapeError);
    expect(() => max(zeros([3, 0]), 1)).toThrow("max: axes [1] of [3, 0] hold no elements");
    expect(() => max(zeros([0]))).toThrow(ShapeError);
    expect(max(zeros([0, 3]), 1).shape).toEqual([0]); // nothing to reduce over is fine: no rows
    expect(sum(zeros([3, 0]), 1).toNested()).toEqual([0, 0, 0]);
  });
});

describe("int32 tensors", () => {
  it("hold whole numbers: a fraction or a value outside int32 is an error, not a truncation", () => {
    expect(
      intTensor([
        [1, 2],
        [3, 4],
      ]).toNested(),
    ).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(() => intTensor([1.5])).toThrow("intTensor: value 1.5 at index 0 is not an int32");
    expect(() =>
      intTensor([
        [1, 2],
        [3, 2.5],
      ]),
    ).toThrow("value 2.5 at index 3");
    expect(() => intTensor([2 ** 31])).toThrow(RangeError);
    expect(() => tensor(7.25, [], "int32")).toThrow(RangeError);
    expect(intTensor(new Int32Array([5, -6])).toNested()).toEqual([5, -6]);
  });
});

describe("softmax and log-softmax", () => {
  it("softmax of huge logits stays finite and equals softmax of the shifted row", () => {
    const y = softmax(tensor([[1000, 1001, 1002]], undefined, "float64"));
    expectClose(y.dataSync(), [0.09003057317038046, 0.24472847105479764, 0.6652409557748219], 1e-15);
  });
  it("logSoftmax is x - logsumexp(x) and stays finite for very negative inputs", () => {
    const y = logSoftmax(tensor([1, 2, 3], undefined, "float64"));
    expectClose(y.dataSync(), [-2.4076059644443806, -1.4076059644443806, -0.4076059644443804], 1e-15);
    const far = logSoftmax(tensor([0, -1000]));
    expect(far.toNested()).toEqual([0, -1000]);
  });
  it("a causal mask hides the future: row i of the softmax is uniform over keys 0..i", () => {
    const scores = zeros([3, 3]);
    const p = softmax(maskedFill(scores, causalMask(3), Number.NEGATIVE_INFINITY));
    expectClose(p.dataSync(), [1, 0, 0, 0.5, 0.5, 0, 1 / 3, 1 / 3, 1 / 3]);
  });
  it("causalMask(T, S) lets the last T of S positions see everything up to themselves", () => {
    expect(causalMask(2, 4).toNested()).toEqual([
      [0, 0, 0, 1],
      [0, 0, 0, 0],
    ]);
  });
});

describe("matmul", () => {
  it("multiplies a hand-computed 2x3 by 3x2", () => {
    const y = matmul(
      tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]),
      tensor([
        [7, 8],
        [9, 10],
        [11, 12],
      ]),
    );
    expect(y.toNested()).toEqual([
      [58, 64],
      [139, 154],
    ]);
  });
  it("broadcasts batch dims: [2, 1, 2, 2] @ [3, 2, 2] -> [2, 3, 2, 2]", () => {
    const a = arange(8).reshape(2, 1, 2, 2);
    const b = tensor([1, 0, 0, 1, 2, 0, 0, 2, 0, 1, 1, 0]).reshape(3, 2, 2); // I, 2I, swap
    const y = matmul(a, b);
    expect(y.shape).toEqual([2, 3, 2, 2]);
    expect(y.toNested()).toEqual([
      [
        [
          [0, 1],
          [2, 3],
        ],
        [
          [0, 2],
          [4, 6],
        ],
        [
          [1, 0],
          [3, 2],
        ],
      ],
      [
        [
          [4, 5],
          [6, 7],
        ],
        [
          [8, 10],
          [12, 14],
        ],
        [
          [5, 4],
          [7, 6],
        ],
      ],
    ]);
  });
});

describe("transformer ops", () => {
  it("layerNorm and rmsNorm of [1, 2, 3, 4] match Python", () => {
    const x = tensor([[1, 2, 3, 4]], undefined, "float64");
    expectClose(
      layerNorm(x, null, null).dataSync(),
      [-1.3416354199689269, -0.447211806656309, 0.447211806656309, 1.3416354199689269],
      1e-14,
    );
    expectClose(
      rmsNorm(x, null).dataSync(),
      [0.3651481282381064, 0.7302962564762128, 1.0954443847143192, 1.4605925129524255],
      1e-14,
    );
    const w = tensor([1, 2, 3, 4], undefined, "float64");
    const b = tensor([1, 1, 1, 1], undefined, "float64");
    expectClose(
      layerNorm(x, w, b).dataSync(),
      [
        1 - 1.3416354199689269,
        1 - 2 * 0.447211806656309,
        1 + 3 * 0.447211806656309,
        1 + 4 * 1.3416354199689269,
      ],
      1e-14,
    );
  });

  it("embedding gathers rows: [V, C] with ids [B, T] gives [B, T, C]", () => {
    const w = tensor([
      [0, 1],
      [10, 11],
      [20, 21],
    ]);
    const y = embedding(w, intTensor([[2, 0, 2]]));
    expect(y.shape).toEqual([1, 3, 2]);
    expect(y.toNested()).toEqual([
      [
        [20, 21],
        [0, 1],
        [20, 21],
      ],
    ]);
    expect(() => embedding(w, intTensor([3]))).toThrow(
      "embedding: id 3 at position 0 is out of range for 3 rows",
    );
  });

  it("crossEntropy averages -log p(target) over the positions that are not ignored", () => {
    const logits = tensor(
      [
        [1, 2, 3],
        [1, 1, 1],
        [5, 0, 0],
      ],
      undefined,
      "float64",
    );
    // Python: (-(3 - lse(1,2,3)) - (1 - lse(1,1,1))) / 2
    expect(crossEntropy(logits, intTensor([2, 0, -100])).item()).toBeCloseTo(0.7531091265562448, 14);
    expect(crossEntropy(logits, intTensor([2, -1, -1]), { ignoreIndex: -1 }).item()).toBeCloseTo(
      0.40760596444438013,
      14,
    );
    expect(crossEntropy(logits.reshape(1, 3, 3), intTensor([[2, 0, -100]])).item()).toBeCloseTo(
      0.7531091265562448,
      14,
    );
    expect(() => crossEntropy(logits, intTensor([3, 0, 0]))).toThrow("out of range");
  });

  it("concat joins along a dim and split cuts it back into views", () => {
    const a = tensor([[1, 2]]);
    const b = tensor([[3, 4]]);
    expect(concat([a, b], 0).toNested()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(concat([a, b], 1).toNested()).toEqual([[1, 2, 3, 4]]);
    const [p, q] = split(arange(6).reshape(2, 3), [1, 2], 1);
    expect(p!.toNested()).toEqual([[0], [3]]);
    expect(q!.toNested()).toEqual([
      [1, 2],
      [4, 5],
    ]);
    expect(split(arange(5), 2).map((t) => t.size)).toEqual([2, 2, 1]);
  });

  it("dropout zeroes about p of the elements, scales the rest by 1/(1-p), and repeats with the same seed", () => {
    const x = tensor(new Float32Array(10000).fill(1));
    const y = dropout(x, 0.25, new Rng(7), true).dataSync();
    const zeros = y.filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(2300);
    expect(zeros).toBeLessThan(2700);
    expect(y.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    expect(dropout(x, 0.25, new Rng(7), true).dataSync()).toEqual(y);
    expect(dropout(x, 0.25, new Rng(7), false)).toBe(x);
  });
});
