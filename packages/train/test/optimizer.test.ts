// AdamW, the learning-rate schedule and gradient clipping against values worked out by hand
// (the arithmetic is in the comments; a calculator reproduces every number).
import { Tensor, tensor } from "@llmts/tensor";
import { describe, expect, it } from "vitest";
import { AdamW, clipGradNorm, getLr } from "../src/index.ts";

/** A parameter with a given gradient, as backward() would leave it. */
function param(values: number[], shape: number[], grad: number[] | null): Tensor {
  const p = tensor(values, shape).requiresGrad_();
  p.grad = grad === null ? null : tensor(grad, shape);
  return p;
}

describe("AdamW", () => {
  // lr 0.1, β1 0.9, β2 0.999, ε 1e-8, weight decay 0.1.
  const options = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };

  it("matches PyTorch's update order for two steps on a matrix (decayed) and a vector (not decayed)", () => {
    const w = param([1, -2], [1, 2], [0.5, -0.25]); // 2-D: decays
    const b = param([1], [1], [0.5]); // 1-D (a bias): never decays
    const adam = new AdamW(
      new Map([
        ["w", w],
        ["b", b],
      ]),
      options,
    );

    // Step 1. Decay first: w ← w · (1 − 0.1·0.1) = [0.99, −1.98].
    // m = 0.1·g, v = 0.001·g², so m̂ = g and √v̂ = |g|: the step is lr · sign(g) = ±0.1.
    // w = [0.89, −1.88]; b = 1 − 0.1 = 0.9 (no decay).
    adam.step(0.1);
    expect(w.toArray()[0]).toBeCloseTo(0.89, 6);
    expect(w.toArray()[1]).toBeCloseTo(-1.88, 6);
    expect(b.toArray()[0]).toBeCloseTo(0.9, 6);

    // Step 2 with g = [0.1, 0.3] (w) and 0.1 (b).
    // w[0]: decay 0.89 · 0.99 = 0.8811; m = 0.9·0.05 + 0.1·0.1 = 0.055; v = 0.999·0.00025 + 0.001·0.01
    //       = 0.00025975; m̂ = 0.055 / (1 − 0.81) = 0.2894737; v̂ = 0.00025975 / (1 − 0.998001)
    //       = 0.1299400, √v̂ = 0.3604720; w = 0.8811 − 0.1 · 0.2894737 / 0.3604720 = 0.8007959.
    // w[1]: decay −1.88 · 0.99 = −1.8612; m = 0.9·(−0.025) + 0.1·0.3 = 0.0075; v = 0.999·0.0000625 +
    //       0.001·0.09 = 0.0001524375; m̂ = 0.0394737; √v̂ = √0.0762569 = 0.2761465;
    //       w = −1.8612 − 0.1 · 0.0394737 / 0.2761465 = −1.8754945.
    // b: m = 0.055, v = 0.00025975 as w[0] but no decay: 0.9 − 0.0803041 = 0.8196959.
    w.grad = tensor([0.1, 0.3], [1, 2]);
    b.grad = tensor([0.1], [1]);
    adam.step(0.1);
    expect(w.toArray()[0]).toBeCloseTo(0.8007959, 6);
    expect(w.toArray()[1]).toBeCloseTo(-1.8754945, 6);
    expect(b.toArray()[0]).toBeCloseTo(0.8196959, 6);
    expect(adam.stepCount).toBe(2);
  });

  it("leaves a parameter without a gradient untouched, weight decay included", () => {
    const w = param([1, 2, 3, 4], [2, 2], null);
    new AdamW(new Map([["w", w]]), options).step(0.1);
    expect(Array.from(w.toArray())).toEqual([1, 2, 3, 4]);
  });

  it("continues identically after its state is saved and loaded into a new optimizer", () => {
    const run = (steps: number, restartAt: number | null) => {
      const w = param([0.3, -0.7, 1.1, 0.2], [2, 2], null);
      let adam = new AdamW(new Map([["w", w]]), options);
      for (let s = 0; s < steps; s++) {
        if (s === restartAt) {
          const saved = adam.getState();
          const copy = {
            step: saved.step,
            m: new Map([["w", saved.m.get("w")!.slice()]]),
            v: new Map([["w", saved.v.get("w")!.slice()]]),
          };
          adam = new AdamW(new Map([["w", w]]), options);
          adam.loadState(copy);
        }
        w.grad = tensor([0.1 * s, -0.2, 0.05, s % 2], [2, 2]);
        adam.step(0.01);
      }
      return Array.from(w.toArray());
    };
    expect(run(5, 2)).toEqual(run(5, null));
  });
});

describe("getLr (nanoGPT's warmup + cosine)", () => {
  const s = { learningRate: 1e-3, minLr: 1e-4, warmupIters: 100, lrDecayIters: 2000 };

  it("warms up linearly from lr/(warmup+1)", () => {
    expect(getLr(0, s)).toBeCloseTo(1e-3 / 101, 15); // 9.90099e-6
    expect(getLr(49, s)).toBeCloseTo((1e-3 * 50) / 101, 15);
    expect(getLr(99, s)).toBeCloseTo((1e-3 * 100) / 101, 15);
  });

  it("follows a half cosine from lr to min-lr between warmup and lr-decay-iters", () => {
    expect(getLr(100, s)).toBeCloseTo(1e-3, 15); // ratio 0: cos 0 = 1
    // ratio 0.25: ½(1 + cos(π/4)) = 0.8535534 -> 1e-4 + 0.8535534 · 9e-4 = 8.681981e-4
    expect(getLr(575, s)).toBeCloseTo(8.681981e-4, 9);
    expect(getLr(1050, s)).toBeCloseTo(5.5e-4, 15); // ratio 0.5: halfway
    expect(getLr(2000, s)).toBeCloseTo(1e-4, 15); // ratio 1: cos π = −1
  });

  it("stays at min-lr after lr-decay-iters", () => {
    expect(getLr(2001, s)).toBe(1e-4);
    expect(getLr(10_000, s)).toBe(1e-4);
  });
});

describe("clipGradNorm", () => {
  it("scales all gradients together so the global norm becomes max-norm", () => {
    const a = param([0, 0], [2], [3, 4]);
    const b = param([0], [1], [12]);
    // √(9 + 16 + 144) = 13; scale 6.5 / 13 = 0.5 (PyTorch adds 1e-6 to the norm: 0.49999996)
    expect(clipGradNorm([a, b], 6.5)).toBeCloseTo(13, 6);
    expect(a.grad!.toArray()[0]).toBeCloseTo(1.5, 6);
    expect(a.grad!.toArray()[1]).toBeCloseTo(2, 6);
    expect(b.grad!.toArray()[0]).toBeCloseTo(6, 6);
  });

  it("leaves gradients alone when the norm is already small enough, and skips missing ones", () => {
    const a = param([0, 0], [2], [3, 4]);
    const none = param([0], [1], null);
    expect(clipGradNorm([a, none], 20)).toBeCloseTo(5, 6);
    expect(Array.from(a.grad!.toArray())).toEqual([3, 4]);
    expect(none.grad).toBeNull();
  });

  it("returns the norm of a single tensor for a plain check", () => {
    const t = Tensor.fromArray(new Float32Array([1, 2, 2]), [3]).requiresGrad_();
    t.grad = tensor([1, 2, 2], [3]);
    expect(clipGradNorm([t], 1)).toBeCloseTo(3, 6);
    expect(t.grad.toArray()[2]).toBeCloseTo(2 / 3, 5);
  });
});
