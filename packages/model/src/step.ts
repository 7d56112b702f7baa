// A model as a token-at-a-time function, the shape a generation loop wants:
//
//   prefill(promptIds) -> logits for the token after the prompt   Float32Array [V]
//   step(id)           -> logits for the token after `id`          Float32Array [V]
//
// It owns one KV cache (one slot): prefill resets it and runs the whole prompt in one forward pass
// (lm_head on the last position only), each step feeds a single token. Nothing records a graph.
// The result is the StepModel that @llmts/sample's generate() takes; that package declares the
// type (it is the one that needs it) and this object fits it structurally, so neither package
// imports the other.
// Not here: sampling, stopping (@llmts/sample), several sequences at once (the cache's slots,
// kv-cache.ts).
// Reference: llama2.c `generate()`, which calls forward(token, pos) once per position.

import { intTensor } from "@llmts/tensor";
import type { CausalLM } from "./model.ts";
import type { Allocate } from "./weights.ts";

export function stepModel(model: CausalLM, options: { maxLength?: number; allocate?: Allocate } = {}) {
  const cache = model.newCache({
    batchSize: 1,
    maxLength: options.maxLength ?? model.contextLength,
    allocate: options.allocate, // where the KV cache lives (see CacheOptions)
  });
  const run = (ids: ArrayLike<number>): Float32Array => {
    const input = intTensor(Int32Array.from(ids), [1, ids.length]); // [1, T]
    const logits = model.forward(input, { cache, lastOnly: true }); // [1, 1, V]
    return logits.dataSync() as Float32Array; // [V]
  };
  return {
    vocabSize: model.vocabSize,
    /** Longest sequence (prompt + generated) the model accepts. */
    contextLength: Math.min(cache.maxLength, model.contextLength),
    /** Forgets the sequence and runs `ids` (at least one token); returns the next-token logits [V]. */
    prefill(ids: ArrayLike<number>): Float32Array {
      cache.reset();
      return run(ids);
    },
    /** Feeds one token after those seen so far; returns the next-token logits [V]. */
    step(id: number): Float32Array {
      return run([id]);
    },
  };
}
