// Attention for one new token (T = 1, decoding with a KV cache) on the wasm SIMD kernels: per
// key/value head, find its visible keys and values in wasm memory (where they lie when the cache
// was allocated there, else copied in: one memcpy each for a cache's contiguous rows), then for
// each query head of the group
//
//   s [n]  = K [n, D] @ q          dotRows (the kernel of x @ Wᵀ decode products)
//   p      = softmax(s · scale)    the n scores: max and sums in JS, exp four lanes at a time (unary.wat)
//   y [D]  = p @ V [n, D]          axpyRows (the kernel of x @ W)
//
// so nothing of size [T, S] exists and no score is computed for a masked key.
// Not here: T > 1 (block-attention.ts runs those on the gemm kernel), threads (one token's
// attention is too small to split), backward (training has T > 1).
// Reference: llama2.c `forward` (the attention loop per head for one position); matvec.wat.

import { type AttentionParams, firstVisibleKey } from "@llmts/tensor";
import {
  align,
  ensureBytes,
  heapF32,
  matvecKernels,
  scratchBase,
  unaryKernels,
  wasmAddress,
} from "./memory.ts";

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

/**
 * Where rows 0 .. n-1 of one head ([n, D], rows `rs` elements apart, from element `off` of
 * `src`) lie in the wasm memory: in place when `src` is a view into it, else copied to `at`
 * (contiguous [n, D]). Returns [address, row stride in bytes].
 */
function rowsInMemory(
  src: Float32Array,
  off: number,
  rs: number,
  n: number,
  D: number,
  at: number,
): [number, number] {
  const inPlace = wasmAddress(src);
  if (inPlace >= 0) return [inPlace + off * 4, rs * 4];
  const heap = heapF32();
  if (rs === D) heap.set(src.subarray(off, off + n * D), at / 4);
  else for (let j = 0; j < n; j++) heap.set(src.subarray(off + j * rs, off + j * rs + D), at / 4 + j * D);
  return [at, D * 4];
}

export function decodeAttentionWasm(p: AttentionParams): void {
  const { B, H, Hkv, S, D, scale, window } = p;
  const G = H / Hkv;
  const j0 = firstVisibleKey(S - 1, window); // of the one query, at position S - 1
  const n = S - j0;
  // Scratch: q [D] | scores [n] | y [D] | K [n, D] | V [n, D] (the last two only when copied)
  const qAddr = scratchBase();
  const sAddr = align(qAddr + D * 4);
  const n4 = Math.ceil(n / 4) * 4;
  const yAddr = align(sAddr + n4 * 4);
  const kCopy = align(yAddr + D * 4);
  const vCopy = align(kCopy + n * D * 4);
  ensureBytes(vCopy + n * D * 4);
  const [q, k, v, out] = [p.q.data, p.k.data, p.v.data, p.out.data] as Float32Array[];
  const [qs0, qs1] = p.q.strides as [number, number];
  const [os0, os1] = p.out.strides as [number, number];
  const s = sAddr / 4;
  for (let b = 0; b < B; b++) {
    for (let kvh = 0; kvh < Hkv; kvh++) {
      const kOff = p.k.offset + b * p.k.strides[0]! + kvh * p.k.strides[1]! + j0 * p.k.strides[2]!;
      const vOff = p.v.offset + b * p.v.strides[0]! + kvh * p.v.strides[1]! + j0 * p.v.strides[2]!;
      const [kAddr, kRow] = rowsInMemory(k!, kOff, p.k.strides[2]!, n, D, kCopy);
      const [vAddr, vRow] = rowsInMemory(v!, vOff, p.v.strides[2]!, n, D, vCopy);
      const heap = heapF32();
      for (let h = kvh * G; h < (kvh + 1) * G; h++) {
        const qo = p.q.offset + b * qs0 + h * qs1;
        heap.set(q!.subarray(qo, qo + D), qAddr / 4);
        matvecKernels.dotRows(qAddr, kAddr, sAddr, n, D, kRow); // s_j = q · k_j
        // p_j = exp(s_j·scale − max) / z — the max keeps exp from overflowing; exp four lanes at a
        // time in unary.wat (Math.exp costs 10-20 ns a key), over n rounded up to 4
        let m = Number.NEGATIVE_INFINITY;
        for (let j = 0; j < n; j++) m = Math.max(m, heap[s + j]! * scale);
        for (let j = 0; j < n; j++) heap[s + j] = heap[s + j]! * scale - m;
        unaryKernels.exp(sAddr, sAddr, n4);
        let z = 0;
        for (let j = 0; j < n; j++) z += heap[s + j]!;
        const inv = 1 / z;
        for (let j = 0; j < n; j++) heap[s + j]! *= inv;
        matvecKernels.axpyRows(sAddr, vAddr, yAddr, n, D, vRow); // y = Σ_j p_j v_j
        out!.set(heap.subarray(yAddr / 4, yAddr / 4 + D), p.out.offset + b * os0 + h * os1);
        if (p.lse) p.lse[b * H + h] = m + Math.log(z);
      }
    }
  }
}
