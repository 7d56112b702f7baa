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
// into contiguous copies here. The matmul and the row work between the products come from the
// backend (makeBlockAttention(matmul, rows): auto's matmul rule and wasm SIMD rows in auto / wasm,
// the JS kernel and the JS rows below in js), so the products run at gemm speed and a block's
// softmax takes one call. A block holds at most ROWS query rows, so prefill over a long prompt
// stays in cache.
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

/**
 * The row work of a block between its two products, on the block's [M, n] scores s (row r sees
 * the columns ranges[2r] ≤ j < ranges[2r + 1]; masked columns end as 0). jsRows below is the
 * plain loop; the wasm backends pass wasm/attention-rows.ts (the same in unary.wat), whose arrays
 * live in the kernels' memory so the products read them where they are.
 */
export interface BlockRows {
  /** A zeroed float32 array of n elements (a block buffer). */
  floats(n: number): Float32Array;
  /** A zeroed int32 array of n elements (row ranges). */
  ints(n: number): Int32Array;
  /** Forward: s = exp(s·scale − m) / z on the visible columns; stats[2r] = m, stats[2r + 1] = z. */
  softmax(
    s: Float32Array,
    M: number,
    n: number,
    ranges: Int32Array,
    scale: number,
    stats: Float32Array,
  ): void;
  /**
   * Backward, with d = dP: s = P = exp(s·scale − lse[r]), then d = P ⊙ (d − Σ_j P·d) · scale on the
   * visible columns.
   */
  softmaxGrad(
    s: Float32Array,
    d: Float32Array,
    M: number,
    n: number,
    ranges: Int32Array,
    scale: number,
    lse: Float32Array,
  ): void;
}

/** The row work as plain loops (sums in float64). */
export const jsRows: BlockRows = {
  floats: (n) => new Float32Array(n),
  ints: (n) => new Int32Array(n),
  softmax(s, M, n, ranges, scale, stats) {
    for (let r = 0; r < M; r++) {
      const [lo, hi] = [ranges[2 * r]!, ranges[2 * r + 1]!];
      const o = r * n;
      let m = Number.NEGATIVE_INFINITY;
      for (let c = lo; c < hi; c++) m = Math.max(m, s[o + c]! * scale);
      let z = 0;
      for (let c = lo; c < hi; c++) {
        const e = Math.exp(s[o + c]! * scale - m);
        s[o + c] = e;
        z += e;
      }
      const inv = 1 / z;
      for (let c = lo; c < hi; c++) s[o + c]! *= inv;
      s.fill(0, o, o + lo);
      s.fill(0, o + hi, o + n);
      stats[2 * r] = m;
      stats[2 * r + 1] = z;
    }
  },
  softmaxGrad(s, d, M, n, ranges, scale, lse) {
    for (let r = 0; r < M; r++) {
      const [lo, hi] = [ranges[2 * r]!, ranges[2 * r + 1]!];
      const o = r * n;
      let D = 0;
      for (let c = lo; c < hi; c++) {
        s[o + c] = Math.exp(s[o + c]! * scale - lse[r]!);
        D += s[o + c]! * d[o + c]!;
      }
      for (let c = lo; c < hi; c++) d[o + c] = s[o + c]! * (d[o + c]! - D) * scale;
      for (const x of [s, d]) {
        x.fill(0, o, o + lo);
        x.fill(0, o + hi, o + n);
      }
    }
  },
};

/** The forward and backward kernels on `matmul`, with `rows` for the work between the products. */
export function makeBlockAttention(matmul: Matmul, rows: BlockRows = jsRows) {
  // Block buffers, grown on demand: scores then probabilities [M, n]; dP then dS [M, n]; O [M, D]
  // or dK / dV of one block [n, D]; each row's visible columns; (max, sum) or lse per row.
  let sBlock = rows.floats(0);
  let dBlock = rows.floats(0);
  let rowsOut = rows.floats(0);
  let ranges = rows.ints(0);
  let stats = rows.floats(0);
  let kvAcc = new Float64Array(0); // dK then dV of one kv head [2, S, D], summed in float64
  function grow(M: number, n: number, D: number): void {
    if (sBlock.length < M * n) {
      sBlock = rows.floats(M * n);
      dBlock = rows.floats(M * n);
    }
    if (rowsOut.length < Math.max(M, n) * D) rowsOut = rows.floats(Math.max(M, n) * D);
    if (ranges.length < 2 * M) {
      ranges = rows.ints(2 * M);
      stats = rows.floats(2 * M);
    }
  }
  /** Each block row's visible columns, as [lo, hi) pairs. */
  function fillRanges(blk: Block, window: number): void {
    for (let r = 0; r < blk.M; r++) {
      const pos = rowPos(blk, r);
      ranges[2 * r] = firstVisibleKey(pos, window) - blk.j0;
      ranges[2 * r + 1] = pos + 1 - blk.j0;
    }
  }

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
      // Masked softmax per row: p = exp(s·scale − max) / Σ over the visible columns, 0 elsewhere
      // (the max keeps exp from overflowing); lse = max + log Σ for the backward pass.
      fillRanges(blk, window);
      rows.softmax(sb, M, n, ranges, scale, stats);
      if (p.lse) for (let r = 0; r < M; r++) p.lse[blk.row + r] = stats[2 * r]! + Math.log(stats[2 * r + 1]!);
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
      // Pb = exp(s·scale − lse), then on the visible columns dSb = Pb ⊙ (dPb − Σ_c Pb ⊙ dPb) · scale,
      // and 0 on the masked ones.
      fillRanges(blk, window);
      for (let r = 0; r < M; r++) stats[r] = lse[blk.row + r]!;
      rows.softmaxGrad(sb, db, M, n, ranges, scale, stats);
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
