// The reference kernels of fused causal attention, forward and backward: the plainest loops that
// follow the definition, in float64, with any strides. The test oracle of the fast kernels
// in @llmts/kernels (js/attention-decode.ts, js/block-attention.ts, wasm/attention.ts), which
// share its firstVisibleKey.
//
//   score_ij = scale · q_i · k_j               for the keys j query i may see (mask below)
//   p_ij     = exp(score_ij - lse_i),  lse_i = log Σ_j exp(score_ij)      (softmax over j)
//   out_i    = Σ_j p_ij v_j
// Query i sits at position pos = S - T + i (the T queries are the last T of S positions, as
// with a KV cache) and sees key j iff j <= pos and pos - j < window. Query head h reads
// key/value head floor(h / (H / Hkv)).
//
// Backward, from dOut (each p_ij rebuilt from lse_i rather than stored):
//   dp_ij = dOut_i · v_j          D_i = Σ_j p_ij dp_ij          ds_ij = p_ij (dp_ij - D_i)
//   dq_i  = scale Σ_j ds_ij k_j   dk_j = scale Σ_i ds_ij q_i    dv_j = Σ_i p_ij dOut_i
// (ds is the softmax Jacobian applied to dp; dk and dv sum over every query head of a group.)
// Not here: dropout on p (ops/attention.ts leaves that to the unfused composition), speed.
// Reference: Dao et al. 2022, "FlashAttention", Algorithm 2 (backward); PyTorch
// `scaled_dot_product_attention` for the forward.

import type { AttentionGradParams, AttentionInputs, AttentionParams, Strided } from "./backend.ts";

/** Element (b, h, i, d) of a 4-D strided operand. */
function at(x: Strided, b: number, h: number, i: number, d: number): number {
  const s = x.strides;
  return x.data[x.offset + b * s[0]! + h * s[1]! + i * s[2]! + d * s[3]!]!;
}

function visible(pos: number, j: number, window: number): boolean {
  return j <= pos && pos - j < window;
}

/** The first key the query at `pos` sees: visible(pos, j) holds exactly for j in firstVisibleKey .. pos. */
export function firstVisibleKey(pos: number, window: number): number {
  return pos < window ? 0 : pos - window + 1;
}

/** score_ij for every key (-Infinity where masked) into `row`; returns lse_i. */
function scoreRow(p: AttentionInputs, b: number, h: number, i: number, row: Float64Array): number {
  const kvh = Math.floor(h / (p.H / p.Hkv));
  const pos = p.S - p.T + i;
  let m = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < p.S; j++) {
    if (!visible(pos, j, p.window)) {
      row[j] = Number.NEGATIVE_INFINITY;
      continue;
    }
    let s = 0;
    for (let d = 0; d < p.D; d++) s += at(p.q, b, h, i, d) * at(p.k, b, kvh, j, d);
    row[j] = s * p.scale;
    m = Math.max(m, row[j]!);
  }
  let z = 0;
  for (let j = 0; j < p.S; j++) z += Math.exp(row[j]! - m); // exp(-inf) = 0 for masked keys
  return m + Math.log(z);
}

export function attentionReference(p: AttentionParams): void {
  const { B, H, T, S, D, v, out } = p;
  const row = new Float64Array(S);
  const os = out.strides;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const kvh = Math.floor(h / (H / p.Hkv));
      for (let i = 0; i < T; i++) {
        const lse = scoreRow(p, b, h, i, row);
        if (p.lse) p.lse[(b * H + h) * T + i] = lse;
        for (let d = 0; d < D; d++) {
          let acc = 0;
          for (let j = 0; j < S; j++) acc += Math.exp(row[j]! - lse) * at(v, b, kvh, j, d);
          out.data[out.offset + b * os[0]! + h * os[1]! + i * os[2]! + d * os[3]!] = acc;
        }
      }
    }
  }
}

export function attentionGradReference(p: AttentionGradParams): void {
  const { B, H, Hkv, T, S, D, q, k, v, dOut, scale } = p;
  const row = new Float64Array(S);
  const ds = new Float64Array(S);
  const dq = new Float64Array(B * H * T * D);
  const dk = new Float64Array(B * Hkv * S * D);
  const dv = new Float64Array(B * Hkv * S * D);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const kvh = Math.floor(h / (H / Hkv));
      const kvBase = (b * Hkv + kvh) * S * D;
      for (let i = 0; i < T; i++) {
        scoreRow(p, b, h, i, row); // the scores again; p_ij = exp(score_ij - lse_i)
        const lse = p.lse[(b * H + h) * T + i]!;
        let Di = 0;
        for (let j = 0; j < S; j++) {
          const pij = Math.exp(row[j]! - lse);
          let dp = 0;
          for (let d = 0; d < D; d++) dp += at(dOut, b, h, i, d) * at(v, b, kvh, j, d);
          ds[j] = pij * dp; // p·dp for now; minus p·D_i once D_i is known
          Di += pij * dp;
          for (let d = 0; d < D; d++) dv[kvBase + j * D + d]! += pij * at(dOut, b, h, i, d);
        }
        const qBase = ((b * H + h) * T + i) * D;
        for (let j = 0; j < S; j++) {
          const dsij = ds[j]! - Math.exp(row[j]! - lse) * Di;
          for (let d = 0; d < D; d++) {
            dq[qBase + d]! += scale * dsij * at(k, b, kvh, j, d);
            dk[kvBase + j * D + d]! += scale * dsij * at(q, b, h, i, d);
          }
        }
      }
    }
  }
  scatter(dq, p.dq, B, H, T, D);
  scatter(dk, p.dk, B, Hkv, S, D);
  scatter(dv, p.dv, B, Hkv, S, D);
}

/** Writes a contiguous [n0, n1, n2, D] array into a strided 4-D operand. */
function scatter(src: Float64Array, dst: Strided, n0: number, n1: number, n2: number, D: number): void {
  const s = dst.strides;
  let e = 0;
  for (let a = 0; a < n0; a++)
    for (let b = 0; b < n1; b++)
      for (let c = 0; c < n2; c++)
        for (let d = 0; d < D; d++)
          dst.data[dst.offset + a * s[0]! + b * s[1]! + c * s[2]! + d * s[3]!] = src[e++]!;
}
