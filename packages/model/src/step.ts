// A model as a token-at-a-time function, the shape a generation loop wants:
//
//   prefill(promptIds) -> logits for the token after the prompt   Float32Array [V]
//   step(id)           -> logits for the token after `id`          Float32Array [V]
//
// It owns one KV cache (batch 1): prefill resets it and runs the whole prompt in one forward pass
// (lm_head on the last position only), each step feeds a single token. Nothing records a graph.
// Not here: sampling, stopping, batching several sequences (@llmts/sample builds on this).
// Reference: llama2.c `generate()`, which calls forward(token, pos) once per position.

import { intTensor } from "@llmts/tensor";
import type { KVCache } from "./kv-cache.ts";
import type { CausalLM } from "./model.ts";

export interface StepModel {
  readonly vocabSize: number;
  /** Longest sequence (prompt + generated) the model accepts. */
  readonly contextLength: number;
  /** Tokens fed since the last prefill (the position of the next token). */
  readonly position: number;
  /** Forgets the sequence and runs `ids` (at least one token); returns the next-token logits [V]. */
  prefill(ids: ArrayLike<number>): Float32Array;
  /** Feeds one token at `position`; returns the next-token logits [V]. */
  step(id: number): Float32Array;
}

export function stepModel(model: CausalLM, options: { maxLength?: number } = {}): StepModel {
  const cache: KVCache = model.newCache({
    batchSize: 1,
    maxLength: options.maxLength ?? model.contextLength,
  });
  const run = (ids: ArrayLike<number>): Float32Array => {
    const input = intTensor(Int32Array.from(ids), [1, ids.length]); // [1, T]
    const logits = model.forward(input, { cache, lastOnly: true }); // [1, 1, V]
    return logits.dataSync() as Float32Array;
  };
  return {
    vocabSize: model.vocabSize,
    contextLength: Math.min(cache.maxLength, model.contextLength),
    get position() {
      return cache.length;
    },
    prefill(ids) {
      cache.reset();
      return run(ids);
    },
    step(id) {
      return run([id]);
    },
  };
}
