// Causal scaled dot-product attention (Vaswani et al. 2017), shared by every architecture:
//
//   att = softmax(q kᵀ · scale + mask) ;  y = att v        scale = 1/sqrt(headDim)
//
// mask is -inf where key j lies in query i's future (and, with a sliding window, where j is
// `window` or more positions in its past), so each position only sees what came before it.
// Grouped-query attention (Ainslie et al. 2023, GQA): nHead query heads share nKvHead key/value
// heads, G = nHead / nKvHead query heads per K/V head; query head h reads K/V head floor(h / G),
// as HF's repeat_kv, without copying K and V G times.
// With a KV cache the T new keys/values are appended and attention runs over all S positions
// (per row when the rows of a batch sit at different lengths: kv-cache.ts).
//
// Two paths with the same semantics (the tests check that they agree):
// - fused (inference, and training without attention dropout): @llmts/tensor's causalAttention
//   computes scores, mask, softmax and the weighted sum a block of rows at a time (one row per
//   head when decoding), so the [B, nHead, T, S] scores are never allocated; its backward
//   rebuilds them the same way.
// - unfused (training with attention dropout > 0, an acceptable fallback): separate ops that
//   materialise the probabilities, because dropout needs them. q is viewed as
//   [B, nKvHead, G, T, D] and K, V as [B, nKvHead, 1, S, D], so matmul broadcasts the size-1 dim.
// Not here: the q/k/v projections and RoPE (in the model files).
// Reference: HF `eager_attention_forward` (modeling_llama.py); nanoGPT `CausalSelfAttention`.

import {
  causalAttention,
  concat,
  dropout,
  maskedFill,
  matmul,
  type Rng,
  softmax,
  Tensor,
} from "@llmts/tensor";
import type { KVCache } from "./kv-cache.ts";
import { requireRng } from "./pass.ts";

export interface AttentionOptions {
  /** Multiplies the scores; 1/sqrt(headDim) in every model here (GPT-2 can turn it off). */
  scale: number;
  /** Keys at distance >= slidingWindow behind the query are masked (Mistral); null = none. */
  slidingWindow: number | null;
  /** Dropout on the attention probabilities, only when training. */
  dropout: number;
  training: boolean;
  rng: Rng | undefined;
  /** Appends k, v to layer `layer` of this cache (row b in slot slots[b]) and attends over all stored. */
  cache?: { kv: KVCache; layer: number; slots: readonly number[] } | undefined;
}

/**
 * q: [B, nHead, T, D], k and v: [B, nKvHead, T, D] -> [B, T, nHead * D]
 * (heads merged back side by side, ready for the output projection).
 */
export function causalSelfAttention(q: Tensor, k: Tensor, v: Tensor, o: AttentionOptions): Tensor {
  const [B, nHead, T, D] = q.shape as [number, number, number, number];
  const attend = (q: Tensor, k: Tensor, v: Tensor) =>
    o.training && o.dropout > 0
      ? unfusedAttention(q, k, v, o.scale, o.slidingWindow, o.dropout, o.rng)
      : causalAttention(q, k, v, { scale: o.scale, window: o.slidingWindow }); // [B, nHead, T, D]
  let y: Tensor;
  if (!o.cache) y = attend(q, k, v);
  else {
    const stored = o.cache.kv.update(o.cache.layer, k, v, o.cache.slots); // k, v: [B, nKvHead, S, D]
    // Rows at different lengths (batched decoding) attend one at a time, each over its own S.
    y =
      stored.length === 1
        ? attend(q, stored[0]!.k, stored[0]!.v)
        : concat(
            stored.map((row, b) => attend(q.narrow(0, b, 1), row.k, row.v)),
            0,
          );
  }
  return y.transpose(1, 2).reshape(B, T, nHead * D); // [B, T, nHead * D] (a view: no copy)
}

/**
 * The same attention as separate ops: q [B, nHead, T, D], k, v [B, nKvHead, S, D] -> [B, nHead, T, D],
 * with dropout on the probabilities (0: none; > 0 needs rng).
 */
export function unfusedAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  scale: number,
  slidingWindow: number | null,
  dropoutP: number,
  rng: Rng | undefined,
): Tensor {
  const [B, nHead, T, D] = q.shape as [number, number, number, number];
  const nKvHead = k.shape[1]!;
  const G = nHead / nKvHead;
  const S = k.shape[2]!;
  const qg = q.mul(scale).reshape(B, nKvHead, G, T, D); // [B, nKvHead, G, T, D]
  const kT = k.unsqueeze(2).transpose(-1, -2); // [B, nKvHead, 1, D, S]
  let scores = matmul(qg, kT); // [B, nKvHead, G, T, S]
  const mask = attentionMask(T, S, slidingWindow);
  if (mask) scores = maskedFill(scores, mask, Number.NEGATIVE_INFINITY);
  let att = softmax(scores); // each row sums to 1 over the visible keys
  if (dropoutP > 0) att = dropout(att, dropoutP, requireRng(rng), true);
  return matmul(att, v.unsqueeze(2)).reshape(B, nHead, T, D); // [B, nKvHead, G, T, D] -> [B, nHead, T, D]
}

/**
 * int32 [T, S], 1 where query i (at position S - T + i) must not see key j: j in its future, or
 * j <= pos - window with a sliding window. null when nothing is masked (one new token, no window).
 */
export function attentionMask(T: number, S: number, window: number | null): Tensor | null {
  const noWindow = window === null || window >= S;
  if (T === 1 && noWindow) return null;
  const m = new Int32Array(T * S);
  for (let i = 0; i < T; i++) {
    const pos = S - T + i;
    for (let j = 0; j < S; j++) {
      const future = j > pos;
      const tooOld = !noWindow && pos - j >= window;
      if (future || tooOld) m[i * S + j] = 1;
    }
  }
  return new Tensor(m, [T, S]);
}
