// The seeded generator: reproducible streams, state round trips, distribution sanity.

import { describe, expect, it } from "vitest";
import { Rng, randn } from "../src/index.ts";

describe("Rng", () => {
  it("gives the same stream for the same seed and different streams for different seeds", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it("continues exactly from a saved state", () => {
    const a = new Rng(7);
    a.nextFloat();
    const saved = a.getState();
    const next = [a.nextUint32(), a.nextUint32()];
    const b = Rng.fromState(saved);
    expect([b.nextUint32(), b.nextUint32()]).toEqual(next);
    const c = a.clone();
    expect(c.nextFloat()).toBe(a.nextFloat());
  });

  it("draws normals with mean about 0 and variance about 1, and integers in range", () => {
    const x = randn([20000], new Rng(1), 1, "float64").dataSync();
    let m = 0;
    for (const v of x) m += v;
    m /= x.length;
    let v2 = 0;
    for (const v of x) v2 += (v - m) ** 2;
    v2 /= x.length;
    expect(Math.abs(m)).toBeLessThan(0.03); // 4 standard errors (1/√20000 ≈ 0.007)
    expect(Math.abs(v2 - 1)).toBeLessThan(0.05);
    const r = new Rng(3);
    for (let i = 0; i < 1000; i++) {
      const k = r.nextInt(7);
      expect(k >= 0 && k < 7 && Number.isInteger(k)).toBe(true);
    }
  });
});
