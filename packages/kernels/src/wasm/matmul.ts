// C = A @ B on the wasm SIMD kernels: copy the operands into the shared memory in the layout the
// kernels want (padding to whole tiles, packing B into column panels, reading any strides), run,
// copy C out. The copies are O(M·K + K·N + M·N) against O(M·K·N) work, so they cost little
// except for the matrix-vector product, where reading W once *is* the work: there a weight
// pinned with pinWeights() is used where it lies and only x and y move.
//
//   gemm (M > 1):  pack A to [Mp, K] rows and B to KC-deep slices of NR-wide panels, then the
//                  wasm `gemm` runs the cache blocking and the MR x NR micro-kernel.
//   matvec (M = 1): a pinned weight is read from its packed strips (axpyPanels); otherwise
//                  dotRows for B = Wᵀ stored [N, K], axpyPanels for B stored [K, N].
//
// workers.ts splits one packed product across threads: every thread runs `gemm` on its own
// rows of the same packed operands.
// Not here: float64 (the caller falls back to the reference kernel), the thread pool.
// Reference: gemm.wat and matvec.wat for what each wasm function computes; ../js/matmul.ts for
// the JS twin; @llmts/tensor's matmulReference for the definition.

import type { MatmulParams } from "@llmts/tensor";
import { align, ensureBytes, gemmKernels, heapF32, matvecKernels, scratchBase } from "./memory.ts";
import { PANEL, pinnedPanels } from "./pinned.ts";
import { JOB, post, wait, workerCount } from "./workers.ts";

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

// Below these sizes a product runs on the main thread alone: waking a worker and waiting for it
// costs tens of microseconds, more than it saves (measured: see README, Backends).
const GEMM_SPLIT = 64 * 64 * 64 * 4; // M·K·N multiply-adds
const MATVEC_SPLIT = 1 << 20; // K·N weights

const kernelTable = [gemmKernels.gemm, matvecKernels.axpyPanels, matvecKernels.dotRows] as ((
  ...args: number[]
) => void)[];

/** Runs kernel `id` on worker w - 1, or here on the main thread when w == 0. */
function run(w: number, id: number, args: number[]): void {
  if (w === 0) kernelTable[id]!(...args);
  else post(w - 1, id, args);
}

/**
 * Splits [0, total) into `parts` ranges on multiples of `unit` and calls job(start, end, w) for
 * each non-empty one: w = 1.. go to workers first, then w = 0 runs here; then waits for them.
 */
export function runSplit(
  total: number,
  unit: number,
  parts: number,
  job: (s: number, e: number, w: number) => void,
): void {
  const units = Math.ceil(total / unit);
  const per = Math.ceil(units / parts);
  let used = 0;
  for (let w = 1; w < parts && w * per < units; w++, used++) {
    job(w * per * unit, Math.min(total, (w + 1) * per * unit), w);
  }
  // Wait for every worker, even after one failed (or this thread's share trapped), so none is
  // still writing shared memory when this returns.
  let failure: unknown = null;
  try {
    job(0, Math.min(total, per * unit), 0);
  } catch (error) {
    failure = error;
  }
  for (let w = 0; w < used; w++) {
    try {
      wait(w);
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== null) throw failure;
}

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

/** y = x @ B for M = 1; null when B's strides fit no matrix-vector kernel. */
export function matvecWasm(p: MatmulParams): WasmKernel | null {
  const { K, N, a } = p;
  const panelAddr = pinnedPanels(p);
  const rowsLayout = p.bRowStride === 1; // B = Wᵀ, W [N, K]: dot products of rows
  if (panelAddr < 0 && !rowsLayout && p.bColStride !== 1) return null;
  // Padded sizes: dotRows wants K % 8 and rows % 4; axpyPanels wants N % 32.
  const K8 = Math.ceil(K / 8) * 8;
  const N4 = Math.ceil(N / 4) * 4;
  const N32 = Math.ceil(N / PANEL) * PANEL;
  const xAddr = scratchBase();
  const yAddr = align(xAddr + K8 * 4);
  const wAddr = align(yAddr + N32 * 4);
  ensureBytes(wAddr + (panelAddr >= 0 ? 0 : rowsLayout ? N4 * K8 : K * N32) * 4);
  const heap = heapF32();
  const x = xAddr / 4;
  for (let k = 0; k < K; k++) heap[x + k] = a[p.aOffset + k * p.aColStride]!;
  heap.fill(0, x + K, x + K8);
  const split = K * N >= MATVEC_SPLIT ? workerCount() + 1 : 1;
  if (panelAddr >= 0) {
    // strips [q0, q1) of 32 columns: y at yAddr + q0·128, W at panelAddr + q0·K·128
    const panelBytes = K * PANEL * 4;
    runSplit(N32 / PANEL, 1, split, (q0, q1, w) =>
      run(w, JOB.axpyPanels, [
        xAddr,
        panelAddr + q0 * panelBytes,
        yAddr + q0 * 128,
        K,
        128,
        panelBytes,
        q1 - q0,
      ]),
    );
  } else if (rowsLayout) {
    copyWeight(p, heap, wAddr, true);
    runSplit(N4, 4, split, (j0, j1, w) =>
      run(w, JOB.dotRows, [xAddr, wAddr + j0 * K8 * 4, yAddr + j0 * 4, j1 - j0, K8 * 4]),
    );
  } else {
    copyWeight(p, heap, wAddr, false);
    runSplit(N32 / PANEL, 1, split, (q0, q1, w) =>
      run(w, JOB.axpyPanels, [xAddr, wAddr + q0 * 128, yAddr + q0 * 128, K, N32 * 4, 128, q1 - q0]),
    );
  }
  p.out.set(heap.subarray(yAddr / 4, yAddr / 4 + N), p.outOffset);
  return panelAddr >= 0 ? "matvec pinned" : "matvec";
}

/** Copies the weight of a matrix-vector product into the padded layout its kernel reads. */
function copyWeight(p: MatmulParams, heap: Float32Array, at: number, rowsLayout: boolean): void {
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
        const dst = base + j * K8;
        for (let k = 0; k < K; k++) heap[dst + k] = b[src + k]!;
        for (let k = K; k < K8; k++) heap[dst + k] = 0;
      }
    }
    heap.fill(0, base + N * K8, base + N4 * K8);
  } else {
    // W [K, N32]
    const N32 = Math.ceil(N / PANEL) * PANEL;
    if (N32 === N && p.bRowStride === N) heap.set(b.subarray(p.bOffset, p.bOffset + K * N), base);
    else {
      for (let k = 0; k < K; k++) {
        const src = p.bOffset + k * p.bRowStride;
        const dst = base + k * N32;
        for (let j = 0; j < N; j++) heap[dst + j] = b[src + j]!;
        for (let j = N; j < N32; j++) heap[dst + j] = 0;
      }
    }
  }
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
  const split = p.M * p.K * p.N >= GEMM_SPLIT ? workerCount() + 1 : 1;
  runSplit(g.Mp, MR, split, (i0, i1, w) => run(w, JOB.gemm, [g.aAddr, g.bAddr, g.cAddr, g.Np, g.K, i0, i1]));
  unpackC(p, g);
  return "gemm";
}
