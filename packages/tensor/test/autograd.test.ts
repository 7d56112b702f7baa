// Autograd behaviour: accumulation into .grad, shared inputs, noGrad, detach, graph release.

import { describe, expect, it } from "vitest";
import { isGradEnabled, matmul, mul, noGrad, sum, type Tensor, tensor } from "../src/index.ts";

describe("autograd", () => {
  it("computes d(x·y + x)/dx = y + 1 and d/dy = x for a hand-checkable graph", () => {
    const x = tensor([2, 3]).requiresGrad_();
    const y = tensor([5, 7]).requiresGrad_();
    sum(mul(x, y).add(x)).backward();
    expect(x.grad!.toNested()).toEqual([6, 8]);
    expect(y.grad!.toNested()).toEqual([2, 3]);
  });

  it("sums the gradients of a tensor used twice (x·x has gradient 2x)", () => {
    const x = tensor([3, -1]).requiresGrad_();
    mul(x, x).sum().backward();
    expect(x.grad!.toNested()).toEqual([6, -2]);
  });

  it("accumulates into .grad across backward calls until zeroGrad", () => {
    const x = tensor([1, 2]).requiresGrad_();
    x.mul(3).sum().backward();
    x.mul(3).sum().backward();
    expect(x.grad!.toNested()).toEqual([6, 6]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
  });

  it("keeps only leaf gradients: intermediate tensors get no .grad", () => {
    const x = tensor([1, 2]).requiresGrad_();
    const h = x.mul(2);
    h.sum().backward();
    expect(h.grad).toBeNull();
    expect(x.grad!.toNested()).toEqual([2, 2]);
  });

  it("records nothing inside noGrad, and restores grad mode afterwards even on a throw", () => {
    const w = tensor([[1, 2]]).requiresGrad_();
    const y = noGrad(() => matmul(w, tensor([[3], [4]])));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(() =>
      noGrad(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(isGradEnabled()).toBe(true);
  });

  it("detach shares storage but cuts the graph", () => {
    const x = tensor([1, 2]).requiresGrad_();
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    const z = x.mul(d).sum(); // d is a constant here: dz/dx = d = 2x
    z.backward();
    expect(x.grad!.toNested()).toEqual([2, 4]);
  });

  it("releases the graph after backward: nodes drop their closures and a second backward throws", () => {
    const x = tensor([1, 2]).requiresGrad_();
    const h = x.mul(2);
    const loss = h.sum();
    expect(loss.gradFn?.op).toBe("sum");
    loss.backward();
    expect(loss.gradFn).toBeNull();
    expect(h.gradFn).toBeNull();
    expect(() => loss.backward()).toThrow("already released");
  });

  it("accepts a seed gradient for a non-scalar output and refuses to start without one", () => {
    const x = tensor([1, 2, 3]).requiresGrad_();
    const y = x.mul(x);
    expect(() => y.backward()).toThrow("needs a scalar or a seed");
    y.backward(tensor([1, 0, 10]));
    expect(x.grad!.toNested()).toEqual([2, 0, 60]);
  });

  it("gradients flow through a float64 -> float32 cast", () => {
    const x = tensor([1, 2], undefined, "float64").requiresGrad_();
    x.cast("float32").mul(3).sum().backward();
    expect(x.grad!.dtype).toBe("float64");
    expect(x.grad!.toNested()).toEqual([3, 3]);
  });

  it("walks a deep chain without overflowing the stack", () => {
    const x = tensor([1]).requiresGrad_();
    let h: Tensor = x;
    for (let i = 0; i < 20000; i++) h = h.add(1);
    h.sum().backward();
    expect(x.grad!.item()).toBe(1);
  });
});
