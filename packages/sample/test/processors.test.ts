import { Rng } from "@llmts/tensor";
import { describe, expect, it } from "vitest";
import {
  applyMinP,
  applyRepetitionPenalty,
  applyTemperature,
  applyTopK,
  applyTopP,
  argmax,
  kthLargest,
} from "../src/index.ts";
import { keptIds, softmax64 } from "./fakes.ts";

const NEG = Number.NEGATIVE_INFINITY;

function randomLogits(rng: Rng, V: number, scale = 3): Float32Array {
  return Float32Array.from({ length: V }, () => rng.normal() * scale);
}

describe("repetition penalty", () => {
  it("divides positive logits, multiplies negative ones and leaves unseen tokens alone", () => {
    const logits = Float32Array.from([2, -2, 0, 3, -1]);
    applyRepetitionPenalty(logits, [0, 1, 2], 3, 2);
    expect(Array.from(logits)).toEqual([1, -4, 0, 3, -1]);
  });

  it("only uses the first `count` ids of the list", () => {
    const logits = Float32Array.from([4, 4]);
    applyRepetitionPenalty(logits, [0, 1], 1, 2);
    expect(Array.from(logits)).toEqual([2, 4]);
  });

  it("below 1 it rewards seen tokens, as in Hugging Face", () => {
    const logits = Float32Array.from([1, -1]);
    applyRepetitionPenalty(logits, [0, 1], 2, 0.5);
    expect(Array.from(logits)).toEqual([2, -0.5]);
  });
});

describe("temperature", () => {
  it("divides every logit by T, measured from the top logit (the same softmax)", () => {
    const logits = Float32Array.from([1, -3, 0.5]);
    applyTemperature(logits, 0.5);
    expect(Array.from(logits)).toEqual([0, -8, -1]); // (x - 1) / 0.5
    const probs = softmax64(logits);
    const direct = softmax64([2, -6, 1]); // softmax(x / 0.5)
    for (let i = 0; i < 3; i++) expect(probs[i]).toBeCloseTo(direct[i]!, 12);
  });

  it("does not overflow float32 at a tiny T: the top token gets all the probability", () => {
    const logits = Float32Array.from([10, 12, 11.5]);
    applyTemperature(logits, 1e-40); // 12 / 1e-40 would be Infinity in float32
    expect(Array.from(logits)).toEqual([NEG, 0, NEG]);
  });
});

describe("kthLargest (quickselect)", () => {
  it("agrees with a full sort on random arrays with many ties", () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + rng.nextInt(60);
      const values = Float32Array.from({ length: n }, () => rng.nextInt(8) - 4); // small range: ties
      const sorted = Array.from(values).sort((a, b) => b - a);
      const k = 1 + rng.nextInt(n);
      expect(kthLargest(Float32Array.from(values), n, k)).toBe(sorted[k - 1]);
    }
  });
});

describe("top-k", () => {
  it("keeps exactly the k largest logits when there are no ties", () => {
    const logits = Float32Array.from([0.1, 2, -1, 3, 1.5, 0]);
    applyTopK(logits, 3, new Float32Array(6));
    expect(keptIds(logits)).toEqual([1, 3, 4]);
    expect(logits[3]).toBe(3); // kept logits are untouched
  });

  it("keeps every token tied with the k-th largest (HF: remove only scores < k-th)", () => {
    const logits = Float32Array.from([5, 4, 1, 4]);
    applyTopK(logits, 2, new Float32Array(4));
    expect(keptIds(logits)).toEqual([0, 1, 3]);
  });

  it("is off at k = 0 and at k >= vocabulary size", () => {
    for (const k of [0, 4, 10]) {
      const logits = Float32Array.from([1, 2, 3, 4]);
      applyTopK(logits, k, new Float32Array(4));
      expect(keptIds(logits)).toEqual([0, 1, 2, 3]);
    }
  });
});

describe("top-p (nucleus)", () => {
  // Four equal logits and four -Infinity: softmax is exactly 0.25 each, so the boundary is exact.
  const quarters = () => Float32Array.from([0, 0, 0, 0, NEG, NEG, NEG, NEG]);
  const topP = (logits: Float32Array, p: number) => {
    applyTopP(logits, p, new Float64Array(logits.length), new Float32Array(logits.length));
    return keptIds(logits);
  };

  it("keeps the smallest set whose probability reaches p exactly (0.25 + 0.25 = 0.5)", () => {
    expect(topP(quarters(), 0.5)).toEqual([0, 1]);
  });

  it("takes one more token as soon as p is above what the set holds", () => {
    expect(topP(quarters(), 0.5 + 1e-9)).toEqual([0, 1, 2]);
    expect(topP(quarters(), 0.25)).toEqual([0]);
    expect(topP(quarters(), 0.25 + 1e-9)).toEqual([0, 1]);
  });

  it("always keeps the most likely token, even at p = 0", () => {
    expect(topP(Float32Array.from([1, 3, 2]), 0)).toEqual([1]);
  });

  it("is off at p = 1", () => {
    expect(topP(Float32Array.from([1, -30, 2]), 1)).toEqual([0, 1, 2]);
  });

  it("keeps tokens by probability, not by id, on a hand-worked example", () => {
    // probs 0.05, 0.5, 0.15, 0.3: sorted 0.5 (id 1), 0.3 (id 3), 0.15 (id 2), 0.05 (id 0)
    // cumulative 0.5, 0.8, 0.95, 1.0
    const logits = () => Float32Array.from([0.05, 0.5, 0.15, 0.3].map(Math.log));
    expect(topP(logits(), 0.45)).toEqual([1]);
    expect(topP(logits(), 0.79)).toEqual([1, 3]);
    expect(topP(logits(), 0.81)).toEqual([1, 2, 3]);
    expect(topP(logits(), 0.96)).toEqual([0, 1, 2, 3]);
  });

  it("matches an independent 'smallest set reaching p' on random distributions", () => {
    const rng = new Rng(5);
    let checked = 0;
    for (let trial = 0; trial < 200; trial++) {
      const V = 2 + rng.nextInt(300);
      const logits = randomLogits(rng, V, 1 + rng.nextFloat() * 4);
      const p = rng.nextFloat();
      // Reference: sort by probability descending, take tokens until the sum reaches p.
      const probs = softmax64(logits);
      const byProb = probs.map((q, i) => [q, i] as const).sort((a, b) => b[0] - a[0]);
      const expected: number[] = [];
      let sum = 0;
      let nearBoundary = false;
      for (const [q, i] of byProb) {
        expected.push(i);
        sum += q;
        if (Math.abs(sum - p) < 1e-9) nearBoundary = true;
        if (sum >= p) break;
      }
      if (nearBoundary) continue; // rounding decides there; the exact cases are tested above
      expect(topP(logits, p)).toEqual(expected.sort((a, b) => a - b));
      checked++;
    }
    expect(checked).toBeGreaterThan(190);
  });
});

describe("min-p", () => {
  it("keeps exactly the tokens with probability >= min_p * max probability", () => {
    const rng = new Rng(9);
    for (let trial = 0; trial < 100; trial++) {
      const V = 2 + rng.nextInt(200);
      const logits = randomLogits(rng, V);
      const minP = rng.nextFloat();
      const probs = softmax64(logits);
      const threshold = minP * Math.max(...probs);
      if (probs.some((q) => Math.abs(q - threshold) < 1e-12)) continue;
      const expected = probs.flatMap((q, i) => (q >= threshold ? [i] : []));
      applyMinP(logits, minP);
      expect(keptIds(logits)).toEqual(expected);
    }
  });

  it("at min_p = 1 keeps every token tied for the maximum and nothing else", () => {
    const logits = Float32Array.from([1, 3, 3, 2.9999998]);
    applyMinP(logits, 1);
    expect(keptIds(logits)).toEqual([1, 2]);
  });

  it("is off at min_p = 0", () => {
    const logits = Float32Array.from([0, -100, 100]);
    applyMinP(logits, 0);
    expect(keptIds(logits)).toEqual([0, 1, 2]);
  });
});

describe("argmax", () => {
  it("returns the lowest index among tied maxima", () => {
    expect(argmax(Float32Array.from([1, 7, 3, 7]))).toBe(1);
    expect(argmax(Float32Array.from([NEG, NEG, -5]))).toBe(2);
  });
});
