import { Rng } from "@llmts/tensor";
import { describe, expect, it } from "vitest";
import { Sampler, type SamplingConfig, sampleIndex } from "../src/index.ts";
import { softmax64 } from "./fakes.ts";

const OFF: SamplingConfig = { temperature: 1, top_k: 0, top_p: 1, min_p: 0, repetition_penalty: 1, seed: 0 };

function draw(config: Partial<SamplingConfig>, logits: ArrayLike<number>, n: number): number[] {
  const sampler = new Sampler(logits.length, { ...OFF, ...config });
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(sampler.sample(Float32Array.from(logits)));
  return out;
}

/** Pearson's chi-square statistic: sum over bins of (observed - expected)^2 / expected. */
function chiSquare(ids: number[], probs: number[]): number {
  const counts = new Array<number>(probs.length).fill(0);
  for (const id of ids) counts[id]!++;
  let stat = 0;
  probs.forEach((q, i) => {
    const expected = q * ids.length;
    stat += (counts[i]! - expected) ** 2 / expected;
  });
  return stat;
}

describe("sampleIndex (inverse CDF)", () => {
  it("returns the first id whose cumulative probability exceeds u", () => {
    const probs = Float64Array.from([0.25, 0, 0.5, 0.25]);
    expect(sampleIndex(probs, 0)).toBe(0);
    expect(sampleIndex(probs, 0.2499)).toBe(0);
    expect(sampleIndex(probs, 0.25)).toBe(2); // id 1 has probability 0: never chosen
    expect(sampleIndex(probs, 0.7499)).toBe(2);
    expect(sampleIndex(probs, 0.75)).toBe(3);
    expect(sampleIndex(probs, 0.9999999)).toBe(3);
  });
});

describe("Sampler", () => {
  it("at top_p 0 keeps only the most likely token (HF's TopPLogitsWarper accepts 0)", () => {
    expect(new Set(draw({ top_p: 0, seed: 4 }, [1, 3, 2.9, -1], 50))).toEqual(new Set([1]));
  });

  it("samples at a tiny temperature without overflowing: always the top token", () => {
    expect(new Set(draw({ temperature: 1e-40 }, [10, 12, 11.5], 20))).toEqual(new Set([1]));
  });

  it("at temperature 0 always returns the argmax, lowest id on ties, whatever the other filters", () => {
    const logits = [0.3, 2.5, -1, 2.5, 2.4];
    expect(draw({ temperature: 0, top_k: 2, top_p: 0.1, min_p: 0.9 }, logits, 20)).toEqual(
      new Array(20).fill(1),
    );
  });

  it("applies the repetition penalty once per distinct seen id, even if it occurred many times", () => {
    // Once: 2 / 1.2 = 1.67 > 1.5 -> id 0 stays the argmax. Three times would give 2 / 1.2^3 = 1.16.
    const sampler = new Sampler(2, { ...OFF, temperature: 0, repetition_penalty: 1.2 });
    for (const id of [0, 0, 0]) sampler.observe(id);
    expect(sampler.sample(Float32Array.from([2, 1.5]))).toBe(0);
    // With a stronger penalty the seen token loses: 2 / 1.5 = 1.33 < 1.5.
    const strong = new Sampler(2, { ...OFF, temperature: 0, repetition_penalty: 1.5 });
    strong.observe(0);
    expect(strong.sample(Float32Array.from([2, 1.5]))).toBe(1);
  });

  it("maps the seeded Rng stream to tokens by inverse CDF: uniform over 4 ids is floor(4u)", () => {
    // softmax of four equal logits is exactly 0.25 each, so the expected ids follow from the
    // Rng alone — the same on every machine, since Rng is integer arithmetic.
    const rng = new Rng(7);
    const expected = Array.from({ length: 200 }, () => Math.floor(4 * rng.nextFloat()));
    expect(draw({ seed: 7 }, [0, 0, 0, 0], 200)).toEqual(expected);
  });

  it("gives the same tokens for the same seed and different tokens for different seeds", () => {
    const logits = Array.from({ length: 50 }, (_, i) => Math.sin(i) * 2);
    const a = draw({ seed: 42, top_k: 20, top_p: 0.9 }, logits, 300);
    const b = draw({ seed: 42, top_k: 20, top_p: 0.9 }, logits, 300);
    const c = draw({ seed: 43, top_k: 20, top_p: 0.9 }, logits, 300);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it("never emits a token outside the top k", () => {
    const rng = new Rng(3);
    const logits = Array.from({ length: 1000 }, () => rng.normal() * 2);
    const top5 = logits
      .map((x, i) => [x, i] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, 5)
      .map(([, i]) => i);
    const ids = draw({ seed: 1, top_k: 5, temperature: 2 }, logits, 5000);
    expect(ids.every((id) => top5.includes(id))).toBe(true);
    expect(new Set(ids).size).toBe(5); // at temperature 2 all five do occur
  });

  // Critical values of the chi-square distribution at significance 0.001 (tables, e.g. NIST
  // Engineering Statistics Handbook 1.3.6.7.4): df 7 -> 24.322, df 2 -> 13.816. With a fixed
  // seed the test is deterministic; a correct sampler passes with probability 0.999 per seed,
  // a sampler off by a few percent in any bin fails by a wide margin at N = 40000.
  it("at temperature 1 draws tokens with the softmax probabilities (chi-square, df 7)", () => {
    const logits = [1.2, -0.5, 0.3, 2.0, 0, -1.5, 0.8, 1.0];
    const N = 40_000;
    const ids = draw({ seed: 2024 }, logits, N);
    expect(chiSquare(ids, softmax64(logits))).toBeLessThan(24.322);
  });

  it("with temperature 0.7 and top-k 3 draws from softmax(logits / 0.7) renormalised over the top 3 (df 2)", () => {
    const logits = [1.2, -0.5, 0.3, 2.0, 0, -1.5, 0.8, 1.0];
    const top3 = [0, 3, 7]; // logits 1.2, 2.0, 1.0
    const expected = softmax64(top3.map((i) => logits[i]! / 0.7));
    const ids = draw({ seed: 99, temperature: 0.7, top_k: 3 }, logits, 40_000);
    expect(ids.every((id) => top3.includes(id))).toBe(true);
    expect(
      chiSquare(
        ids.map((id) => top3.indexOf(id)),
        expected,
      ),
    ).toBeLessThan(13.816);
  });

  it("the chi-square check is strict enough to reject a slightly wrong distribution", () => {
    // Guard that the test above can fail: 40000 softmax draws judged against probabilities
    // with 0.02 moved from the most likely token to the least likely one.
    const logits = [1.2, -0.5, 0.3, 2.0, 0, -1.5, 0.8, 1.0];
    const wrong = softmax64(logits);
    wrong[3]! -= 0.02;
    wrong[5]! += 0.02;
    const ids = draw({ seed: 2024 }, logits, 40_000);
    expect(chiSquare(ids, wrong)).toBeGreaterThan(24.322);
  });

  it("rewrites the logits it is given in place (callers keep a copy if they need them)", () => {
    const sampler = new Sampler(3, { ...OFF, temperature: 0.5, top_k: 1 });
    const logits = Float32Array.from([1, 3, 2]);
    expect(sampler.sample(logits)).toBe(1);
    // (x - 3) / 0.5 (temperature, measured from the top logit), then top-1.
    expect(Array.from(logits)).toEqual([Number.NEGATIVE_INFINITY, 0, Number.NEGATIVE_INFINITY]);
  });

  it("refuses logits with no finite maximum", () => {
    const sampler = new Sampler(2, OFF);
    expect(() => sampler.sample(Float32Array.from([Number.NaN, 1]))).toThrow(/cannot sample/);
    expect(() =>
      sampler.sample(Float32Array.from([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY])),
    ).toThrow(/cannot sample/);
  });
});
