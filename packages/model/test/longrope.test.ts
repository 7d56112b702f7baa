// LongRoPE (Phi-3 128k, Phi-4-mini): the frequencies and the cos/sin factor against their formulas
// in float64, and the KV cache across original_max_position_embeddings: whatever way a sequence is
// fed (token by token, in chunks, in a batch with other sequences), a pass's logits are those of
// one forward pass over the sequence up to its last token — what Hugging Face's generate() intends.
import { intTensor, noGrad, Rng, type Tensor } from "@llmts/tensor";
import { describe, expect, it } from "vitest";
import {
  type CausalLM,
  createModel,
  LongRope,
  longRopeInverseFrequencies,
  Phi3,
  type Phi3Config,
  parseConfig,
  stepModel,
} from "../src/index.ts";
import { tinyLongRopePhi3 } from "./tiny.ts";

const seq = [3, 17, 0, 8, 8, 21, 5, 30, 2, 11, 7, 19]; // 12 tokens; original is 6
const other = [9, 1, 33, 4, 12, 7, 7, 19, 26, 6];

/** The last position's logits [V] of one forward pass over `ids` (no cache). */
function lastOf(model: CausalLM, ids: number[]): Float32Array {
  return noGrad(() => model.forward(intTensor([ids]), { lastOnly: true })).dataSync() as Float32Array;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Row b, position t of logits [B, T, V]. */
function at(logits: Tensor, b: number, t: number): Float32Array {
  const [, T, V] = logits.shape as [number, number, number];
  return (logits.dataSync() as Float32Array).subarray((b * T + t) * V, (b * T + t + 1) * V);
}

describe("LongRoPE frequencies", () => {
  it("are 1 / (factor_i · theta^(2i / R)) and the cos/sin factor sqrt(1 + ln(max / original) / ln(original))", () => {
    const factors = [1, 1.6, 3.2, 6.5, 11, 19];
    const inv = longRopeInverseFrequencies(12, 10000, factors);
    factors.forEach((f, i) => {
      const want = 1 / (f * 10000 ** ((2 * i) / 12));
      expect(Math.abs(inv[i]! - want) / want).toBeLessThan(1e-6);
    });
    const c = parseConfig({
      model_type: "phi3",
      ...{
        hidden_size: 64,
        num_attention_heads: 4,
        num_hidden_layers: 1,
        intermediate_size: 8,
        vocab_size: 8,
      },
      partial_rotary_factor: 0.75,
      max_position_embeddings: 32,
      original_max_position_embeddings: 8,
      rope_scaling: { type: "longrope", short_factor: factors, long_factor: factors },
    }) as Phi3Config;
    expect(c.rotaryDim).toBe(12);
    expect(c.ropeScaling!.attentionFactor).toBeCloseTo(Math.sqrt(1 + Math.log(32 / 8) / Math.log(8)), 12);
  });

  it("pick the short factors for a sequence within original and the long ones past it", () => {
    const rope = new LongRope(6, 10000, tinyLongRopePhi3().ropeScaling!, 32);
    expect(rope.tablesFor(6)).toBe(rope.tablesFor(1));
    expect(rope.tablesFor(7)).not.toBe(rope.tablesFor(6));
    expect([
      rope.crosses(6, 1),
      rope.crosses(4, 3),
      rope.crosses(0, 9),
      rope.crosses(7, 1),
      rope.crosses(3, 2),
    ]).toEqual([
      true,
      true,
      false, // a first pass past original is long from the start: nothing cached to redo
      false, // already past: the cache holds long-factor keys
      false,
    ]);
  });
});

describe("a LongRoPE model with a KV cache", () => {
  // Weights larger than the default N(0, 0.02), so that attention depends on positions visibly.
  const model = createModel(tinyLongRopePhi3({ initializer_range: 0.3 }), new Rng(71));

  it("gives, token by token across original, each step the logits of a full pass over the sequence so far", () => {
    const cache = model.newCache();
    for (let t = 0; t < seq.length; t++) {
      const step = noGrad(() => model.forward(intTensor([[seq[t]!]]), { cache })); // [1, 1, V]
      expect(maxDiff(at(step, 0, 0), lastOf(model, seq.slice(0, t + 1))), `step ${t}`).toBeLessThan(1e-5);
    }
    expect(cache.length()).toBe(12);
    expect(cache.tokens()).toEqual(seq); // what a recompute reruns
  });

  it("gives the same through stepModel, and with chunks that cross original or start past it", () => {
    // A pass over several tokens rotates all of them with the factors of the sequence's length at
    // its end, so each chunk's logits are those rows of a full pass up to the chunk's last token.
    const step = stepModel(model);
    expect(maxDiff(step.prefill(seq.slice(0, 4)), lastOf(model, seq.slice(0, 4)))).toBeLessThan(1e-5);
    for (let t = 4; t < 9; t++)
      expect(maxDiff(step.step(seq[t]!), lastOf(model, seq.slice(0, t + 1)))).toBeLessThan(1e-5);
    for (const sizes of [
      [4, 5, 3],
      [8, 1, 3],
      [6, 6],
    ]) {
      const cache = model.newCache();
      let start = 0;
      for (const n of sizes) {
        const logits = noGrad(() => model.forward(intTensor([seq.slice(start, start + n)]), { cache })); // [1, n, V]
        const full = noGrad(() => model.forward(intTensor([seq.slice(0, start + n)]))); // [1, start + n, V]
        for (let t = 0; t < n; t++)
          expect(maxDiff(at(logits, 0, t), at(full, 0, start + t))).toBeLessThan(1e-5);
        start += n;
      }
    }
  });

  it("crosses original in one row of a batch while the other row stays within it", () => {
    const cache = model.newCache({ batchSize: 2 });
    noGrad(() => model.forward(intTensor([seq.slice(0, 6)]), { cache, slots: [1] }));
    noGrad(() => model.forward(intTensor([other.slice(0, 2)]), { cache, slots: [0] }));
    for (let t = 0; t < 4; t++) {
      const step = intTensor([[seq[6 + t]!], [other[2 + t]!]]); // [2, 1]: slot 1 crosses at t = 0
      const logits = noGrad(() => model.forward(step, { cache, slots: [1, 0] }));
      expect(maxDiff(at(logits, 0, 0), lastOf(model, seq.slice(0, 7 + t)))).toBeLessThan(1e-5);
      expect(maxDiff(at(logits, 1, 0), lastOf(model, other.slice(0, 3 + t)))).toBeLessThan(1e-5);
    }
    expect([cache.length(0), cache.length(1)]).toEqual([6, 10]);
  });

  it("would be wrong without rerunning the prefix: keys cached with short factors are stale", () => {
    class KeepsStaleKeys extends Phi3 {
      protected override recomputesPrefix(): boolean {
        return false;
      }
    }
    const stale = new KeepsStaleKeys(model.config as Phi3Config, model.parameters());
    const cache = stale.newCache();
    noGrad(() => stale.forward(intTensor([seq.slice(0, 6)]), { cache }));
    const step = noGrad(() => stale.forward(intTensor([[seq[6]!]]), { cache }));
    expect(maxDiff(at(step, 0, 0), lastOf(model, seq.slice(0, 7)))).toBeGreaterThan(1e-3);
  });
});
