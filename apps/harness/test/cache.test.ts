// The KV-cache check of the harness: feeding a fixture's input_ids one token at a time must
// reproduce PyTorch's logits at every position, and a model whose cache does not work must fail.
import { fileURLToPath } from "node:url";
import type { CausalLM, ForwardOptions } from "@llmts/model";
import { loadModel } from "@llmts/model/node";
import { toFloat32, toInt32 } from "@llmts/safetensors";
import { readSafetensorsFile } from "@llmts/safetensors/node";
import { intTensor, type Tensor } from "@llmts/tensor";
import { describe, expect, it } from "vitest";
import { checkCachedLogits } from "../src/index.ts";

// Sliding window 5 over 16 tokens: the cached path has to mask old keys exactly as the full one.
const dir = fileURLToPath(new URL("../../../fixtures/mistral-sliding", import.meta.url));

function fixture() {
  const ref = readSafetensorsFile(`${dir}/reference.safetensors`);
  const ids = intTensor(toInt32(ref.get("input_ids")), ref.info("input_ids").shape); // [B, T]
  return { model: loadModel(dir).model, ids, logits: toFloat32(ref.get("logits")) };
}

/** The model with its cache switched off: each token is run alone, at position 0. */
function forgetful(model: CausalLM): CausalLM {
  return {
    config: model.config,
    contextLength: model.contextLength,
    vocabSize: model.vocabSize,
    parameters: () => model.parameters(),
    newCache: (o) => model.newCache(o),
    forward: (ids: Tensor, o: ForwardOptions = {}) => model.forward(ids, { ...o, cache: undefined }),
  } as CausalLM;
}

describe("checkCachedLogits", () => {
  it("matches the reference logits at every position when tokens go through the cache one by one", () => {
    const { model, ids, logits } = fixture();
    const c = checkCachedLogits(model, ids, logits, 1e-4);
    expect(c.ok, `maxdiff ${c.maxAbs}`).toBe(true);
    expect(c.maxAbs).toBeLessThan(1e-4);
  });

  it("fails a model whose cache keeps nothing, by far more than the tolerance", () => {
    const { model, ids, logits } = fixture();
    const c = checkCachedLogits(forgetful(model), ids, logits, 1e-4);
    expect(c.ok).toBe(false);
    expect(c.maxAbs).toBeGreaterThan(0.1);
  });
});
