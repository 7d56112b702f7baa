// The real model and tokenizer packages plug into generate() through the small interfaces of
// src/interfaces.ts (structural typing: no adapter code). The assignments below are checked by
// `tsc`; the tests check the behaviour.

import {
  type CausalLM,
  createModel,
  type StepModel as ModelStepModel,
  parseConfig,
  stepModel,
} from "@llmts/model";
import { intTensor, noGrad, Rng } from "@llmts/tensor";
import { CharTokenizer, type Tokenizer } from "@llmts/tokenizer";
import { describe, expect, it } from "vitest";
import { type Detokenizer, generate, type StepModel } from "../src/index.ts";
import { ScriptedModel } from "./fakes.ts";

const asStepModel = (m: ModelStepModel): StepModel => m;
const asDetokenizer = (t: Tokenizer): Detokenizer => t;

/** Next-token argmax by running the whole sequence through the model without a KV cache. */
function greedyWithoutCache(model: CausalLM, prompt: number[], n: number): number[] {
  const ids = [...prompt];
  const V = model.vocabSize;
  for (let k = 0; k < n; k++) {
    const logits = noGrad(() => model.forward(intTensor([ids]))).dataSync(); // [1, T, V]
    const last = Array.from(logits.subarray((ids.length - 1) * V, ids.length * V));
    ids.push(last.indexOf(Math.max(...last)));
  }
  return ids.slice(prompt.length);
}

describe("generate with @llmts/model and @llmts/tokenizer", () => {
  it("greedy generation through stepModel's KV cache equals argmax of full forward passes", () => {
    const config = parseConfig({
      model_type: "gpt2",
      n_layer: 2,
      n_head: 2,
      n_embd: 32,
      vocab_size: 40,
      n_positions: 32,
    });
    const model = createModel(config, new Rng(3));
    const prompt = [5, 17, 2, 33];
    const result = generate(asStepModel(stepModel(model)), prompt, { temperature: 0, max_new_tokens: 8 });
    expect(result.generated_ids).toEqual(greedyWithoutCache(model, prompt, 8));
  });

  it("streams a CharTokenizer's text and stops at a stop string", () => {
    const tokenizer = CharTokenizer.fromText("Hé said: stop. Then more.");
    const script = tokenizer.encode("Hé said: stop. Then");
    const pieces: string[] = [];
    const result = generate(
      new ScriptedModel(tokenizer.vocabSize, script),
      tokenizer.encode("H"),
      { temperature: 0, stop_strings: [". "], max_new_tokens: 30 },
      { tokenizer: asDetokenizer(tokenizer), onText: (p) => pieces.push(p) },
    );
    expect(result.text).toBe("Hé said: stop");
    expect(pieces.join("")).toBe(result.text);
  });
});
