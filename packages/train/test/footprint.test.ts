// The size estimate that refuses runs which cannot fit, before anything is allocated: its counts
// agree with the models createModel builds, and each refusal names the sizes and the flags.
import { rmSync } from "node:fs";
import { createModel, type ModelConfig, parseConfig } from "@llmts/model";
import { Rng } from "@llmts/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { activationValues, checkModelFits, checkRunFits, countParameters } from "../src/index.ts";
import { prepareRun } from "../src/node/index.ts";
import { scratchDir, TEXT, tinyConfig } from "./helpers.ts";

const GB = 1e9;
const gpt2 = (fields: Record<string, unknown> = {}) =>
  parseConfig({
    model_type: "gpt2",
    n_layer: 2,
    n_head: 2,
    n_embd: 16,
    vocab_size: 40,
    n_positions: 32,
    ...fields,
  });
const llama = (fields: Record<string, unknown> = {}) =>
  parseConfig({
    model_type: "llama",
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    hidden_size: 32,
    intermediate_size: 64,
    vocab_size: 50,
    max_position_embeddings: 64,
    tie_word_embeddings: false,
    ...fields,
  });

/** Elements in the tensors a real model allocates. */
function allocated(config: ModelConfig): number {
  let n = 0;
  for (const p of createModel(config, new Rng(1)).parameters().values()) n += p.size;
  return n;
}

const out = scratchDir();
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("countParameters", () => {
  it("counts what createModel allocates, for GPT-2 and Llama", () => {
    for (const config of [gpt2(), gpt2({ tie_word_embeddings: false }), llama()]) {
      expect(countParameters(config).parameters).toBe(allocated(config));
    }
    expect(countParameters(gpt2()).largest).toMatchObject({
      name: "transformer.h.0.mlp.c_fc.weight",
      shape: [16, 64],
    });
  });

  it("counts a model of many layers from two of them, exactly", () => {
    // 65 layers is past the point where layers are counted by difference; createModel still allocates it quickly.
    for (const config of [gpt2({ n_layer: 65 }), llama({ num_hidden_layers: 65 })]) {
      expect(countParameters(config).parameters).toBe(allocated(config));
    }
    // A million layers are counted without listing them (in well under a second).
    const start = performance.now();
    expect(countParameters(gpt2({ n_layer: 1_000_000 })).parameters).toBe(
      40 * 16 +
        32 * 16 +
        2 * 16 +
        1_000_000 * (4 * 16 + 3 * 16 * 16 + 3 * 16 + 16 * 16 + 16 + 2 * 4 * 16 * 16 + 4 * 16 + 16),
    );
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe("checkModelFits and checkRunFits", () => {
  it("refuses a tensor no array can hold, and weights beyond the machine's memory", () => {
    expect(() => checkModelFits(gpt2({ vocab_size: 1e9, n_embd: 768, n_head: 12 }), 1000 * GB)).toThrow(
      /^model too large: 768,[\d,]+ parameters \(3\.1 TB\); transformer\.wte\.weight \[1000000000, 768\] alone has 768,000,000,000 values, more than one array can hold \(4,294,967,296\)$/,
    );
    expect(() => checkModelFits(gpt2({ vocab_size: 1e6, n_embd: 1024, n_head: 16 }), 2 * GB)).toThrow(
      /^model too large: 1,0[\d,]+ parameters \(4\.\d GB\), more than this machine's 2\.0 GB of memory$/,
    );
    expect(checkModelFits(gpt2(), 1 * GB).parameters).toBe(allocated(gpt2()));
  });

  it("refuses weights + gradients + AdamW moments, then activations, then a step of too many tokens", () => {
    const run = { batchSize: 12, blockSize: 32, gradientAccumulationSteps: 1 };
    const config = gpt2({ vocab_size: 1e5, n_embd: 512, n_head: 8 }); // 57.5M parameters: 230 MB of weights
    expect(() => checkRunFits(config, run, 0.5 * GB)).toThrow(
      /^model too large to train: [\d,]+ parameters need 920\.4 MB \(weights, gradients and AdamW's two moments\)/,
    );
    expect(() => checkRunFits(gpt2(), { ...run, batchSize: 1e8 }, 16 * GB)).toThrow(
      /^batch too large: --batch-size 100000000 × --block-size 32 needs at least [\d.]+ TB of activations per micro-batch/,
    );
    expect(activationValues(gpt2(), 1, 32)).toBe(
      2 * (8 * 32 * 16 + 2 * 32 * 64 + 2 * 2 * 32 * 32) + 2 * 32 * 40,
    );
    expect(() => checkRunFits(gpt2(), { ...run, gradientAccumulationSteps: 1e12 }, 16 * GB)).toThrow(
      "step too large: one optimizer step would read 384,000,000,000,000 tokens (--batch-size 12 × --block-size 32 × --gradient-accumulation-steps 1000000000000)",
    );
    expect(() => checkRunFits(gpt2(), run, 16 * GB)).not.toThrow();
  });

  it("is checked by prepareRun before the model is built", () => {
    const config = tinyConfig(out, { batchSize: 1e8 });
    expect(() => prepareRun(config, { readText: () => TEXT })).toThrow(
      /^batch too large: --batch-size 100000000/,
    );
  });
});
