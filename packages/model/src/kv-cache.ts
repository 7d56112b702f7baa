// The key/value cache of autoregressive decoding. Attention at position t needs the keys and
// values of every position <= t; they do not change once computed, so each layer keeps them and a
// new token costs one row of K and V per layer instead of recomputing the whole prefix.
//
//   per layer:  keys, values: Float32Array [B, nKvHead, capacity, headDim]
//   length:     positions already stored (the next token's position)
//
// New rows are copied in place into preallocated buffers; attention reads [B, nKvHead, S, headDim]
// views of them (S = length + T), no copy. Capacity starts at what was asked for (capped so a
// 128k-context model does not allocate gigabytes up front) and doubles when a longer sequence needs
// it, up to maxLength.
// Not here: paged or rolling (sliding-window) buffers, eviction, sharing a prefix between batches.
// Reference: llama2.c `key_cache` / `value_cache` (layer, seq_len, kv_dim); HF `DynamicCache`.

import { ShapeError, Tensor } from "@llmts/tensor";

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
  private keys: Float32Array[];
  private values: Float32Array[];

  constructor(shape: KVCacheShape) {
    this.nLayer = shape.nLayer;
    this.batchSize = shape.batchSize;
    this.nKvHead = shape.nKvHead;
    this.headDim = shape.headDim;
    this.maxLength = shape.maxLength;
    this.capacity = Math.min(shape.maxLength, INITIAL_CAPACITY_CAP);
    this.keys = Array.from({ length: this.nLayer }, () => new Float32Array(this.rowsFor(this.capacity)));
    this.values = Array.from({ length: this.nLayer }, () => new Float32Array(this.rowsFor(this.capacity)));
  }

  private rowsFor(capacity: number): number {
    return this.batchSize * this.nKvHead * capacity * this.headDim;
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
    writeRows(k, this.keys[layer]!, this.capacity, this.length);
    writeRows(v, this.values[layer]!, this.capacity, this.length);
    return { k: this.view(this.keys[layer]!, S), v: this.view(this.values[layer]!, S) };
  }

  /** Marks the T positions written by this forward pass (all layers) as stored. */
  advance(T: number): void {
    this.length += T;
  }

  /** [B, nKvHead, S, headDim] over a buffer laid out [B, nKvHead, capacity, headDim]. */
  private view(buffer: Float32Array, S: number): Tensor {
    const D = this.headDim;
    const C = this.capacity;
    return new Tensor(buffer, [this.batchSize, this.nKvHead, S, D], [this.nKvHead * C * D, C * D, D, 1], 0);
  }

  /** Doubles capacity (at least to `needed`, at most maxLength), copying the stored rows. */
  private grow(needed: number): void {
    const capacity = Math.min(this.maxLength, Math.max(needed, 2 * this.capacity));
    const rows = this.batchSize * this.nKvHead;
    const D = this.headDim;
    const move = (old: Float32Array) => {
      const fresh = new Float32Array(this.rowsFor(capacity));
      for (let r = 0; r < rows; r++) {
        fresh.set(
          old.subarray(r * this.capacity * D, (r * this.capacity + this.length) * D),
          r * capacity * D,
        );
      }
      return fresh;
    };
    this.keys = this.keys.map(move);
    this.values = this.values.map(move);
    this.capacity = capacity;
  }
}

/** Copies x [B, H, T, D] (any strides) into buf [B, H, capacity, D] at positions start .. start+T-1. */
function writeRows(x: Tensor, buf: Float32Array, capacity: number, start: number): void {
  const [B, H, T, D] = x.shape as [number, number, number, number];
  const [s0, s1, s2, s3] = x.strides as [number, number, number, number];
  const src = x.storage as Float32Array;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let t = 0; t < T; t++) {
        const from = x.offset + b * s0 + h * s1 + t * s2;
        const to = ((b * H + h) * capacity + start + t) * D;
        if (s3 === 1) buf.set(src.subarray(from, from + D), to);
        else for (let d = 0; d < D; d++) buf[to + d] = src[from + d * s3]!;
      }
    }
  }
}
