import { noGrad, Rng, randn } from "@llmts/tensor";
import { describe, expect, it } from "vitest";
import { applyRope, RopeTables, ropeInverseFrequencies } from "../src/index.ts";

describe("rotary embeddings", () => {
  it("rotate each (x[i], x[i + D/2]) pair by pos · theta^(-2i/D), HF's rotate-half convention", () => {
    const [H, T, D, theta] = [2, 5, 8, 10000];
    const x = randn([1, H, T, D], new Rng(41));
    const start = 3; // positions 3 .. 7, as after a 3-token prefix in the KV cache
    const y = noGrad(() =>
      applyRope(x, new RopeTables(ropeInverseFrequencies(D, theta, null), 64), start),
    ).dataSync();
    const xs = x.dataSync();
    for (let h = 0; h < H; h++) {
      for (let t = 0; t < T; t++) {
        const row = (h * T + t) * D;
        for (let i = 0; i < D / 2; i++) {
          const angle = (start + t) * theta ** ((-2 * i) / D);
          const [a, b] = [xs[row + i]!, xs[row + D / 2 + i]!];
          expect(y[row + i]).toBeCloseTo(a * Math.cos(angle) - b * Math.sin(angle), 5);
          expect(y[row + D / 2 + i]).toBeCloseTo(b * Math.cos(angle) + a * Math.sin(angle), 5);
        }
      }
    }
  });

  it("make the q·k score depend only on the distance between positions", () => {
    const D = 16;
    const tables = new RopeTables(ropeInverseFrequencies(D, 10000, null), 64);
    const q = randn([1, 1, 1, D], new Rng(42));
    const k = randn([1, 1, 1, D], new Rng(43));
    const score = (m: number, n: number) => {
      const a = applyRope(q, tables, m).dataSync();
      const b = applyRope(k, tables, n).dataSync();
      let dot = 0;
      for (let i = 0; i < D; i++) dot += a[i]! * b[i]!;
      return dot;
    };
    expect(score(7, 3)).toBeCloseTo(score(24, 20), 4);
    expect(score(0, 0)).toBeCloseTo(score(40, 40), 4);
  });

  it("turn only the first R dims of each head with partial rotary (GPT-NeoX, Phi-3), pairing i with i + R/2", () => {
    const [T, D, R, theta] = [4, 8, 4, 10000];
    const x = randn([1, 1, T, D], new Rng(44));
    const y = noGrad(() =>
      applyRope(x, new RopeTables(ropeInverseFrequencies(R, theta, null), 64), 0),
    ).dataSync();
    const xs = x.dataSync();
    for (let t = 0; t < T; t++) {
      const row = t * D;
      for (let i = 0; i < R / 2; i++) {
        const angle = t * theta ** ((-2 * i) / R); // frequencies over R, not D
        const [a, b] = [xs[row + i]!, xs[row + R / 2 + i]!];
        expect(y[row + i]).toBeCloseTo(a * Math.cos(angle) - b * Math.sin(angle), 5);
        expect(y[row + R / 2 + i]).toBeCloseTo(b * Math.cos(angle) + a * Math.sin(angle), 5);
      }
      for (let j = R; j < D; j++) expect(y[row + j]).toBe(xs[row + j]); // passed through
    }
  });

  it("scale cos and sin by a table's attention factor (LongRoPE), so |rope(x)| grows by it", () => {
    const D = 8;
    const x = randn([1, 1, 3, D], new Rng(45));
    const plain = applyRope(x, new RopeTables(ropeInverseFrequencies(D, 10000, null), 64), 5).dataSync();
    const scaled = applyRope(
      x,
      new RopeTables(ropeInverseFrequencies(D, 10000, null), 64, 1.25),
      5,
    ).dataSync();
    for (let i = 0; i < plain.length; i++) expect(scaled[i]).toBeCloseTo(1.25 * plain[i]!, 5);
  });

  it("divide every frequency by the factor with linear scaling", () => {
    const plain = ropeInverseFrequencies(16, 10000, null);
    const linear = ropeInverseFrequencies(16, 10000, { type: "linear", factor: 4 });
    for (let i = 0; i < plain.length; i++) expect(linear[i]).toBe(plain[i]! / 4); // exact: a power of two
  });

  it("keep high frequencies, divide low ones by the factor and blend between with llama3 scaling", () => {
    // Meta's apply_scaling (llama3 reference code), evaluated here in float64.
    const [D, theta, factor, low, high, oldLen] = [64, 500000, 8, 1, 4, 8192];
    const got = ropeInverseFrequencies(D, theta, {
      type: "llama3",
      factor,
      lowFreqFactor: low,
      highFreqFactor: high,
      originalMaxPositionEmbeddings: oldLen,
    });
    let kept = 0;
    let divided = 0;
    let blended = 0;
    for (let i = 0; i < D / 2; i++) {
      const freq = 1 / theta ** ((2 * i) / D);
      const wavelen = (2 * Math.PI) / freq;
      let want: number;
      if (wavelen < oldLen / high) {
        want = freq;
        kept++;
      } else if (wavelen > oldLen / low) {
        want = freq / factor;
        divided++;
      } else {
        const smooth = (oldLen / wavelen - low) / (high - low);
        want = (1 - smooth) * (freq / factor) + smooth * freq;
        blended++;
      }
      expect(Math.abs(got[i]! - want) / want).toBeLessThan(1e-5);
    }
    expect(Math.min(kept, divided, blended)).toBeGreaterThan(0); // all three regimes exercised
  });
});
