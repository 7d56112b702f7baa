// The key/value cache of autoregressive decoding. Attention at position t needs the keys and
// values of every position <= t; they do not change once computed, so each layer keeps them and a
// new token costs one row of K and V per layer instead of recomputing the whole prefix.
//
//   per layer:  keys, values: Tensor [B, nKvHead, capacity, headDim]
//   length:     positions already stored (the next token's position)
//
// New rows are written in place into preallocated buffers (copy_ into a narrowed view, the tensor
// package's one in-place write); attention reads [B, nKvHead, S, headDim] views of them
// (S = length + T), no copy. Capacity starts at what was asked for (capped so a
// 128k-context model does not allocate gigabytes up front) and doubles when a longer sequence needs
// it, up to maxLength.
// Not here: paged or rolling (sliding-window) buffers, eviction, sharing a prefix between batches.
// Reference: llama2.c `key_cache` / `value_cache` (layer, seq_len, kv_dim); HF `DynamicCache`.

import { ShapeError, type Tensor, zeros } from "@llmts/tensor";

export interface KVCacheShape {
  nLayer: number;
  batchSize: number;
  nKvHead: number;
  headDim: number;
  /** Longest sequence the cache may hold (the model's context window unless smaller). */
  maxLength: number;
}

const INITIAL_CAPACITY_CAP = 1024;

export class KVCache {
  readonly nLayer: number;
  readonly batchSize: number;
  readonly nKvHead: number;
  readonly headDim: number;
  readonly maxLength: number;
  /** Positions already stored: the position of the next token fed to the model. */
  length = 0;
  private capacity: number;
  private keys: Tensor[]; // per layer [B, nKvHead, capacity, headDim]
  private values: Tensor[];

  constructor(shape: KVCacheShape) {
    this.nLayer = shape.nLayer;
    this.batchSize = shape.batchSize;
    this.nKvHead = shape.nKvHead;
    this.headDim = shape.headDim;
    this.maxLength = shape.maxLength;
    this.capacity = Math.min(shape.maxLength, INITIAL_CAPACITY_CAP);
    this.keys = Array.from({ length: this.nLayer }, () => this.buffer(this.capacity));
    this.values = Array.from({ length: this.nLayer }, () => this.buffer(this.capacity));
  }

  /** A zeroed [B, nKvHead, capacity, headDim] buffer. */
  private buffer(capacity: number): Tensor {
    return zeros([this.batchSize, this.nKvHead, capacity, this.headDim]);
  }

  /** Forget everything: the next token is position 0 again. Buffers are kept. */
  reset(): void {
    this.length = 0;
  }

  /**
   * Stores layer `layer`'s keys and values for positions length .. length+T-1 and returns views of
   * every position so far.  k, v: [B, nKvHead, T, headDim] -> { k, v }: [B, nKvHead, length+T, headDim]
   * Call once per layer, then advance(T) once the whole forward pass is done.
   */
  update(layer: number, k: Tensor, v: Tensor): { k: Tensor; v: Tensor } {
    const T = k.shape[2]!;
    const S = this.length + T;
    if (S > this.maxLength) {
      throw new ShapeError(`kv-cache: ${S} positions do not fit in a cache of ${this.maxLength}`);
    }
    if (k.shape[0] !== this.batchSize) {
      throw new ShapeError(`kv-cache: batch of ${k.shape[0]} rows, the cache was made for ${this.batchSize}`);
    }
    if (S > this.capacity) this.grow(S);
    // positions length .. S-1 of every (batch row, kv head): [B, nKvHead, T, headDim] views
    this.keys[layer]!.narrow(2, this.length, T).copy_(k);
    this.values[layer]!.narrow(2, this.length, T).copy_(v);
    return { k: this.keys[layer]!.narrow(2, 0, S), v: this.values[layer]!.narrow(2, 0, S) };
  }

  /** Marks the T positions written by this forward pass (all layers) as stored. */
  advance(T: number): void {
    this.length += T;
  }

  /** Doubles capacity (at least to `needed`, at most maxLength), copying the stored rows. */
  private grow(needed: number): void {
    const capacity = Math.min(this.maxLength, Math.max(needed, 2 * this.capacity));
    const move = (old: Tensor) => {
      const fresh = this.buffer(capacity);
      if (this.length > 0) fresh.narrow(2, 0, this.length).copy_(old.narrow(2, 0, this.length));
      return fresh;
    };
    this.keys = this.keys.map(move);
    this.values = this.values.map(move);
    this.capacity = capacity;
  }
}
