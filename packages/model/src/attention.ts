// Causal scaled dot-product attention (Vaswani et al. 2017), shared by every architecture:
//
//   att = softmax(q kᵀ · scale + mask) ;  y = att v        scale = 1/sqrt(headDim)
//
// mask is -inf where key j lies in query i's future (and, with a sliding window, where j is
// `window` or more positions in its past), so each position only sees what came before it.
// Grouped-query attention (Ainslie et al. 2023, GQA): nHead query heads share nKvHead key/value
// heads, G = nHead / nKvHead query heads per K/V head. Instead of copying K and V G times (HF's
// repeat_kv), q is viewed as [B, nKvHead, G, T, D] and K, V as [B, nKvHead, 1, S, D]: matmul
// broadcasts the size-1 dim, which is the same arithmetic without the copy.
// With a KV cache the T new keys/values are appended and attention runs over all S positions.
// Not here: the q/k/v projections and RoPE (in the model files), flash-attention style fusion.
// Reference: HF `eager_attention_forward` (modeling_llama.py); nanoGPT `CausalSelfAttention`.

import { dropout, maskedFill, matmul, type Rng, softmax, Tensor } from "@llmts/tensor";
import type { KVCache } from "./kv-cache.ts";

export interface AttentionOptions {
  /** Appends k, v to this cache (layer `layer`) and attends over everything stored. */
  cache?: KVCache | undefined;
  layer: number;
  /** Multiplies the scores; 1/sqrt(headDim) in every model here (GPT-2 can turn it off). */
  scale: number;
  /** Keys at distance >= slidingWindow behind the query are masked (Mistral); null = none. */
  slidingWindow: number | null;
  /** Dropout on the attention probabilities, only when training. */
  dropout: number;
  training: boolean;
  rng: Rng | undefined;
}

/**
 * q: [B, nHead, T, D], k and v: [B, nKvHead, T, D] -> [B, T, nHead * D]
 * (heads merged back side by side, ready for the output projection).
 */
export function causalSelfAttention(q: Tensor, k: Tensor, v: Tensor, o: AttentionOptions): Tensor {
  const [B, nHead, T, D] = q.shape as [number, number, number, number];
  const nKvHead = k.shape[1]!;
  const G = nHead / nKvHead;
  const past = o.cache?.length ?? 0; // positions before this call
  if (o.cache) ({ k, v } = o.cache.update(o.layer, k, v)); // k, v: [B, nKvHead, S, D]
  const S = past + T;

  const qg = q.mul(o.scale).reshape(B, nKvHead, G, T, D); // [B, nKvHead, G, T, D]
  const kT = k.unsqueeze(2).transpose(-1, -2); // [B, nKvHead, 1, D, S]
  let scores = matmul(qg, kT); // [B, nKvHead, G, T, S]
  const mask = attentionMask(T, S, o.slidingWindow);
  if (mask) scores = maskedFill(scores, mask, Number.NEGATIVE_INFINITY);
  let att = softmax(scores); // each row sums to 1 over the visible keys
  if (o.training && o.dropout > 0) att = dropout(att, o.dropout, requireRng(o.rng), true);
  const y = matmul(att, v.unsqueeze(2)); // [B, nKvHead, G, T, D]
  return y
    .reshape(B, nHead, T, D)
    .transpose(1, 2)
    .reshape(B, T, nHead * D); // [B, T, nHead * D]
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
      const tooOld = !noWindow && pos - j >= window!;
      if (future || tooOld) m[i * S + j] = 1;
    }
  }
  return new Tensor(m, [T, S]);
}

export function requireRng(rng: Rng | undefined): Rng {
  if (rng === undefined) throw new Error("forward: training with dropout needs options.rng");
  return rng;
}
