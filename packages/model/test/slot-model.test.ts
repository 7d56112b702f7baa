// slotModel: sequences in their own KV-cache slots, fed a prompt at a time (extend) or one token
// per row in one forward pass (step), and cut back to a shared prefix (truncate) — each compared
// with the full forward pass over the same sequence alone.
import { intTensor, noGrad, Rng } from "@llmts/tensor";
import { describe, expect, it } from "vitest";
import { type CausalLM, createModel, slotModel } from "../src/index.ts";
import { tinyGpt2, tinyLlama } from "./tiny.ts";

/** Next-token logits [V] after each prefix of `seq`, from the full forward pass (no cache). */
function reference(model: CausalLM, seq: number[]): Float32Array[] {
  const V = model.vocabSize;
  const all = noGrad(() => model.forward(intTensor([seq]))).dataSync() as Float32Array; // [T * V]
  return seq.map((_, t) => all.slice(t * V, (t + 1) * V));
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThan(1e-5);
}

describe("slotModel", () => {
  for (const [name, config] of [
    ["gpt2", tinyGpt2()],
    ["llama", tinyLlama()],
  ] as const) {
    it(`${name}: a step over slots at different lengths gives each sequence's logits alone`, () => {
      const model = createModel(config, new Rng(3));
      const V = model.vocabSize;
      const a = [4, 9, 1, 30, 2, 7, 7, 11];
      const b = [5, 0, 22, 3, 8, 14];
      const slots = slotModel(model, { slots: 3 });
      expectClose(slots.extend(2, a.slice(0, 5)), reference(model, a)[4]!);
      expectClose(slots.extend(0, b.slice(0, 2)), reference(model, b)[1]!);
      for (let t = 0; t < 3; t++) {
        const logits = slots.step([2, 0], [a[5 + t]!, b[2 + t]!]); // [2 * V]
        expectClose(logits.subarray(0, V), reference(model, a)[5 + t]!);
        expectClose(logits.subarray(V, 2 * V), reference(model, b)[2 + t]!);
      }
      expect([slots.length(0), slots.length(1), slots.length(2)]).toEqual([5, 0, 8]);
    });
  }

  it("truncate keeps a shared prefix, so only the tokens after it are fed again", () => {
    const model = createModel(tinyLlama(), new Rng(4));
    const first = [3, 17, 0, 8, 8, 21];
    const second = [3, 17, 0, 8, 12, 5, 30]; // shares its first 4 tokens with `first`
    const slots = slotModel(model, { slots: 1 });
    slots.extend(0, first);
    slots.truncate(0, 4);
    expect(slots.length(0)).toBe(4);
    expectClose(slots.extend(0, second.slice(4)), reference(model, second)[6]!);
  });

  it("refuses to keep more positions than a slot holds", () => {
    const slots = slotModel(createModel(tinyGpt2(), new Rng(5)), { slots: 2 });
    slots.extend(1, [1, 2, 3]);
    expect(() => slots.truncate(1, 4)).toThrow(/cannot keep 4 positions of slot 1, it holds 3/);
    expect(() => slots.truncate(2, 0)).toThrow(/slot 2 does not exist/);
  });
});
