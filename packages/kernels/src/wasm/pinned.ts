// Pinned weights: inference weights kept in the wasm memory, so that a decoding step's
// matrix-vector products read W where it lies instead of copying it in first (for a product that
// reads each weight once, the copy would double the memory traffic).
//
// pinArrays() only records a promise; the first matrix-vector product that reads a pinned array
// as its B operand packs that view (any strides: W or Wᵀ) into the layout axpyPanels streams
// best, [N/32][K][32] (each strip of 32 output columns is one contiguous run of K·32 floats),
// and every later product with the same view reuses it. So a tied embedding used as lm_head
// (wte.transpose) is packed once as Wᵀ, and the same array used by embedding() is not copied.
//
// The contract is explicit because it cannot be checked cheaply: a pinned array must not be
// written while it is pinned (the kernels would keep reading the old copy). Inference code pins
// after loading (`pinWeights(parameters)`) and never trains; training code never pins.
// unpinArrays() releases them all.
// Not here: pinning for M > 1 (the packed gemm copies B anyway, and that copy is O(K·N) against
// O(M·K·N) work), automatic invalidation.
// Reference: TF.js's wasm backend keeps every tensor in wasm memory; XNNPACK packs weights once.

import type { MatmulParams } from "@llmts/tensor";
import { allocPinned, heapF32, resetPinned } from "./memory.ts";

export const PANEL = 32; // columns per packed strip (axpyPanels' width)

/** Packed copies of one pinned array, keyed by the view: "offset,rowStride,colStride,K,N". */
const pinned = new Map<Float32Array | Float64Array, Map<string, number>>();

/** Marks each array as immutable from now on; its views are packed on first use. */
export function pinArrays(arrays: readonly Float32Array[]): void {
  for (const array of arrays) if (!pinned.has(array)) pinned.set(array, new Map());
}

export function unpinArrays(): void {
  pinned.clear();
  resetPinned();
}

export function pinnedCount(): number {
  return pinned.size;
}

/**
 * Byte address of B = p's [K, N] view of a pinned array, packed as [ceil(N/32)][K][32]
 * (zero columns past N), packing it now if this view was not seen before; -1 if B is not pinned.
 */
export function pinnedPanels(p: MatmulParams): number {
  const views = pinned.get(p.b);
  if (views === undefined) return -1;
  const key = `${p.bOffset},${p.bRowStride},${p.bColStride},${p.K},${p.N}`;
  const known = views.get(key);
  if (known !== undefined) return known;
  const { K, N, b } = p;
  const panels = Math.ceil(N / PANEL);
  const addr = allocPinned(panels * K * PANEL * 4);
  const heap = heapF32();
  const base = addr / 4;
  for (let j = 0; j < panels * PANEL; j++) {
    // column j of B goes to strip q = j / 32, lane j % 32, one float per row k
    let dst = base + Math.floor(j / PANEL) * K * PANEL + (j % PANEL);
    let src = p.bOffset + j * p.bColStride;
    for (let k = 0; k < K; k++, dst += PANEL, src += p.bRowStride) heap[dst] = j < N ? b[src]! : 0;
  }
  views.set(key, addr);
  return addr;
}
