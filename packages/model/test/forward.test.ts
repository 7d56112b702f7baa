import { intTensor, noGrad, Rng } from "@llmts/tensor";
import { describe, expect, it } from "vitest";
import { createModel } from "../src/index.ts";
import { tinyGpt2, tinyGptNeoX, tinyLlama, tinyPhi3 } from "./tiny.ts";

const ids = intTensor([
  [1, 2, 3, 4, 5],
  [6, 7, 8, 9, 10],
]);

describe("forward", () => {
  it("returns only the last position's logits with lastOnly, equal to the full pass's last row", () => {
    const model = createModel(tinyLlama(), new Rng(51));
    const all = noGrad(() => model.forward(ids)); // [2, 5, V]
    const last = noGrad(() => model.forward(ids, { lastOnly: true })); // [2, 1, V]
    const V = model.vocabSize;
    expect(last.shape).toEqual([2, 1, V]);
    const a = all.dataSync();
    const l = last.dataSync();
    for (let b = 0; b < 2; b++) {
      for (let v = 0; v < V; v++) expect(l[b * V + v]).toBeCloseTo(a[(b * 5 + 4) * V + v]!, 5);
    }
  });

  it("applies dropout only in training mode, reproducibly from the rng", () => {
    const model = createModel(tinyGpt2({ resid_pdrop: 0.5, embd_pdrop: 0.5, attn_pdrop: 0.5 }), new Rng(52));
    const evalA = noGrad(() => model.forward(ids)).toArray();
    const evalB = noGrad(() => model.forward(ids)).toArray();
    expect(evalA).toEqual(evalB);
    const trainA = noGrad(() => model.forward(ids, { training: true, rng: new Rng(9) })).toArray();
    const trainB = noGrad(() => model.forward(ids, { training: true, rng: new Rng(9) })).toArray();
    expect(trainA).toEqual(trainB);
    expect(trainA).not.toEqual(evalA);
    expect(() => model.forward(ids, { training: true })).toThrow(/needs options.rng/);
  });

  it("applies GPT-NeoX's hidden_dropout and Phi-3's resid_pdrop only in training mode", () => {
    for (const config of [tinyGptNeoX({ hidden_dropout: 0.5 }), tinyPhi3({ resid_pdrop: 0.5 })]) {
      const model = createModel(config, new Rng(54));
      const evalA = noGrad(() => model.forward(ids)).toArray();
      expect(noGrad(() => model.forward(ids)).toArray()).toEqual(evalA);
      const train = noGrad(() => model.forward(ids, { training: true, rng: new Rng(9) })).toArray();
      expect(train).not.toEqual(evalA);
    }
  });

  it("gives a tied embedding the gradient of both its uses (input lookup and output layer)", () => {
    const model = createModel(tinyGpt2(), new Rng(53));
    model.forward(ids).crossEntropy(ids).backward();
    const wte = model.parameters().get("transformer.wte.weight")!;
    const grad = wte.grad!.dataSync();
    const C = 16;
    // Token 30 never appears in the input, so its row's gradient comes from the output layer alone.
    expect(grad.subarray(30 * C, 31 * C).some((g) => g !== 0)).toBe(true);
    for (const [name, p] of model.parameters()) expect(p.grad, name).not.toBeNull();
  });
});
