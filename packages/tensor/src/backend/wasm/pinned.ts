// Pinned weights: a copy of inference weights kept in the wasm memory, so that a decoding step's
// matrix-vector products read W where it lies instead of copying it in first (for a product that
// reads each weight once, the copy would double the memory traffic).
//
// The contract is explicit because it cannot be checked cheaply: a pinned array must not be
// written while it is pinned (the kernels would keep reading the old copy). Inference code pins
// after loading (`pinWeights(model.parameters())`) and never trains; training code never pins.
// unpinWeights() releases them all.
// Not here: pinning for M > 1 (the packed gemm copies B anyway, and that copy is O(K·N) against
// O(M·K·N) work), automatic invalidation.
// Reference: the same idea as TF.js's wasm backend, which keeps every tensor in wasm memory.

import type { MatmulParams } from "../backend.ts";
import { allocPinned, heapF32, resetPinned } from "./memory.ts";

interface PinnedArray {
  addr: number; // byte address of element 0 of the source array
}

const pinned = new Map<Float32Array | Float64Array, PinnedArray>();

/** Copies each float32 array into the wasm memory once (no-op for arrays already pinned). */
export function pinArrays(arrays: readonly Float32Array[]): void {
  for (const array of arrays) {
    if (pinned.has(array)) continue;
    const addr = allocPinned(array.length * 4);
    heapF32().set(array, addr / 4);
    pinned.set(array, { addr });
  }
}

export function unpinArrays(): void {
  pinned.clear();
  resetPinned();
}

export function pinnedCount(): number {
  return pinned.size;
}

/**
 * The byte address of B's first element in its pinned copy when the kernel can read it there
 * as is (dotRows: rows of K floats at stride K, K % 8 == 0, N % 4 == 0; axpyRows: rows of N
 * floats at stride N, N % 32 == 0), else -1.
 */
export function findPinned(p: MatmulParams, rowsLayout: boolean): number {
  const entry = pinned.get(p.b);
  if (entry === undefined) return -1;
  const fits = rowsLayout
    ? p.K % 8 === 0 && p.N % 4 === 0 && p.bColStride === p.K
    : p.N % 32 === 0 && p.bRowStride === p.N;
  return fits ? entry.addr + p.bOffset * 4 : -1;
}
