// The key/value cache of autoregressive decoding. Attention at position t needs the keys and
// values of every position <= t; they do not change once computed, so each layer keeps them and a
// new token costs one row of K and V per layer instead of recomputing the whole prefix.
//
//   per layer:  keys, values: Tensor [slots, nKvHead, capacity, headDim]
//   per slot:   length(slot) positions stored (the position of that sequence's next token),
//               and the token ids they came from (tokens(slot))
//
// A slot holds one sequence. Sequences decoded together sit in different slots and may be at
// different lengths: a forward pass names the slot of each of its rows (ForwardOptions.slots,
// default row b -> slot b), each row's tokens take the positions after its slot's length, and
// reset(slot) frees a slot for a new sequence while the others go on. That is the seam a server
// with continuous batching needs: one forward pass per step over every active sequence, each
// joining (a prefill into a free slot) and leaving (reset) between steps; truncate(slot, n) keeps a
// prefix that the next sequence in the slot shares (slot-model.ts is that seam as a function).
//
// New rows are written in place into preallocated buffers (copy_ into a narrowed view, the tensor
// package's one in-place write). update() hands attention [B, nKvHead, S, headDim] views of what is
// stored, no copy: one view for the whole batch when the rows are slots 0..B-1 at one length (the
// usual case: one sequence, or a batch fed in lock step), else one view per row, each with its own
// S. Capacity starts at what was asked for (capped so a 128k-context model does not allocate
// gigabytes up front) and doubles when a longer sequence needs it, up to maxLength.
// The token ids are kept because a cached K/V can go stale: Phi-3's LongRoPE rotates every key
// differently once the sequence grows past its pretraining context, and the model then reruns
// the slot's tokens from the start (decoder.ts). They cost 4 bytes a token.
// Sliding-window layers (Mistral, Gemma 3, Phi-3) keep the whole sequence too: the attention
// mask hides what is out of the window.
// Not here: paged or rolling (sliding-window) buffers, eviction, sharing a prefix between slots.
// Reference: llama2.c `key_cache` / `value_cache` (layer, seq_len, kv_dim); HF `DynamicCache`;
// vLLM / text-generation-inference for slots per sequence.

import { ShapeError, Tensor } from "@llmts/tensor";
import type { Allocate } from "./weights.ts";

export interface KVCacheShape {
  nLayer: number;
  /** Slots: sequences the cache holds side by side. */
  batchSize: number;
  nKvHead: number;
  headDim: number;
  /** Longest sequence a slot may hold (the model's context window unless smaller). */
  maxLength: number;
  /** Where the buffers live (default: Float32Arrays of their own). */
  allocate?: Allocate | undefined;
}

/** What attention reads for some rows: their keys and values so far. */
export interface StoredKV {
  k: Tensor; // [rows, nKvHead, S, headDim]
  v: Tensor; // [rows, nKvHead, S, headDim]
}

const INITIAL_CAPACITY_CAP = 1024;

export class KVCache {
  readonly nLayer: number;
  readonly batchSize: number;
  readonly nKvHead: number;
  readonly headDim: number;
  readonly maxLength: number;
  private readonly lengths: number[]; // [slots] positions stored per slot
  private readonly ids: number[][]; // [slots][length] the tokens those positions came from
  private capacity: number;
  private keys: Tensor[]; // per layer [slots, nKvHead, capacity, headDim]
  private values: Tensor[];
  private readonly allocate: Allocate;

  constructor(shape: KVCacheShape) {
    this.nLayer = shape.nLayer;
    this.batchSize = shape.batchSize;
    this.nKvHead = shape.nKvHead;
    this.headDim = shape.headDim;
    this.maxLength = shape.maxLength;
    this.lengths = new Array<number>(shape.batchSize).fill(0);
    this.ids = Array.from({ length: shape.batchSize }, () => []);
    this.allocate = shape.allocate ?? ((n) => new Float32Array(n));
    this.capacity = Math.min(shape.maxLength, INITIAL_CAPACITY_CAP);
    this.keys = Array.from({ length: this.nLayer }, () => this.buffer(this.capacity));
    this.values = Array.from({ length: this.nLayer }, () => this.buffer(this.capacity));
  }

  /** A zeroed [slots, nKvHead, capacity, headDim] buffer. */
  private buffer(capacity: number): Tensor {
    const shape = [this.batchSize, this.nKvHead, capacity, this.headDim];
    return Tensor.fromArray(this.allocate(shape.reduce((n, d) => n * d, 1)), shape);
  }

  /** Positions stored in `slot`: the position its next token takes. */
  length(slot = 0): number {
    return this.lengths[this.checkSlot(slot)]!;
  }

  /** The token ids stored in `slot`, in order: [length(slot)]. */
  tokens(slot = 0): readonly number[] {
    return this.ids[this.checkSlot(slot)]!;
  }

  /** Forgets `slot` (every slot when none is given): its next token is position 0 again. */
  reset(slot?: number): void {
    const slots = slot === undefined ? this.lengths.map((_, s) => s) : [this.checkSlot(slot)];
    for (const s of slots) {
      this.lengths[s] = 0;
      this.ids[s] = [];
    }
  }

  /**
   * Keeps the first `length` positions of `slot` and forgets the rest: a new sequence that shares
   * those tokens with the one stored (the next turn of a chat) is fed only from there on.
   */
  truncate(slot: number, length: number): void {
    const stored = this.lengths[this.checkSlot(slot)]!;
    if (!Number.isInteger(length) || length < 0 || length > stored) {
      throw new ShapeError(`kv-cache: cannot keep ${length} positions of slot ${slot}, it holds ${stored}`);
    }
    this.lengths[slot] = length;
  }

  /** The slot of each of B rows: `slots` checked (one per row, distinct), or rows 0..B-1 in order. */
  slotsFor(B: number, slots?: readonly number[]): number[] {
    if (slots === undefined) {
      if (B > this.batchSize) {
        throw new ShapeError(`kv-cache: batch of ${B} rows, the cache was made for ${this.batchSize}`);
      }
      return Array.from({ length: B }, (_, b) => b);
    }
    if (slots.length !== B) {
      throw new ShapeError(`kv-cache: ${slots.length} slots given for a batch of ${B} rows`);
    }
    for (const s of slots) this.checkSlot(s);
    if (new Set(slots).size !== B)
      throw new ShapeError(`kv-cache: slots [${slots.join(", ")}] repeat a slot`);
    return [...slots];
  }

  private checkSlot(slot: number): number {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.batchSize) {
      throw new ShapeError(`kv-cache: slot ${slot} does not exist (the cache has ${this.batchSize})`);
    }
    return slot;
  }

  /**
   * Stores layer `layer`'s keys and values for the T new positions of each row (row b in slot
   * slots[b], after that slot's length) and returns views of every position so far:
   *   k, v: [B, nKvHead, T, headDim] -> one StoredKV for the whole batch when the rows are slots
   *   0..B-1 at one length, else one per row ([1, nKvHead, length + T, headDim] each).
   * Call once per layer, then advance(ids, slots) once the whole forward pass is done.
   */
  update(layer: number, k: Tensor, v: Tensor, slots: readonly number[]): StoredKV[] {
    const T = k.shape[2]!;
    for (const s of slots) {
      const S = this.lengths[s]! + T;
      if (S > this.maxLength) {
        throw new ShapeError(`kv-cache: ${S} positions do not fit in a cache of ${this.maxLength}`);
      }
      if (S > this.capacity) this.grow(S);
    }
    const keys = this.keys[layer]!;
    const values = this.values[layer]!;
    slots.forEach((s, b) => {
      // positions length .. length+T-1 of slot s: [1, nKvHead, T, headDim] views
      keys
        .narrow(0, s, 1)
        .narrow(2, this.lengths[s]!, T)
        .copy_(k.narrow(0, b, 1));
      values
        .narrow(0, s, 1)
        .narrow(2, this.lengths[s]!, T)
        .copy_(v.narrow(0, b, 1));
    });
    const first = this.lengths[slots[0]!]!;
    const lockStep = slots.every((s, b) => s === b && this.lengths[s] === first);
    if (lockStep) {
      const [B, S] = [slots.length, first + T];
      return [{ k: keys.narrow(0, 0, B).narrow(2, 0, S), v: values.narrow(0, 0, B).narrow(2, 0, S) }];
    }
    return slots.map((s) => {
      const S = this.lengths[s]! + T;
      return { k: keys.narrow(0, s, 1).narrow(2, 0, S), v: values.narrow(0, s, 1).narrow(2, 0, S) };
    });
  }

  /**
   * Marks the T positions this forward pass wrote (all layers) as stored, in each row's slot.
   * ids: the pass's tokens, [B, T] flattened (row b went to slot slots[b]).
   */
  advance(ids: ArrayLike<number>, slots: readonly number[]): void {
    const T = ids.length / slots.length;
    slots.forEach((s, b) => {
      this.lengths[s] = this.lengths[s]! + T;
      for (let t = 0; t < T; t++) this.ids[s]!.push(ids[b * T + t]!);
    });
  }

  /** Doubles capacity (at least to `needed`, at most maxLength), copying the stored rows. */
  private grow(needed: number): void {
    const capacity = Math.min(this.maxLength, Math.max(needed, 2 * this.capacity));
    const stored = Math.max(...this.lengths);
    const move = (old: Tensor) => {
      const fresh = this.buffer(capacity);
      if (stored > 0) fresh.narrow(2, 0, stored).copy_(old.narrow(2, 0, stored));
      return fresh;
    };
    this.keys = this.keys.map(move);
    this.values = this.values.map(move);
    this.capacity = capacity;
  }
}
