// Every differentiable op's backward against central finite differences in float64
// (see gradcheck.ts for the method and the tolerance reasoning), including broadcast and view cases.

import { describe, expect, it } from "vitest";
import {
  add,
  cast,
  causalMask,
  concat,
  crossEntropy,
  div,
  dropout,
  embedding,
  exp,
  gelu,
  intTensor,
  layerNorm,
  log,
  logSoftmax,
  maskedFill,
  matmul,
  max,
  mean,
  mul,
  neg,
  pow,
  Rng,
  relu,
  rmsNorm,
  silu,
  softmax,
  split,
  sqrt,
  sub,
  sum,
  tanh,
} from "../src/index.ts";
import { gradcheck, rnd, rndRange } from "./gradcheck.ts";

describe("elementwise gradients match finite differences", () => {
  it("add, sub, mul and div of same-shape tensors", () => {
    const b = rndRange([3, 4], 2, 0.5, 2);
    gradcheck((x, y) => add(x, y), [rnd([3, 4], 1), b]);
    gradcheck((x, y) => sub(x, y), [rnd([3, 4], 1), b]);
    gradcheck((x, y) => mul(x, y), [rnd([3, 4], 1), b]);
    gradcheck((x, y) => div(x, y), [rnd([3, 4], 1), b]);
  });

  it("broadcast operands receive gradients summed over the repeated dims", () => {
    gradcheck((x, y) => add(x, y), [rnd([2, 3, 4], 3), rnd([4], 4)]);
    gradcheck((x, y) => sub(x, y), [rnd([2, 1, 4], 5), rnd([3, 1], 6)]);
    gradcheck((x, y) => mul(x, y), [rnd([2, 3, 4], 7), rnd([3, 1], 8)]);
    gradcheck((x, y) => div(x, y), [rnd([1, 3], 9), rndRange([2, 1], 10, 0.5, 2)]);
  });

  it("a number operand broadcasts like a scalar tensor", () => {
    gradcheck((x) => div(mul(sub(add(x, 2), 1), 3), 4), [rnd([5], 11)]);
  });

  it("unary functions", () => {
    const x = rnd([4, 5], 12);
    const positive = rndRange([4, 5], 13, 0.2, 3);
    gradcheck((t) => neg(t), [x]);
    gradcheck((t) => exp(t), [x]);
    gradcheck((t) => log(t), [positive]);
    gradcheck((t) => sqrt(t), [positive]);
    gradcheck((t) => tanh(t), [x]);
    gradcheck((t) => relu(t), [x]);
    gradcheck((t) => silu(t), [x]);
    gradcheck((t) => gelu(t, "none"), [x]);
    gradcheck((t) => gelu(t, "tanh"), [x]);
    gradcheck((t) => pow(t, 3), [x]);
    gradcheck((t) => pow(t, -1.5), [positive]);
  });

  it("gelu's exact form is checked on both sides of its large-|x| branch", () => {
    gradcheck((t) => gelu(t), [rndRange([20], 14, -6, 6)]);
  });
});

describe("reduction gradients match finite differences", () => {
  const x = rnd([2, 3, 4], 20);
  it("sum over all axes, one axis, several axes, with and without keepdim", () => {
    gradcheck((t) => sum(t), [x]);
    gradcheck((t) => sum(t, 1), [x]);
    gradcheck((t) => sum(t, [0, 2], true), [x]);
    gradcheck((t) => sum(t, -1, true), [x]);
  });
  it("mean", () => {
    gradcheck((t) => mean(t), [x]);
    gradcheck((t) => mean(t, [0, 1]), [x]);
  });
  it("max routes the gradient to the maximum", () => {
    gradcheck((t) => max(t), [x]);
    gradcheck((t) => max(t, 1), [x]);
    gradcheck((t) => max(t, [0, 2], true), [x]);
  });
});

describe("softmax gradients match finite differences", () => {
  it("softmax and logSoftmax over the last axis", () => {
    gradcheck((t) => softmax(t), [rnd([3, 5], 30)]);
    gradcheck((t) => logSoftmax(t), [rnd([2, 2, 6], 31)]);
  });
  it("softmax after a causal mask filled with -Infinity", () => {
    gradcheck((t) => softmax(maskedFill(t, causalMask(4), Number.NEGATIVE_INFINITY)), [rnd([2, 4, 4], 32)]);
  });
  it("maskedFill passes the gradient only where it did not fill", () => {
    gradcheck((t) => maskedFill(t, causalMask(3, 5), 7), [rnd([3, 5], 33)]);
  });
});

describe("matmul gradients match finite differences", () => {
  it("2-D", () => {
    gradcheck((a, b) => matmul(a, b), [rnd([3, 4], 40), rnd([4, 5], 41)]);
  });
  it("batched with broadcast batch dims", () => {
    gradcheck((a, b) => matmul(a, b), [rnd([2, 3, 4], 42), rnd([4, 2], 43)]);
    gradcheck((a, b) => matmul(a, b), [rnd([2, 1, 3, 4], 44), rnd([3, 4, 2], 45)]);
  });
  it("transposed views as operands", () => {
    gradcheck((a, w) => matmul(a, w.transpose(0, 1)), [rnd([3, 4], 46), rnd([5, 4], 47)]);
    gradcheck((a, b) => matmul(a.transpose(-1, -2), b), [rnd([2, 4, 3], 48), rnd([2, 4, 2], 49)]);
  });
});

describe("view gradients match finite differences", () => {
  it("reshape, permute, transpose, unsqueeze, squeeze and contiguous", () => {
    const w = rnd([4, 3, 2], 51);
    gradcheck((x) => mul(x.reshape(4, 3, 2), w.cast(x.dtype)), [rnd([2, 12], 50)]);
    gradcheck((x) => mul(x.permute(2, 0, 1), w.cast(x.dtype)), [rnd([3, 2, 4], 52)]);
    gradcheck((x) => mul(x.transpose(0, 2).contiguous(), w.cast(x.dtype)), [rnd([2, 3, 4], 53)]);
    gradcheck((x) => x.unsqueeze(1).squeeze(1).mul(2), [rnd([3, 2], 54)]);
  });
  it("narrow pads the gradient with zeros outside the slice", () => {
    gradcheck((x) => mul(x.narrow(1, 1, 2), x.narrow(1, 0, 2)), [rnd([3, 4], 55)]);
  });
  it("expand sums the gradient over the expanded dims", () => {
    gradcheck((x) => mul(x.expand(2, 3, 4), rnd([2, 3, 4], 57).cast(x.dtype)), [rnd([3, 1], 56)]);
  });
  it("a chain of views into a non-contiguous matmul", () => {
    gradcheck(
      (x, y) => matmul(x.permute(1, 0, 2).narrow(2, 1, 3), y.expand(3, 3, 2)),
      [rnd([2, 3, 5], 58), rnd([3, 2], 59)],
    );
  });
  it("cast between float32 and float64 passes the gradient through, cast back", () => {
    // float64 pass: both casts are the identity; float32 pass: both casts' backwards run
    gradcheck((x) => cast(mul(cast(x, "float64"), cast(x, "float64")), x.dtype), [rnd([3, 4], 64)]);
    // float64 -> float32: the gradient reaching x (float64) is the float32 one, widened
    const x = rnd([5], 65).requiresGrad_();
    const w = rnd([5], 66).cast("float32");
    mul(cast(x, "float32"), w).sum().backward();
    expect(x.grad!.dtype).toBe("float64");
    expect([...x.grad!.dataSync()]).toEqual([...w.dataSync()]);
  });
  it("concat and split", () => {
    gradcheck(
      (a, b) => mul(concat([a, b], 1), rnd([2, 5], 62).cast(a.dtype)),
      [rnd([2, 2], 60), rnd([2, 3], 61)],
    );
    gradcheck(
      (x) => {
        const [p, q] = split(x, [1, 3], -1);
        return mul(p!, q!.sum(-1, true));
      },
      [rnd([3, 4], 63)],
    );
  });
});

describe("transformer op gradients match finite differences", () => {
  it("layerNorm with and without weight and bias", () => {
    gradcheck((x, w, b) => layerNorm(x, w, b), [rnd([2, 3, 5], 70), rnd([5], 71), rnd([5], 72)]);
    gradcheck((x) => layerNorm(x, null, null), [rnd([4, 6], 73)]);
  });
  it("rmsNorm with and without weight", () => {
    gradcheck((x, w) => rmsNorm(x, w), [rnd([2, 3, 5], 74), rnd([5], 75)]);
    gradcheck((x) => rmsNorm(x, null), [rnd([4, 6], 76)]);
  });
  it("embedding scatter-adds into rows that appear several times", () => {
    const ids = intTensor([
      [1, 3, 1],
      [0, 1, 4],
    ]);
    gradcheck((w) => embedding(w, ids), [rnd([5, 3], 77)]);
  });
  it("crossEntropy over [B, T, V] with an ignored position", () => {
    const targets = intTensor([
      [2, -100, 0],
      [4, 1, 1],
    ]);
    gradcheck((logits) => crossEntropy(logits, targets), [rnd([2, 3, 5], 78)]);
    gradcheck((logits) => crossEntropy(logits, intTensor([3, 0]), { ignoreIndex: -1 }), [rnd([2, 4], 79)]);
  });
  it("dropout scales the gradient of kept elements and zeroes the dropped ones", () => {
    gradcheck((x) => dropout(x, 0.3, new Rng(5), true), [rnd([4, 5], 80)]);
  });
});
