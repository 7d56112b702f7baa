// A model holding several sequences side by side, one per KV-cache slot: the shape a server's
// continuous batching wants (stepModel in step.ts is the one-sequence case).
//
//   extend(slot, ids)   -> logits for the token after them       Float32Array [V]
//                          (the ids are appended to what the slot holds: a prompt, or a turn)
//   step(slots, ids)    -> one forward pass, one new token per row  Float32Array [B * V]
//                          row b: ids[b] appended to slot slots[b]; its logits at [b*V, (b+1)*V)
//   truncate(slot, n)   keep the first n positions (0 frees the slot for a new sequence)
//
// Rows of a step may sit at different lengths; each attends over its own slot (kv-cache.ts).
// The result is the SlotModel that @llmts/sample's ContinuousBatcher takes; that package declares
// the type and this object fits it structurally, as stepModel fits StepModel.
// Not here: which request gets which slot, sampling (@llmts/sample's batcher.ts).
// Reference: vLLM / text-generation-inference (one forward pass per step over every running
// sequence); llama.cpp's server slots.

import { intTensor } from "@llmts/tensor";
import type { CausalLM } from "./model.ts";
import type { Allocate } from "./weights.ts";

export function slotModel(
  model: CausalLM,
  options: { slots: number; maxLength?: number; allocate?: Allocate | undefined },
) {
  const cache = model.newCache({
    batchSize: options.slots,
    maxLength: options.maxLength ?? model.contextLength,
    allocate: options.allocate, // where the KV cache lives (see CacheOptions)
  });
  const V = model.vocabSize;
  return {
    vocabSize: V,
    /** Longest sequence (prompt + generated) one slot holds. */
    contextLength: Math.min(cache.maxLength, model.contextLength),
    /** Sequences held at once. */
    slots: options.slots,
    /** Positions stored in `slot`. */
    length: (slot: number): number => cache.length(slot),
    /** Keeps the first `length` positions of `slot`. */
    truncate: (slot: number, length: number): void => cache.truncate(slot, length),
    /** Appends `ids` (at least one) to `slot` in one forward pass; returns the next-token logits [V]. */
    extend(slot: number, ids: ArrayLike<number>): Float32Array {
      const input = intTensor(Int32Array.from(ids), [1, ids.length]); // [1, T]
      const logits = model.forward(input, { cache, slots: [slot], lastOnly: true }); // [1, 1, V]
      return logits.dataSync() as Float32Array;
    },
    /** One token per row, row b into slot slots[b], all in one forward pass; logits [B * V]. */
    step(slots: readonly number[], ids: readonly number[]): Float32Array {
      const input = intTensor(Int32Array.from(ids), [ids.length, 1]); // [B, 1]
      const logits = model.forward(input, { cache, slots }); // [B, 1, V]
      return logits.dataSync() as Float32Array;
    },
  };
}
