// The real model and tokenizer packages plug into generate() through the small interfaces of
// src/interfaces.ts (structural typing: no adapter code, and no runtime dependency: they are
// devDependencies, for this test). The assignments below are checked by `tsc`; the tests check
// the behaviour.

import { type CausalLM, createModel, parseConfig, stepModel } from "@llmts/model";
import { intTensor, noGrad, Rng } from "@llmts/tensor";
import { CharTokenizer, fromTokenizerJson, type Tokenizer } from "@llmts/tokenizer";
import { describe, expect, it } from "vitest";
import { type Detokenizer, generate, type StepModel } from "../src/index.ts";
import { ScriptedModel } from "./fakes.ts";

const asStepModel = (m: ReturnType<typeof stepModel>): StepModel => m;
const asDetokenizer = (t: Tokenizer): Detokenizer => t;

/**
 * Next-token argmax by running the whole sequence through the model without a KV cache; with
 * `blockSize`, only its last blockSize tokens (nanoGPT sample.py: idx_cond = idx[:, -block_size:]).
 */
function greedyWithoutCache(model: CausalLM, prompt: number[], n: number, blockSize = Infinity): number[] {
  const ids = [...prompt];
  const V = model.vocabSize;
  for (let k = 0; k < n; k++) {
    const cond = ids.slice(-blockSize);
    const logits = noGrad(() => model.forward(intTensor([cond]))).dataSync(); // [1, T, V]
    const last = Array.from(logits.subarray((cond.length - 1) * V, cond.length * V));
    ids.push(last.indexOf(Math.max(...last)));
  }
  return ids.slice(prompt.length);
}

/** A Llama 2-layout SentencePiece tokenizer.json: <unk> <s> </s>, "▁", letters, and "▁the". */
function tinySentencePiece(): Tokenizer {
  const vocab: Record<string, number> = { "<unk>": 0, "<s>": 1, "</s>": 2, "▁": 3 };
  for (const c of "abcdefghijklmnopqrstuvwxyz") vocab[c] = Object.keys(vocab).length;
  const merges = ["▁ t", "h e", "▁t he"];
  for (const m of merges) vocab[m.replace(" ", "")] = Object.keys(vocab).length;
  const special = (id: number, content: string) => ({ id, content, special: true, normalized: false });
  return fromTokenizerJson(
    {
      added_tokens: [special(0, "<unk>"), special(1, "<s>"), special(2, "</s>")],
      normalizer: {
        type: "Sequence",
        normalizers: [
          { type: "Prepend", prepend: "▁" },
          { type: "Replace", pattern: { String: " " }, content: "▁" },
        ],
      },
      decoder: {
        type: "Sequence",
        decoders: [
          { type: "Replace", pattern: { String: "▁" }, content: " " },
          { type: "ByteFallback" },
          { type: "Fuse" },
          { type: "Strip", content: " ", start: 1, stop: 0 },
        ],
      },
      model: { type: "BPE", unk_token: "<unk>", vocab, merges },
    },
    "tiny-sp.json",
  );
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

  it("refuses a prompt id outside the vocabulary where ids enter the model, naming it and its position", () => {
    const config = parseConfig({
      model_type: "gpt2",
      n_layer: 1,
      n_head: 2,
      n_embd: 8,
      vocab_size: 40,
      n_positions: 16,
    });
    const model = stepModel(createModel(config, new Rng(4)));
    expect(() => generate(asStepModel(model), [1, 40, 2], { max_new_tokens: 2 })).toThrow(
      /^forward: token id 40 at ids\[0, 1\] is out of range for a vocabulary of 40$/,
    );
    expect(() => generate(asStepModel(model), [1, -1], { max_new_tokens: 2 })).toThrow(
      /token id -1 at ids\[0, 1\]/,
    );
  });

  it("with crop_context, greedy generation past the window equals nanoGPT's loop on the last block", () => {
    const config = parseConfig({
      model_type: "gpt2",
      n_layer: 2,
      n_head: 2,
      n_embd: 32,
      vocab_size: 40,
      n_positions: 8,
    });
    const model = createModel(config, new Rng(5));
    const prompt = [5, 17, 2, 33, 9, 9, 1, 30, 12, 7]; // longer than the window of 8
    const result = generate(asStepModel(stepModel(model)), prompt, {
      temperature: 0,
      max_new_tokens: 12,
      crop_context: true,
    });
    expect(result.generated_ids).toEqual(greedyWithoutCache(model, prompt, 12, 8));
    expect(result.context_crops).toBe(11); // every token after the first re-runs the window
  });

  it("streams a SentencePiece continuation of a BOS-only prompt without a leading space", () => {
    const sp = tinySentencePiece();
    const the = sp.encode("the");
    expect(the.map((id) => sp.idToToken(id))).toEqual(["▁the"]);
    const pieces: string[] = [];
    const result = generate(
      new ScriptedModel(sp.vocabSize, [the[0]!, the[0]!, the[0]!]),
      [sp.bosId!],
      { temperature: 0, max_new_tokens: 3 },
      { tokenizer: asDetokenizer(sp), onText: (p) => pieces.push(p) },
    );
    expect(result.text).toBe("the the the");
    expect(pieces.join("")).toBe(sp.decode(result.generated_ids));
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
