// C = A @ B on the wasm SIMD kernels: copy the operands into the shared memory in the layout the
// kernels want (padding to whole tiles, packing B into column panels, reading any strides), run,
// copy C out. The copies are O(M·K + K·N + M·N) against O(M·K·N) work, so they cost little
// except for the matrix-vector product, where reading W once *is* the work: there a weight
// pinned with pinWeights() is used where it lies and only x and y move.
//
//   gemm (M > 1):  pack A to [Mp, K] rows and B to KC-deep slices of NR-wide panels, then the
//                  wasm `gemm` runs the cache blocking and the MR x NR micro-kernel.
//   matvec (M = 1): dotRows for B = Wᵀ stored [N, K], axpyRows for B stored [K, N], each
//                  reading a pinned weight where it lies (pinned.ts), else a copy of it.
//
// workers.ts splits one packed product across threads: every thread runs `gemm` on its own
// rows of the same packed operands.
// Not here: float64 (the caller falls back to the reference kernel), the thread pool.
// Reference: gemm.wat and matvec.wat for what each wasm function computes; ../js/matmul.ts for
// the JS twin; @llmts/tensor's matmulReference for the definition.

import type { MatmulParams } from "@llmts/tensor";
import { align, ensureBytes, gemmKernels, heapF32, matvecKernels, scratchBase } from "./memory.ts";
import { weightAddress } from "./pinned.ts";
import { JOB, runJob } from "./workers.ts";

// The tile and block sizes gemm.wat is written for.
/** Rows of C per micro-tile. */
export const MR = 4;
/** Columns of C per micro-tile (two f32x4 vectors). */
export const NR = 8;
/** Depth of one K slice. */
export const KC = 256;

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
      // Rows of B are contiguous: each panel row is 8 consecutive floats of a row of B.
      const full = Math.floor(N / NR);
      for (let q = 0; q < full; q++) {
        let src = p.bOffset + k0 * p.bRowStride + q * NR;
        let dst = slice + q * kc * NR;
        for (let k = 0; k < kc; k++, src += p.bRowStride, dst += NR) {
          heap[dst] = b[src]!;
          heap[dst + 1] = b[src + 1]!;
          heap[dst + 2] = b[src + 2]!;
          heap[dst + 3] = b[src + 3]!;
          heap[dst + 4] = b[src + 4]!;
          heap[dst + 5] = b[src + 5]!;
          heap[dst + 6] = b[src + 6]!;
          heap[dst + 7] = b[src + 7]!;
        }
      }
      for (let j = full * NR; j < N; j++) {
        let src = p.bOffset + k0 * p.bRowStride + j;
        let dst = slice + full * kc * NR + (j & 7);
        for (let k = 0; k < kc; k++, src += p.bRowStride, dst += NR) heap[dst] = b[src]!;
      }
    } else {
      // Columns of B are contiguous (B = Wᵀ, W [N, K]): walk 8 columns down k side by side, so
      // the writes go out in order and the reads are 8 sequential streams.
      const cs = p.bColStride;
      const rs = p.bRowStride;
      const full = Math.floor(N / NR);
      for (let q = 0; q < full; q++) {
        let src = p.bOffset + q * NR * cs + k0 * rs;
        let dst = slice + q * kc * NR;
        for (let k = 0; k < kc; k++, src += rs, dst += NR) {
          heap[dst] = b[src]!;
          heap[dst + 1] = b[src + cs]!;
          heap[dst + 2] = b[src + 2 * cs]!;
          heap[dst + 3] = b[src + 3 * cs]!;
          heap[dst + 4] = b[src + 4 * cs]!;
          heap[dst + 5] = b[src + 5 * cs]!;
          heap[dst + 6] = b[src + 6 * cs]!;
          heap[dst + 7] = b[src + 7 * cs]!;
        }
      }
      for (let j = full * NR; j < N; j++) {
        let src = p.bOffset + j * cs + k0 * rs;
        let dst = slice + full * kc * NR + (j & 7);
        for (let k = 0; k < kc; k++, src += rs, dst += NR) heap[dst] = b[src]!;
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

// Below these sizes a product runs on this thread alone, in one piece: sharing it out costs a
// microsecond or two (atomics, and a worker's wake-up when it slept), more than it saves.
const GEMM_SPLIT = 64 * 64 * 64 * 4; // M·K·N multiply-adds
const MATVEC_SPLIT = 1 << 14; // K·N weights

/** Copies C [M, N] out of the padded [Mp, Np] result. */
export function unpackC(p: MatmulParams, g: PackedGemm): void {
  const heap = heapF32();
  const base = g.cAddr / 4;
  for (let i = 0; i < p.M; i++) {
    p.out.set(heap.subarray(base + i * g.Np, base + i * g.Np + p.N), p.outOffset + i * p.N);
  }
}

/** Which wasm kernel ran a product (what --verbose counts). */
export type WasmKernel = "gemm" | "matvec" | "matvec pinned" | "empty";

/**
 * y = x @ B for M = 1, reading B where it lies when it is pinned (pinned.ts), else from a copy of
 * the span it covers; null when B's strides fit no matrix-vector kernel (neither is 1).
 *   B = Wᵀ, W [N, K] (bRowStride 1):  dotRows over N rows, split by rows across threads
 *   B = W [K, N] (bColStride 1):       axpyRows, split by columns (16 at a time) across threads
 */
export function matvecWasm(p: MatmulParams): WasmKernel | null {
  const { K, N, a, b } = p;
  const rowsLayout = p.bRowStride === 1;
  if (!rowsLayout && p.bColStride !== 1) return null;
  let wAddr = weightAddress(b); // first: a first use copies B in, below the scratch
  const pinned = wAddr >= 0;
  const xAddr = scratchBase();
  const yAddr = align(xAddr + K * 4);
  if (pinned) wAddr += p.bOffset * 4;
  else {
    // The elements B spans (a whole weight for Wᵀ or W): one copy, as a memcpy.
    const span = (K - 1) * p.bRowStride + (N - 1) * p.bColStride + 1;
    wAddr = align(yAddr + N * 4);
    ensureBytes(wAddr + span * 4);
    heapF32().set(b.subarray(p.bOffset, p.bOffset + span), wAddr / 4);
  }
  ensureBytes(yAddr + N * 4);
  const heap = heapF32();
  const x = xAddr / 4;
  if (p.aColStride === 1) heap.set(a.subarray(p.aOffset, p.aOffset + K), x);
  else for (let k = 0; k < K; k++) heap[x + k] = a[p.aOffset + k * p.aColStride]!;
  // Rows of W (dotRows) or columns of W (axpyRows), 16 at a time, shared out between threads.
  const unit = K * N >= MATVEC_SPLIT ? 16 : N;
  if (rowsLayout) runJob(JOB.dotRows, [xAddr, wAddr, yAddr, K, p.bColStride * 4], N, unit);
  else runJob(JOB.axpyRows, [xAddr, wAddr, yAddr, K, p.bRowStride * 4], N, unit);
  p.out.set(heap.subarray(yAddr / 4, yAddr / 4 + N), p.outOffset);
  return pinned ? "matvec pinned" : "matvec";
}

/** The wasm backend's matmul for float32 operands; returns the kernel that ran. */
export function matmulWasm(p: MatmulParams): WasmKernel {
  if (p.K === 0 || p.M === 0 || p.N === 0) {
    p.out.fill(0, p.outOffset, p.outOffset + p.M * p.N);
    return "empty";
  }
  const matvec = p.M === 1 ? matvecWasm(p) : null;
  if (matvec !== null) return matvec;
  const g = packGemm(p);
  // Rows of C, four at a time, shared out between threads.
  const unit = p.M * p.K * p.N >= GEMM_SPLIT ? MR : g.Mp;
  runJob(JOB.gemm, [g.aAddr, g.bAddr, g.cAddr, g.Np, g.K], g.Mp, unit);
  unpackC(p, g);
  return "gemm";
}
