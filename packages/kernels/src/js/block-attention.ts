// Fused causal attention built on a matmul kernel: per key/value head, a block of query rows at a
// time goes through two matrix products with a masked softmax between them, so scores exist only
// for that block ([rows, keys] in scratch), never as the [B, H, T, S] tensor of the unfused ops.
//
//   forward, one block of M query rows (one head's rows i0..i1, or when T = 1 the G query heads
//   of a group, which share their keys):
//     Sb [M, n] = Q [M, D] @ K[j0 .. j0+n]ᵀ          scores of the keys any row of the block sees
//     Pb = softmax of each row's visible part of Sb · scale (0 where masked); lse saved per row
//     O  [M, D] = Pb @ V[j0 .. j0+n]
//   backward, per block (Pb rebuilt from lse, FlashAttention's recomputation):
//     dPb = dO @ Vᵀ;   dSb = Pb ⊙ (dPb − rowsum(Pb ⊙ dPb)) · scale
//     dQ = dSb @ K;   dK += dSbᵀ @ Q;   dV += Pbᵀ @ dO        (dK, dV summed over the group)
// Q, K, V, dO go to the matmul by strides (Kᵀ, Pbᵀ and the rest are read in place), never gathered
// into contiguous copies here. The matmul and the exponential come from the backend
// (makeBlockAttention(matmul, exp): auto's matmul rule and wasm SIMD exp in auto / wasm, the JS
// kernel and Math.exp in js), so the products run at gemm speed and a block's exponentials take
// one call. A block holds at most ROWS query rows, so prefill over a long prompt stays in cache.
// Not here: float64 (reference-attention.ts), dropout on p, the single-row decode kernel
// (wasm/attention.ts is faster for T = 1 with the wasm kernels).
// Reference: reference-attention.ts (the definitions); Dao et al. 2022 (FlashAttention, blocking
// and recomputation); llm.c `attention_forward` (scores, softmax, weighted sum per head).

import {
  type AttentionGradParams,
  type AttentionInputs,
  type AttentionParams,
  attentionGradReference,
  attentionReference,
  firstVisibleKey,
  type MatmulParams,
  type Strided,
  type TypedArray,
} from "@llmts/tensor";

/** Query rows per block: a [64, S] block of scores is 64·S floats (256 KiB at S = 1024). */
const ROWS = 64;

let sBlock = new Float32Array(ROWS * 64); // scores, then probabilities [M, n]
let dBlock = new Float32Array(ROWS * 64); // dP, then dS [M, n]
let rowsOut = new Float32Array(ROWS * 64); // O [M, D], or dK / dV of one block [n, D]
let kvAcc = new Float64Array(0); // dK then dV of one kv head [2, S, D], summed in float64
let rowMax = new Float64Array(ROWS); // each block row's max score

/**
 * M query rows that share a stride in every [B, H, T, *] operand: rows i0 .. i0+M-1 of head h,
 * or (T = 1) the G heads h .. h+G-1 of a group at the one position.
 */
interface Block {
  b: number;
  kvh: number;
  h: number; // the head, or the group's first head
  i0: number;
  group: boolean; // rows are heads (T = 1) rather than positions
  M: number;
  row: number; // (b·H + h)·T + i0: row 0's index in lse (later rows follow)
  pos: number; // position of row 0 (every row, for a group)
  j0: number; // first key any row sees
  n: number; // keys j0 .. j0+n-1
}

/** First key query `pos` sees (0 without a window). */
/** Calls visit(block) for every block: per batch row and kv head, the rows of its query heads. */
function forEachBlock(p: AttentionInputs, visit: (blk: Block) => void): void {
  const { B, H, Hkv, T, S, window } = p;
  const G = H / Hkv;
  for (let b = 0; b < B; b++) {
    for (let kvh = 0; kvh < Hkv; kvh++) {
      if (T === 1) {
        // One new token: the G query heads of the group become G rows against the same keys.
        const h = kvh * G;
        const j0 = firstVisibleKey(S - 1, window);
        visit({ b, kvh, h, i0: 0, group: true, M: G, row: b * H + h, pos: S - 1, j0, n: S - j0 });
        continue;
      }
      for (let h = kvh * G; h < (kvh + 1) * G; h++) {
        for (let i0 = 0; i0 < T; i0 += ROWS) {
          const M = Math.min(ROWS, T - i0);
          const pos = S - T + i0;
          const j0 = firstVisibleKey(pos, window);
          visit({ b, kvh, h, i0, group: false, M, row: (b * H + h) * T + i0, pos, j0, n: pos + M - j0 });
        }
      }
    }
  }
}

/** Offset of a block's row 0 in a [B, H, T, D] operand, and the stride between its rows. */
function rowsIn(blk: Block, x: Strided): { off: number; stride: number } {
  const [s0, s1, s2] = x.strides as [number, number, number];
  return { off: x.offset + blk.b * s0 + blk.h * s1 + blk.i0 * s2, stride: blk.group ? s1 : s2 };
}

/** Offset of kv head blk.kvh's key 0 in k or v ([B, Hkv, S, D]). */
const kvOffset = (blk: Block, x: Strided): number =>
  x.offset + blk.b * x.strides[0]! + blk.kvh * x.strides[1]!;

/** Position of block row r (every row of a head group sits at the same one). */
const rowPos = (blk: Block, r: number): number => (blk.group ? blk.pos : blk.pos + r);

function grow(M: number, n: number, D: number): void {
  if (sBlock.length < M * n) {
    sBlock = new Float32Array(M * n);
    dBlock = new Float32Array(M * n);
  }
  if (rowsOut.length < Math.max(M, n) * D) rowsOut = new Float32Array(Math.max(M, n) * D);
  if (rowMax.length < M) rowMax = new Float64Array(M);
}

type Matmul = (p: MatmulParams) => void;

/**
 * out [M, N] = A [M, K] @ B [K, N] with A and B given as (array, offset, row stride, column
 * stride): a shorthand for the five products below.
 */
function product(
  matmul: Matmul,
  M: number,
  K: number,
  N: number,
  [a, aOffset, aRowStride, aColStride]: [TypedArray, number, number, number],
  [b, bOffset, bRowStride, bColStride]: [TypedArray, number, number, number],
  out: Float32Array,
  outOffset: number,
): void {
  matmul({
    M,
    K,
    N,
    a: a as Float32Array,
    aOffset,
    aRowStride,
    aColStride,
    b: b as Float32Array,
    bOffset,
    bRowStride,
    bColStride,
    out,
    outOffset,
  });
}

/** x[i] = exp(x[i]) for i < n, in place: Math.exp by default. */
export type ExpInPlace = (x: Float32Array, n: number) => void;

function expJs(x: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) x[i] = Math.exp(x[i]!);
}

/**
 * The forward and backward kernels on `matmul`, with `expBlock` for the exponentials (the wasm
 * backends pass their SIMD exp: Math.exp costs 10-20 ns per call here).
 */
export function makeBlockAttention(matmul: Matmul, expBlock: ExpInPlace = expJs) {
  function forward(p: AttentionParams): void {
    if (!(p.q.data instanceof Float32Array && p.out.data instanceof Float32Array)) {
      attentionReference(p); // float64: the reference kernel
      return;
    }
    const { D, scale, window } = p;
    const out = p.out.data;
    const ks = p.k.strides[2]!;
    const vs = p.v.strides[2]!;
    forEachBlock(p, (blk) => {
      const { M, n, j0 } = blk;
      grow(M, n, D);
      const sb = sBlock; // locals: V8 re-reads module variables on every access
      const q = rowsIn(blk, p.q);
      // Sb [M, n] = Q [M, D] @ Kᵀ [D, n]  (Kᵀ read in place: row stride 1, column stride ks)
      product(
        matmul,
        M,
        D,
        n,
        [p.q.data, q.off, q.stride, 1],
        [p.k.data, kvOffset(blk, p.k) + j0 * ks, 1, ks],
        sb,
        0,
      );
      // Masked softmax per row: p = exp(s·scale − max) / Σ over the visible columns, 0 elsewhere.
      // Pass 1 shifts each row by its max (so exp never overflows), one exp call covers the block,
      // pass 2 zeroes the masked columns and normalises.
      for (let r = 0; r < M; r++) {
        const pos = rowPos(blk, r);
        const lo = firstVisibleKey(pos, window) - j0; // visible keys: block columns lo .. hi-1
        const hi = pos + 1 - j0;
        const o = r * n;
        let m = Number.NEGATIVE_INFINITY;
        for (let c = lo; c < hi; c++) m = Math.max(m, sb[o + c]! * scale);
        for (let c = lo; c < hi; c++) sb[o + c] = sb[o + c]! * scale - m;
        rowMax[r] = m;
      }
      expBlock(sb, M * n);
      for (let r = 0; r < M; r++) {
        const pos = rowPos(blk, r);
        const lo = firstVisibleKey(pos, window) - j0;
        const hi = pos + 1 - j0;
        const o = r * n;
        sb.fill(0, o, o + lo);
        sb.fill(0, o + hi, o + n);
        let z = 0;
        for (let c = lo; c < hi; c++) z += sb[o + c]!;
        const inv = 1 / z;
        for (let c = lo; c < hi; c++) sb[o + c]! *= inv;
        if (p.lse) p.lse[blk.row + r] = rowMax[r]! + Math.log(z);
      }
      // O [M, D] = Pb [M, n] @ V [n, D], then into out's rows
      product(matmul, M, n, D, [sb, 0, n, 1], [p.v.data, kvOffset(blk, p.v) + j0 * vs, vs, 1], rowsOut, 0);
      const o = rowsIn(blk, p.out);
      for (let r = 0; r < M; r++) out.set(rowsOut.subarray(r * D, r * D + D), o.off + r * o.stride);
    });
  }

  function backward(p: AttentionGradParams): void {
    if (!(p.q.data instanceof Float32Array && p.dq.data instanceof Float32Array)) {
      attentionGradReference(p); // float64: the reference kernel
      return;
    }
    const { S, D, scale, window, lse } = p;
    const [dq, dk, dv] = [p.dq.data, p.dk.data, p.dv.data] as Float32Array[];
    if (kvAcc.length < 2 * S * D) kvAcc = new Float64Array(2 * S * D);
    const dv0 = S * D; // dV's half of kvAcc
    const ks = p.k.strides[2]!;
    const vs = p.v.strides[2]!;
    let current: Block | null = null; // a block of the kv head whose dK, dV kvAcc holds
    const flush = (blk: Block) => {
      const k0 = kvOffset(blk, p.dk);
      const v0 = kvOffset(blk, p.dv);
      const [ks2, vs2] = [p.dk.strides[2]!, p.dv.strides[2]!];
      for (let j = 0; j < S; j++) {
        for (let d = 0; d < D; d++) {
          dk![k0 + j * ks2 + d] = kvAcc[j * D + d]!;
          dv![v0 + j * vs2 + d] = kvAcc[dv0 + j * D + d]!;
        }
      }
    };
    forEachBlock(p, (blk) => {
      const { M, n, j0 } = blk;
      if (current === null || blk.b !== current.b || blk.kvh !== current.kvh) {
        if (current !== null) flush(current);
        current = blk;
        kvAcc.fill(0, 0, 2 * S * D);
      }
      grow(M, n, D);
      const sb = sBlock; // locals: V8 re-reads module variables on every access
      const db = dBlock;
      const acc = kvAcc;
      const tmp = rowsOut;
      const q = rowsIn(blk, p.q);
      const g = rowsIn(blk, p.dOut);
      const k = kvOffset(blk, p.k) + j0 * ks;
      const v = kvOffset(blk, p.v) + j0 * vs;
      product(matmul, M, D, n, [p.q.data, q.off, q.stride, 1], [p.k.data, k, 1, ks], sb, 0); // Sb
      product(matmul, M, D, n, [p.dOut.data, g.off, g.stride, 1], [p.v.data, v, 1, vs], db, 0); // dPb = dO @ Vᵀ
      // Pb = exp(s·scale − lse) (one exp call for the block), then on the visible columns
      // dSb = Pb ⊙ (dPb − Σ_c Pb ⊙ dPb) · scale, and 0 on the masked ones.
      for (let r = 0; r < M; r++) {
        const l = lse[blk.row + r]!;
        const o = r * n;
        for (let c = 0; c < n; c++) sb[o + c] = sb[o + c]! * scale - l;
      }
      expBlock(sb, M * n);
      for (let r = 0; r < M; r++) {
        const pos = rowPos(blk, r);
        const lo = firstVisibleKey(pos, window) - j0;
        const hi = pos + 1 - j0;
        const o = r * n;
        sb.fill(0, o, o + lo);
        sb.fill(0, o + hi, o + n);
        let Di = 0;
        for (let c = lo; c < hi; c++) Di += sb[o + c]! * db[o + c]!;
        for (let c = lo; c < hi; c++) db[o + c] = sb[o + c]! * (db[o + c]! - Di) * scale;
        db.fill(0, o, o + lo);
        db.fill(0, o + hi, o + n);
      }
      // dQ [M, D] = dSb @ K, then into dq's rows
      product(matmul, M, n, D, [db, 0, n, 1], [p.k.data, k, ks, 1], tmp, 0);
      const dqRows = rowsIn(blk, p.dq);
      for (let r = 0; r < M; r++) dq!.set(tmp.subarray(r * D, r * D + D), dqRows.off + r * dqRows.stride);
      // dK [n, D] += dSbᵀ @ Q and dV [n, D] += Pbᵀ @ dO  (the transposes read in place)
      product(matmul, n, M, D, [db, 0, 1, n], [p.q.data, q.off, q.stride, 1], tmp, 0);
      for (let e = 0; e < n * D; e++) acc[j0 * D + e]! += tmp[e]!;
      product(matmul, n, M, D, [sb, 0, 1, n], [p.dOut.data, g.off, g.stride, 1], tmp, 0);
      for (let e = 0; e < n * D; e++) acc[dv0 + j0 * D + e]! += tmp[e]!;
    });
    if (current !== null) flush(current);
  }

  return { forward, backward };
}
