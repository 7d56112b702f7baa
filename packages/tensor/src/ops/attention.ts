// Fused causal attention: softmax(mask(q kᵀ · scale)) v in one op, forward next to backward.
//
//   q [B, H, T, D], k and v [B, Hkv, S, D] (S >= T)  ->  [B, H, T, D]
//
// The T queries are the last T of S positions (S > T while decoding with a KV cache): query i
// sits at pos = S - T + i and sees key j iff j <= pos and, with a sliding window W, pos - j < W.
// Query head h reads key/value head floor(h / (H / Hkv)) (grouped-query attention; Hkv = H is
// plain multi-head attention), without copying k and v per query head.
// The backend kernel computes one row of scores at a time, so the [B, H, T, S] score and
// probability tensors of the unfused composition (matmul, maskedFill, softmax, matmul) are never
// allocated; backward rebuilds each row of probabilities from the saved log-sum-exp.
//   backward: see backend/reference-attention.ts for dq, dk, dv.
// The result is a [B, H, T, D] view of storage laid out [B, T, H, D], so merging the heads back
// (`y.transpose(1, 2).reshape(B, T, H * D)`) is free.
// Not here: dropout on the probabilities (it needs them materialised: use the unfused
// composition), non-causal or padding masks, the KV cache (the model appends to it first).
// Reference: PyTorch `scaled_dot_product_attention` (its is_causal aligns the mask top-left; here
// it is aligned bottom-right, as HF's cached attention); Dao et al. 2022 (FlashAttention).

import { needsGrad, record } from "../autograd.ts";
import { getBackend, type Strided } from "../backend/backend.ts";
import { ShapeError, shapeString } from "../errors.ts";
import { Tensor } from "../tensor.ts";
import { assertFloat, floatLike } from "./util.ts";

export interface CausalAttentionOptions {
  /** Multiplies q·k; default 1/sqrt(D). */
  scale?: number;
  /** Keys at distance >= window behind the query are masked (Mistral); null/undefined = none. */
  window?: number | null;
}

/** x as the backend reads it: innermost stride 1 (copied only if it is not). */
function operand(x: Tensor): { t: Tensor; view: Strided } {
  const t = x.strides[3] === 1 || x.shape[3]! <= 1 ? x : x.contiguous();
  const strides = t.shape[3]! <= 1 ? [t.strides[0]!, t.strides[1]!, t.strides[2]!, 1] : t.strides;
  return { t, view: { data: t.storage, offset: t.offset, strides } };
}

function check(q: Tensor, k: Tensor, v: Tensor, window: number): void {
  const shapes = `q ${shapeString(q.shape)}, k ${shapeString(k.shape)}, v ${shapeString(v.shape)}`;
  if (q.ndim !== 4 || k.ndim !== 4 || v.ndim !== 4) {
    throw new ShapeError(`causalAttention: needs q [B, H, T, D], k and v [B, Hkv, S, D], got ${shapes}`);
  }
  const [B, H, T, D] = q.shape as [number, number, number, number];
  const [Bk, Hkv, S, Dk] = k.shape as [number, number, number, number];
  if (v.shape.join() !== k.shape.join() || Bk !== B || Dk !== D) {
    throw new ShapeError(`causalAttention: batch and head size must match and k, v agree: ${shapes}`);
  }
  if (Hkv === 0 || H % Hkv !== 0) {
    throw new ShapeError(
      `causalAttention: ${H} query heads do not split into groups of ${Hkv} kv heads: ${shapes}`,
    );
  }
  if (S < T) throw new ShapeError(`causalAttention: fewer keys (${S}) than queries (${T}): ${shapes}`);
  if (!(window >= 1)) throw new RangeError(`causalAttention: window must be >= 1 or null, got ${window}`);
  for (const x of [q, k, v]) assertFloat(x, "causalAttention");
  if (k.dtype !== q.dtype || v.dtype !== q.dtype) {
    throw new TypeError(`causalAttention: dtypes differ: q ${q.dtype}, k ${k.dtype}, v ${v.dtype}`);
  }
}

export function causalAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  options: CausalAttentionOptions = {},
): Tensor {
  const window = options.window ?? Number.POSITIVE_INFINITY;
  check(q, k, v, window);
  const [B, H, T, D] = q.shape as [number, number, number, number];
  const [, Hkv, S] = k.shape as [number, number, number, number];
  const scale = options.scale ?? 1 / Math.sqrt(D);
  const qo = operand(q);
  const ko = operand(k);
  const vo = operand(v);
  const inputs = { B, H, Hkv, T, S, D, q: qo.view, k: ko.view, v: vo.view, scale, window };
  const out = floatLike(q, B * T * H * D);
  const outStrides = [T * H * D, D, H * D, 1]; // [B, H, T, D] over [B, T, H, D] storage
  const training = needsGrad(q, k, v);
  const lse = training ? floatLike(q, B * H * T) : null;
  getBackend().attention({ ...inputs, out: { data: out, offset: 0, strides: outStrides }, lse });
  const y = new Tensor(out, [B, H, T, D], outStrides, 0);
  if (training) {
    record(y, "causalAttention", [q, k, v], (g) => {
      const gd = operand(g);
      // Gradients laid out [B, T, heads, D] like the projections' outputs the models split into
      // heads, so the transposes back to [B, T, heads·D] in their backward are free.
      const qStrides = [T * H * D, D, H * D, 1];
      const kvStrides = [S * Hkv * D, D, Hkv * D, 1];
      const grad = (n: number, strides: number[]) => ({ data: floatLike(q, n), offset: 0, strides });
      const [dq, dk, dv] = [
        grad(B * H * T * D, qStrides),
        grad(B * Hkv * S * D, kvStrides),
        grad(B * Hkv * S * D, kvStrides),
      ];
      getBackend().attentionGrad({ ...inputs, lse: lse!, dOut: gd.view, dq, dk, dv });
      return [
        q.requiresGrad ? new Tensor(dq.data, q.shape, qStrides, 0) : null,
        k.requiresGrad ? new Tensor(dk.data, k.shape, kvStrides, 0) : null,
        v.requiresGrad ? new Tensor(dv.data, v.shape, kvStrides, 0) : null,
      ];
    });
  }
  return y;
}
