// C = A @ B on the wasm SIMD kernels: copy the operands into the shared memory in the layout the
// kernels want (padding to whole tiles, packing B into column panels, reading any strides), run,
// copy C out. The copies are O(M·K + K·N + M·N) against O(M·K·N) work, so they cost little
// except for the matrix-vector product, where reading W once *is* the work: there a weight
// pinned with pinWeights() is used where it lies and only x and y move.
//
//   gemm (M > 1):  for each KC-deep slice of K, for each MC-tall block of rows:
//                    gemmBlock: for each NR-wide panel of B, for each MR-tall strip of A: micro-kernel
//                  (the A block, MC·KC floats = 64 KiB, stays in L2; one B panel, KC·NR = 8 KiB, in L1)
//   matvec (M = 1): dotRows for B = Wᵀ stored [N, K]; axpyRows for B stored [K, N].
//
// The row range [i0, i1) lets workers.ts split one product across threads: every thread runs
// gemmRows on its own rows of the same packed operands.
// Not here: float64 (the caller falls back to the reference kernel), the thread pool.
// Reference: kernels.ts for what each wasm function computes; fast-matmul.ts for the JS twin.

import type { MatmulParams } from "../backend.ts";
import { MR, NR } from "./kernels.ts";
import { align, ensureBytes, heapF32, kernels, scratchBase } from "./memory.ts";
import { findPinned } from "./pinned.ts";

const KC = 256; // depth of one K slice
const MC = 64; // rows of A per block (multiple of MR)

/** Where one product's packed operands lie in the wasm memory (byte addresses). */
export interface PackedGemm {
  aAddr: number; // A [Mp, K] row-major
  bAddr: number; // B packed: slice k0 at bAddr + k0·Np·4, panel q of it at + q·kc·NR·4
  cAddr: number; // C [Mp, Np] row-major
  Mp: number;
  Np: number;
  K: number;
}

/** Copies A (any strides) into [Mp, K] rows, zero rows below M. */
function packA(p: MatmulParams, heap: Float32Array, at: number, Mp: number): void {
  const { M, K, a } = p;
  const base = at / 4;
  if (p.aColStride === 1) {
    for (let i = 0; i < M; i++) {
      const src = p.aOffset + i * p.aRowStride;
      heap.set(a.subarray(src, src + K), base + i * K);
    }
  } else {
    // Transposed A (Aᵀ @ g in backward): walk the source sequentially, write with stride K.
    for (let i = 0; i < M; i++) {
      let src = p.aOffset + i * p.aRowStride;
      const row = base + i * K;
      for (let k = 0; k < K; k++, src += p.aColStride) heap[row + k] = a[src]!;
    }
  }
  heap.fill(0, base + M * K, base + Mp * K);
}

/** Packs B [K, N] (any strides) into NR-wide column panels per KC slice, zero columns past N. */
function packB(p: MatmulParams, heap: Float32Array, at: number, Np: number): void {
  const { K, N, b } = p;
  const base = at / 4;
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = Math.min(KC, K - k0);
    const slice = base + k0 * Np;
    if (p.bColStride === 1) {
      // Rows of B are contiguous: read each row once, scatter 8 floats into each panel.
      for (let k = 0; k < kc; k++) {
        const src = p.bOffset + (k0 + k) * p.bRowStride;
        for (let j = 0; j < N; j++) heap[slice + (j >> 3) * kc * NR + k * NR + (j & 7)] = b[src + j]!;
      }
    } else {
      // Columns of B are contiguous (B = Wᵀ, W [N, K]): read each column down k.
      for (let j = 0; j < N; j++) {
        let src = p.bOffset + j * p.bColStride + k0 * p.bRowStride;
        let dst = slice + (j >> 3) * kc * NR + (j & 7);
        for (let k = 0; k < kc; k++, src += p.bRowStride, dst += NR) heap[dst] = b[src]!;
      }
    }
    for (let j = N; j < Np; j++) {
      const dst = slice + (j >> 3) * kc * NR + (j & 7);
      for (let k = 0; k < kc; k++) heap[dst + k * NR] = 0;
    }
  }
}

/** Copies A and B into the scratch region and zeroes C; returns where they are. */
export function packGemm(p: MatmulParams): PackedGemm {
  const { M, K, N } = p;
  const Mp = Math.ceil(M / MR) * MR;
  const Np = Math.ceil(N / NR) * NR;
  const aAddr = scratchBase();
  const bAddr = align(aAddr + Mp * K * 4);
  const cAddr = align(bAddr + K * Np * 4);
  ensureBytes(cAddr + Mp * Np * 4);
  const heap = heapF32();
  packA(p, heap, aAddr, Mp);
  packB(p, heap, bAddr, Np);
  heap.fill(0, cAddr / 4, cAddr / 4 + Mp * Np);
  return { aAddr, bAddr, cAddr, Mp, Np, K };
}

/** C rows [i0, i1) (multiples of MR, or i1 = Mp) of a packed product. */
export function gemmRows(g: PackedGemm, i0: number, i1: number): void {
  const { K, Np } = g;
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = Math.min(KC, K - k0);
    for (let r = i0; r < i1; r += MC) {
      const mc = Math.min(MC, i1 - r);
      kernels.gemmBlock(
        g.aAddr + (r * K + k0) * 4,
        K * 4,
        g.bAddr + k0 * Np * 4,
        g.cAddr + r * Np * 4,
        Np * 4,
        mc / MR,
        Np / NR,
        kc,
      );
    }
  }
}

/** Copies C [M, N] out of the padded [Mp, Np] result. */
export function unpackC(p: MatmulParams, g: PackedGemm): void {
  const heap = heapF32();
  const base = g.cAddr / 4;
  for (let i = 0; i < p.M; i++) {
    p.out.set(heap.subarray(base + i * g.Np, base + i * g.Np + p.N), p.outOffset + i * p.N);
  }
}

/** y = x @ B for M = 1, or false when B's strides fit neither matrix-vector kernel. */
export function matvecWasm(p: MatmulParams): boolean {
  const { K, N, a, b } = p;
  const rowsLayout = p.bRowStride === 1; // B = Wᵀ, W [N, K]: dot products of rows
  if (!rowsLayout && p.bColStride !== 1) return false;
  // Padded sizes: dotRows wants K % 8 and rows % 4; axpyRows wants N % 32.
  const K8 = Math.ceil(K / 8) * 8;
  const N4 = Math.ceil(N / 4) * 4;
  const N32 = Math.ceil(N / 32) * 32;
  let wAddr = findPinned(p, rowsLayout);
  const xAddr = scratchBase();
  const yAddr = align(xAddr + K8 * 4);
  const wScratch = align(yAddr + N32 * 4);
  ensureBytes(wScratch + (wAddr < 0 ? (rowsLayout ? N4 * K8 : K * N32) * 4 : 0));
  const heap = heapF32();
  const x = xAddr / 4;
  for (let k = 0; k < K; k++) heap[x + k] = a[p.aOffset + k * p.aColStride]!;
  heap.fill(0, x + K, x + K8);
  if (wAddr < 0) {
    wAddr = wScratch;
    copyWeight(p, heap, wAddr, rowsLayout);
  }
  if (rowsLayout) kernels.dotRows(xAddr, wAddr, yAddr, N4, K8 * 4);
  else kernels.axpyRows(xAddr, wAddr, yAddr, K, N32 * 4);
  p.out.set(heap.subarray(yAddr / 4, yAddr / 4 + N), p.outOffset);
  return true;
}

/** Copies the weight of a matrix-vector product into the padded layout its kernel reads. */
export function copyWeight(p: MatmulParams, heap: Float32Array, at: number, rowsLayout: boolean): void {
  const { K, N, b } = p;
  const base = at / 4;
  if (rowsLayout) {
    // W [N4, K8]: row j is column j of B.
    const K8 = Math.ceil(K / 8) * 8;
    const N4 = Math.ceil(N / 4) * 4;
    if (K8 === K && p.bColStride === K) heap.set(b.subarray(p.bOffset, p.bOffset + N * K), base);
    else {
      for (let j = 0; j < N; j++) {
        const src = p.bOffset + j * p.bColStride;
        heap.set(b.subarray(src, src + K), base + j * K8);
        heap.fill(0, base + j * K8 + K, base + (j + 1) * K8);
      }
    }
    heap.fill(0, base + N * K8, base + N4 * K8);
  } else {
    // W [K, N32]
    const N32 = Math.ceil(N / 32) * 32;
    if (N32 === N && p.bRowStride === N) heap.set(b.subarray(p.bOffset, p.bOffset + K * N), base);
    else {
      for (let k = 0; k < K; k++) {
        const src = p.bOffset + k * p.bRowStride;
        heap.set(b.subarray(src, src + N), base + k * N32);
        heap.fill(0, base + k * N32 + N, base + (k + 1) * N32);
      }
    }
  }
}

/** The wasm backend's matmul for float32 operands. */
export function matmulWasm(p: MatmulParams): void {
  if (p.K === 0 || p.M === 0 || p.N === 0) {
    p.out.fill(0, p.outOffset, p.outOffset + p.M * p.N);
    return;
  }
  if (p.M === 1 && matvecWasm(p)) return;
  const g = packGemm(p);
  gemmRows(g, 0, g.Mp);
  unpackC(p, g);
}
