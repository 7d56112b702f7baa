// Attention one query row at a time in plain TypeScript (float32; float64 takes the reference
// kernel): the js backend's forward for decoding (T = 1), where it measured faster than the
// block kernel's two matrix-vector products (README, Kernels).
//
//   per query row i of head h:            (one row of scores in scratch, never [T, S])
//     scores_t = scale · q_i · k_(j0+t) over the visible keys j0 .. pos   4-way unrolled dots
//     p_t = exp(scores_t - max);  z = Σ p_t                                one exp per key
//     out_i = (Σ_t p_t v_(j0+t)) / z                                       4 keys per pass over D
// Only the visible keys are touched: a causal row stops at pos, a sliding window starts at
// pos - window + 1, so masked entries cost nothing (the unfused ops fill and exponentiate them).
// Not here: T > 1 and backward (block-attention.ts, on the matmul kernels), threads, SIMD.
// Reference: reference-attention.ts (the definition); llama2.c `forward` (its attention loop is
// this kernel for one position).

import {
  type AttentionInputs,
  type AttentionParams,
  attentionReference,
  firstVisibleKey,
} from "@llmts/tensor";

let row = new Float64Array(1024); // one row of scores, then of probabilities
let acc = new Float64Array(128); // one output row over D

function isFloat32(p: AttentionInputs): boolean {
  return (
    p.q.data instanceof Float32Array && p.k.data instanceof Float32Array && p.v.data instanceof Float32Array
  );
}

function reserve(S: number, D: number): void {
  if (row.length < S) row = new Float64Array(S);
  if (acc.length < D) acc = new Float64Array(D);
}

/** Σ_d x[xo + d] · y[yo + d] with four partial sums (breaks the add chain). */
function dot(x: Float32Array, xo: number, y: Float32Array, yo: number, D: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d + 3 < D; d += 4) {
    s0 += x[xo + d]! * y[yo + d]!;
    s1 += x[xo + d + 1]! * y[yo + d + 1]!;
    s2 += x[xo + d + 2]! * y[yo + d + 2]!;
    s3 += x[xo + d + 3]! * y[yo + d + 3]!;
  }
  for (; d < D; d++) s0 += x[xo + d]! * y[yo + d]!;
  return s0 + s1 + s2 + s3;
}

/**
 * row[t] = scale · q_i · k_(j0 + t) for t < n, where q_i starts at qo and key j at kBase + j·ks.
 * Returns the row's max.
 */
function scores(
  q: Float32Array,
  qo: number,
  k: Float32Array,
  kBase: number,
  ks: number,
  j0: number,
  n: number,
  D: number,
  scale: number,
): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < n; t++) {
    const s = dot(q, qo, k, kBase + (j0 + t) * ks, D) * scale;
    row[t] = s;
    if (s > m) m = s;
  }
  return m;
}

/** First key query `pos` sees: 0 without a window, else pos - window + 1. */
export function attentionRows(p: AttentionParams): void {
  if (!isFloat32(p) || !(p.out.data instanceof Float32Array)) {
    attentionReference(p);
    return;
  }
  const { B, H, Hkv, T, S, D, scale, window } = p;
  reserve(S, D);
  const nRep = H / Hkv;
  const q = p.q.data as Float32Array;
  const k = p.k.data as Float32Array;
  const v = p.v.data as Float32Array;
  const out = p.out.data;
  const [qs0, qs1, qs2] = p.q.strides as [number, number, number];
  const [ks0, ks1, ks2] = p.k.strides as [number, number, number];
  const [vs0, vs1, vs2] = p.v.strides as [number, number, number];
  const [os0, os1, os2] = p.out.strides as [number, number, number];
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const kvh = Math.floor(h / nRep);
      const kBase = p.k.offset + b * ks0 + kvh * ks1;
      const vBase = p.v.offset + b * vs0 + kvh * vs1;
      for (let i = 0; i < T; i++) {
        const pos = S - T + i;
        const j0 = firstVisibleKey(pos, window);
        const n = pos + 1 - j0; // visible keys: j0 .. pos
        const m = scores(q, p.q.offset + b * qs0 + h * qs1 + i * qs2, k, kBase, ks2, j0, n, D, scale);
        // p_t = exp(score_t - max): the max keeps exp from overflowing.
        let z = 0;
        for (let t = 0; t < n; t++) {
          const e = Math.exp(row[t]! - m);
          row[t] = e;
          z += e;
        }
        // acc = Σ_t p_t v_t, four keys per pass so acc is loaded and stored a quarter as often
        acc.fill(0, 0, D);
        let t = 0;
        for (; t + 3 < n; t += 4) {
          const w0 = row[t]!;
          const w1 = row[t + 1]!;
          const w2 = row[t + 2]!;
          const w3 = row[t + 3]!;
          const v0 = vBase + (j0 + t) * vs2;
          const v1 = v0 + vs2;
          const v2 = v1 + vs2;
          const v3 = v2 + vs2;
          for (let d = 0; d < D; d++)
            acc[d]! += w0 * v[v0 + d]! + w1 * v[v1 + d]! + w2 * v[v2 + d]! + w3 * v[v3 + d]!;
        }
        for (; t < n; t++) {
          const w = row[t]!;
          const vo = vBase + (j0 + t) * vs2;
          for (let d = 0; d < D; d++) acc[d]! += w * v[vo + d]!;
        }
        const inv = 1 / z;
        const oo = p.out.offset + b * os0 + h * os1 + i * os2;
        for (let d = 0; d < D; d++) out[oo + d] = acc[d]! * inv;
        if (p.lse) p.lse[(b * H + h) * T + i] = m + Math.log(z);
      }
    }
  }
}
