// FLOPs of a query, checked by counting: a backend that wraps the reference kernels adds up the
// multiply-adds of every matmul the model really runs (2 FLOPs each) and, for every attention
// call, 4·D FLOPs per (query, visible key) pair — q·k, then the weighted sum of v. generate()
// then runs a real query, and the count must equal what shared/flops.ts computes from the config.
import { createModel, parseConfig, stepModel } from "@llmts/model";
import { generate } from "@llmts/sample";
import {
  type AttentionParams,
  type MatmulParams,
  noGrad,
  Rng,
  referenceBackend,
  setBackend,
} from "@llmts/tensor";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_COST, dollarsFor, generationFlops } from "../src/shared/flops.ts";

let counted = 0;
const counting = {
  name: "counting",
  matmul(p: MatmulParams) {
    counted += 2 * p.M * p.K * p.N;
    referenceBackend.matmul(p);
  },
  attention(p: AttentionParams) {
    for (let i = 0; i < p.T; i++) {
      const pos = p.S - p.T + i;
      const visible = Math.min(pos + 1, p.window);
      counted += p.B * p.H * 4 * p.D * visible;
    }
    referenceBackend.attention(p);
  },
};

afterEach(() => {
  setBackend(referenceBackend);
});

const gpt2 = parseConfig({
  model_type: "gpt2",
  vocab_size: 50,
  n_positions: 16,
  n_layer: 2,
  n_head: 2,
  n_embd: 16,
});
const llama = parseConfig({
  model_type: "llama",
  vocab_size: 40,
  hidden_size: 16,
  intermediate_size: 24,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 12,
  tie_word_embeddings: true,
});

function countQuery(config: typeof gpt2, prompt: number[], maxNew: number, crop: boolean) {
  const model = createModel(config, new Rng(1));
  setBackend(counting);
  counted = 0;
  const result = noGrad(() =>
    generate(stepModel(model), prompt, { max_new_tokens: maxNew, temperature: 0, crop_context: crop }),
  );
  setBackend(referenceBackend);
  return { result, counted, window: model.contextLength };
}

describe("FLOPs of a query", () => {
  it("equal the matmul and attention work a GPT-2 really does: prefill, then one step per token", () => {
    const { result, counted, window } = countQuery(gpt2, [1, 2, 3, 4], 6, false);
    expect(generationFlops(gpt2, 4, result.generated_ids.length, window)).toBe(counted);
  });

  it("equal the work of a Llama with grouped-query attention and tied embeddings", () => {
    const { result, counted, window } = countQuery(llama, [3, 1, 4], 5, false);
    expect(generationFlops(llama, 3, result.generated_ids.length, window)).toBe(counted);
  });

  it("count a full window re-run for every token once the sliding window is full", () => {
    const { result, counted, window } = countQuery(llama, [3, 1, 4, 1, 5], 12, true);
    expect(result.context_crops).toBeGreaterThan(0);
    expect(generationFlops(llama, 5, result.generated_ids.length, window)).toBe(counted);
  });
});

describe("cost of FLOPs", () => {
  it("is joules at the assumed GFLOP per joule, in kWh, times the price", () => {
    // 3.6e15 FLOPs at 1 GFLOP/J = 3.6e6 J = 1 kWh.
    expect(dollarsFor(3.6e15, DEFAULT_COST)).toBeCloseTo(0.15, 12);
    expect(dollarsFor(3.6e15, { gflopPerJoule: 10, dollarsPerKwh: 0.3 })).toBeCloseTo(0.03, 12);
  });
});
