// One forward pass as the blocks see it: the batch shape, the position of each row's tokens, the
// KV cache slot each row reads and writes, and whether dropout is on. The shared decoder
// (decoder.ts) builds it once per forward() from the ids and the options; the architectures only
// read it.
//
//   ids [B, T], row b in cache slot slots[b] holding start[b] tokens
//     -> row b's tokens sit at positions start[b] .. start[b] + T - 1
//
// Without a cache every row starts at 0. With one, rows usually share one start (a single
// sequence, or a batch fed in lock step); rows of a server's batch may each be somewhere else.
// Not here: the checks on ids (model.ts), the cache itself (kv-cache.ts).

import { dropout, intTensor, type Rng, type Tensor } from "@llmts/tensor";
import type { AttentionOptions } from "./attention.ts";
import type { KVCache } from "./kv-cache.ts";
import { checkContext, type ForwardOptions } from "./model.ts";

export class Pass {
  readonly B: number;
  readonly T: number;
  readonly cache: KVCache | undefined;
  /** The cache slot of each row: [B] (rows 0..B-1 without a cache). */
  readonly slots: readonly number[];
  /** Position of each row's first token, its slot's length: [B]. */
  readonly start: readonly number[];
  readonly training: boolean;
  private readonly rng: Rng | undefined;
  private readonly ids: Tensor;

  /** ids: int32 [B, T], already checked (checkIds); refuses tokens past the context window. */
  constructor(ids: Tensor, o: ForwardOptions, contextLength: number) {
    if (o.slots !== undefined && o.cache === undefined) {
      throw new Error("forward: options.slots name KV-cache slots, so they need options.cache");
    }
    [this.B, this.T] = ids.shape as [number, number];
    this.cache = o.cache;
    this.slots = o.cache ? o.cache.slotsFor(this.B, o.slots) : Array.from({ length: this.B }, (_, b) => b);
    this.start = this.slots.map((s) => o.cache?.length(s) ?? 0);
    checkContext(this.T, Math.max(...this.start), contextLength);
    this.training = o.training ?? false;
    this.rng = o.rng;
    this.ids = ids;
  }

  /** The position of every token: int32 [T] when all rows share one start (broadcast), else [B, T]. */
  positionIds(): Tensor {
    const { B, T, start } = this;
    if (start.every((s) => s === start[0])) {
      return intTensor(
        Int32Array.from({ length: T }, (_, t) => start[0]! + t),
        [T],
      ); // [T]
    }
    return intTensor(
      Int32Array.from({ length: B * T }, (_, i) => start[Math.floor(i / T)]! + (i % T)),
      [B, T],
    );
  }

  /** Dropout with probability p while training; the identity otherwise. */
  dropout(x: Tensor, p: number): Tensor {
    return this.training && p > 0 ? dropout(x, p, requireRng(this.rng), true) : x;
  }

  /** causalSelfAttention's options for layer `layer` of this pass. */
  attention(
    layer: number,
    a: { scale: number; slidingWindow: number | null; dropout: number },
  ): AttentionOptions {
    const cache = this.cache ? { kv: this.cache, layer, slots: this.slots } : undefined;
    return { ...a, training: this.training, rng: this.rng, cache };
  }

  /** Marks this pass's T tokens as stored in every row's cache slot (after the last layer). */
  advanceCache(): void {
    this.cache?.advance(this.ids.dataSync(), this.slots);
  }
}

export function requireRng(rng: Rng | undefined): Rng {
  if (rng === undefined) throw new Error("forward: training with dropout needs options.rng");
  return rng;
}
