// Attention for one new token (T = 1, decoding with a KV cache) on the wasm SIMD kernels:
// per key/value head, copy its visible keys and values into wasm memory once (one memcpy each
// when head_dim is a multiple of 8, the usual case), then for each query head of the group
//
//   s [n]  = K [n, D] @ q          dotRows (the kernel of x @ Wᵀ decode products)
//   p      = softmax(s · scale)    in JS over the n scores: one exp per key
//   y [D]  = p @ V [n, D]          axpyPanels (the kernel of x @ W), 32 columns per strip
//
// so nothing of size [T, S] exists and no score is computed for a masked key. axpyPanels reads
// whole 32-float strips: past column D it reads the next row's floats into lanes that are never
// copied out (lanes are independent), so V needs no padding.
// Not here: T > 1 (block-attention.ts runs those on the gemm kernel), threads (one token's
// attention is too small to split), backward (training has T > 1).
// Reference: llama2.c `forward` (the attention loop per head for one position); matvec.wat.

import { type AttentionParams, firstVisibleKey } from "@llmts/tensor";
import { align, ensureBytes, heapF32, matvecKernels, scratchBase } from "./memory.ts";

/** True when the decode kernel applies: one query per head, float32, innermost stride 1. */
export function decodeAttentionApplies(p: AttentionParams): boolean {
  return (
    p.T === 1 &&
    p.q.data instanceof Float32Array &&
    p.k.data instanceof Float32Array &&
    p.v.data instanceof Float32Array &&
    p.out.data instanceof Float32Array
  );
}

/** Copies rows j0 .. j0+n-1 of one head ([S, D] with row stride rs) to heap[at ..] as [n, D8] rows. */
function copyRows(
  src: Float32Array,
  off: number,
  rs: number,
  n: number,
  D: number,
  D8: number,
  heap: Float32Array,
  at: number,
): void {
  if (rs === D && D8 === D) {
    heap.set(src.subarray(off, off + n * D), at);
    return;
  }
  for (let j = 0; j < n; j++) {
    heap.set(src.subarray(off + j * rs, off + j * rs + D), at + j * D8);
    heap.fill(0, at + j * D8 + D, at + (j + 1) * D8);
  }
}

export function decodeAttentionWasm(p: AttentionParams): void {
  const { B, H, Hkv, S, D, scale, window } = p;
  const G = H / Hkv;
  const j0 = firstVisibleKey(S - 1, window); // of the one query, at position S - 1
  const n = S - j0;
  const n4 = Math.ceil(n / 4) * 4; // dotRows does four rows at a time
  const D8 = Math.ceil(D / 8) * 8; // and eight floats of a row per step
  const panels = Math.ceil(D / 32);
  // Scratch: q [D8] | scores [n4] | y [panels·32] | K [n4, D8] | V [n, D] + one strip of slack
  const qAddr = scratchBase();
  const sAddr = align(qAddr + D8 * 4);
  const yAddr = align(sAddr + n4 * 4);
  const kAddr = align(yAddr + panels * 128);
  const vAddr = align(kAddr + n4 * D8 * 4);
  ensureBytes(vAddr + (n * D + 32) * 4);
  const heap = heapF32();
  const [q, k, v, out] = [p.q.data, p.k.data, p.v.data, p.out.data] as Float32Array[];
  const [qs0, qs1] = p.q.strides as [number, number];
  const [os0, os1] = p.out.strides as [number, number];
  const s = sAddr / 4;
  for (let b = 0; b < B; b++) {
    for (let kvh = 0; kvh < Hkv; kvh++) {
      const kOff = p.k.offset + b * p.k.strides[0]! + kvh * p.k.strides[1]! + j0 * p.k.strides[2]!;
      const vOff = p.v.offset + b * p.v.strides[0]! + kvh * p.v.strides[1]! + j0 * p.v.strides[2]!;
      copyRows(k!, kOff, p.k.strides[2]!, n, D, D8, heap, kAddr / 4);
      heap.fill(0, kAddr / 4 + n * D8, kAddr / 4 + n4 * D8);
      copyRows(v!, vOff, p.v.strides[2]!, n, D, D, heap, vAddr / 4);
      for (let h = kvh * G; h < (kvh + 1) * G; h++) {
        const qo = p.q.offset + b * qs0 + h * qs1;
        heap.set(q!.subarray(qo, qo + D), qAddr / 4);
        heap.fill(0, qAddr / 4 + D, qAddr / 4 + D8);
        matvecKernels.dotRows(qAddr, kAddr, sAddr, n4, D8 * 4); // s_j = q · k_j
        // p_j = exp(s_j·scale − max) / z — the max keeps exp from overflowing
        let m = Number.NEGATIVE_INFINITY;
        for (let j = 0; j < n; j++) m = Math.max(m, heap[s + j]! * scale);
        let z = 0;
        for (let j = 0; j < n; j++) {
          const e = Math.exp(heap[s + j]! * scale - m);
          heap[s + j] = e;
          z += e;
        }
        const inv = 1 / z;
        for (let j = 0; j < n; j++) heap[s + j]! *= inv;
        matvecKernels.axpyPanels(sAddr, vAddr, yAddr, n, D * 4, 128, panels); // y = Σ_j p_j v_j
        out!.set(heap.subarray(yAddr / 4, yAddr / 4 + D), p.out.offset + b * os0 + h * os1);
        if (p.lse) p.lse[b * H + h] = m + Math.log(z);
      }
    }
  }
}
