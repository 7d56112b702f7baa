// C = A @ B on the wasm SIMD kernels: put the operands where the kernels read them, run, copy C
// out. A weight that lives in the wasm memory (pinned.ts) is read where it lies, in whatever
// layout it has (W or Wᵀ); anything else is copied in first. The copies are O(M·K + K·N + M·N)
// against O(M·K·N) work, so they cost little except for the matrix-vector product, where reading
// W once *is* the work: pinning exists for that.
//
//   matvec (M <= 3, or up to 8 when B = Wᵀ is a large weight; see MATVEC_MAX_M):
//                   dotRows for B = Wᵀ stored [N, K], axpyRows for B stored [K, N]; the threads
//                   share out the rows (dotRows) or columns (axpyRows) of W. Several rows of A (a
//                   server's batch of decoding sequences) go through each block of W while it is
//                   cached (the *Batch kernels), so W is read from memory once, as for M = 1.
//   gemm (the rest): A packed into strips of 4 rows (gemm.wat's packA); B read by its strides
//                   (gemm.wat packs it into cache-sized blocks itself); the threads share out
//                   the columns of C.
//
// Not here: float64 (the caller falls back to the reference kernel), the thread pool.
// Reference: gemm.wat and matvec.wat for what each wasm function computes; ../js/matmul.ts for
// the JS twin; @llmts/tensor's matmulReference for the definition.

import type { MatmulParams } from "@llmts/tensor";
import { align, ensureBytes, gemmKernels, heapF32, scratchBase } from "./memory.ts";
import { weightAddress } from "./pinned.ts";
import { JOB, PACK_BYTES, runJob, workerCount } from "./workers.ts";

/** Rows of C per micro-tile (gemm.wat's tile). */
export const MR = 4;
/** Columns of C per micro-tile (two f32x4 vectors). */
export const NR = 8;

// How many rows of A run as matrix-vector products sharing one read of W (matvecWasm) before
// gemm takes over. Measured on 1 thread (AMD EPYC, Node 20; `matmul` section's shapes): at M = 2
// the shared read takes about half gemm's time (gemm pads A to 4 rows and packs all of B); at
// M = 4 the two are even; at M = 8 gemm is 15-50% faster — except for an x @ Wᵀ whose W is far
// larger than the caches (a 32000 x 288 output layer, 37 MB), which gemm copies whole into its
// packing buffers on every call: there the shared read stays 10% faster up to M = 8.
export const MATVEC_MAX_M = 3;
export const MATVEC_MAX_M_LARGE_WT = 8;
/** A weight at least this large counts as far larger than the caches. */
const LARGE_WEIGHT_BYTES = 8 * 2 ** 20;

// Below these sizes a product runs on this thread alone, in one piece: sharing it out costs a
// microsecond or two (atomics, and a worker's wake-up when it slept), more than it saves.
const GEMM_SPLIT = 64 * 64 * 64 * 4; // M·K·N multiply-adds
const MATVEC_SPLIT = 1 << 14; // K·N weights

/** Where an operand lies in the wasm memory: element [0, 0] and the strides, in bytes. */
interface Placed {
  addr: number;
  rs: number;
  cs: number;
}

/**
 * Where the [rows, cols] view (offset, rs, cs in elements) of `array` lies in the wasm memory:
 * where it is (a pinned weight), or copied to `at` — the elements it spans as one block (a
 * memcpy) when that is not much more than rows·cols (a weight, Wᵀ, activations), else gathered
 * run by run (a head of q, k or v inside a [B, T, 3C] projection: its rows, or for a transposed
 * view its columns, are contiguous runs). `end` is the end of the scratch it used.
 */
function place(
  array: Float32Array,
  offset: number,
  rs: number,
  cs: number,
  rows: number,
  cols: number,
  at: number,
): Placed & { end: number } {
  const lies = weightAddress(array);
  if (lies >= 0) return { addr: lies + offset * 4, rs: rs * 4, cs: cs * 4, end: at };
  const span = (rows - 1) * rs + (cols - 1) * cs + 1;
  if (span <= 2 * rows * cols) {
    ensureBytes(at + span * 4);
    heapF32().set(array.subarray(offset, offset + span), at / 4);
    return { addr: at, rs: rs * 4, cs: cs * 4, end: align(at + span * 4) };
  }
  ensureBytes(at + rows * cols * 4);
  const heap = heapF32();
  const base = at / 4;
  const end = align(at + rows * cols * 4);
  if (cs === 1) {
    for (let i = 0; i < rows; i++)
      heap.set(array.subarray(offset + i * rs, offset + i * rs + cols), base + i * cols);
    return { addr: at, rs: cols * 4, cs: 4, end };
  }
  if (rs === 1) {
    for (let j = 0; j < cols; j++)
      heap.set(array.subarray(offset + j * cs, offset + j * cs + rows), base + j * rows);
    return { addr: at, rs: 4, cs: rows * 4, end };
  }
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) heap[base + i * cols + j] = array[offset + i * rs + j * cs]!;
  }
  return { addr: at, rs: cols * 4, cs: 4, end };
}

/** C = A @ B for M > 1 on gemm.wat, the columns of C shared out between threads. */
function gemmWasm(p: MatmulParams): void {
  const { M, K, N } = p;
  const Mp = Math.ceil(M / MR) * MR;
  const Np = Math.ceil(N / NR) * NR;
  // A pinned array's first use copies it in below the scratch: before the scratch is laid out.
  weightAddress(p.a);
  weightAddress(p.b);
  // Scratch: A and B (when copied) | A in strips [Mp/4][K][4] | C [Mp, Np] | a packing buffer per thread
  const a = place(p.a as Float32Array, p.aOffset, p.aRowStride, p.aColStride, M, K, scratchBase());
  const b = place(p.b as Float32Array, p.bOffset, p.bRowStride, p.bColStride, K, N, a.end);
  const stripsAddr = b.end;
  const cAddr = align(stripsAddr + Mp * K * 4);
  const packAddr = align(cAddr + Mp * Np * 4);
  ensureBytes(packAddr + (workerCount() + 1) * PACK_BYTES);
  gemmKernels.packA(a.addr, a.rs, a.cs, M, K, stripsAddr);
  const unit = M * K * N >= GEMM_SPLIT ? NR : Np;
  runJob(JOB.gemm, [stripsAddr, b.addr, b.rs, b.cs, cAddr, Np * 4, Mp, K, N, packAddr], Np, unit);
  const heap = heapF32();
  const c = cAddr / 4;
  if (Np === N) p.out.set(heap.subarray(c, c + M * N), p.outOffset);
  else for (let i = 0; i < M; i++) p.out.set(heap.subarray(c + i * Np, c + i * Np + N), p.outOffset + i * N);
}

/** Which wasm kernel ran a product (what --verbose counts). */
export type WasmKernel = "gemm" | "matvec" | "matvec pinned" | "empty";

/**
 * Y = X @ B for a few rows of X (decoding: one token, or a server's batch of one token
 * per sequence), reading B where it lies when it is pinned (pinned.ts), else from a copy of the
 * span it covers; null when B's strides fit no matrix-vector kernel (neither is 1), or B is a view
 * of elements far apart (the gemm path gathers those).
 *   B = Wᵀ, W [N, K] (bRowStride 1):  dotRows over N rows, split by rows across threads
 *   B = W [K, N] (bColStride 1):       axpyRows, split by columns (16 at a time) across threads
 * With M > 1 the *Batch kernels run every row of X over a block of W while the block is cached,
 * so W is read from memory once per product, as for one row.
 */
export function matvecWasm(p: MatmulParams): WasmKernel | null {
  const { M, K, N, a, b } = p;
  const rowsLayout = p.bRowStride === 1;
  if (!rowsLayout && p.bColStride !== 1) return null;
  let wAddr = weightAddress(b); // first: a first use copies B in, below the scratch
  const pinned = wAddr >= 0;
  const span = (K - 1) * p.bRowStride + (N - 1) * p.bColStride + 1;
  if (!pinned && span > 2 * K * N) return null; // a view of elements far apart: gemm gathers it
  // Scratch: X [M, K] | Y [M, N] | W's span when it is not pinned
  const xAddr = scratchBase();
  const yAddr = align(xAddr + M * K * 4);
  if (pinned) wAddr += p.bOffset * 4;
  else {
    // The elements B spans (a whole weight for Wᵀ or W): one copy, as a memcpy.
    wAddr = align(yAddr + M * N * 4);
    ensureBytes(wAddr + span * 4);
    heapF32().set(b.subarray(p.bOffset, p.bOffset + span), wAddr / 4);
  }
  ensureBytes(yAddr + M * N * 4);
  const heap = heapF32();
  for (let m = 0; m < M; m++) {
    const x = xAddr / 4 + m * K;
    const row = p.aOffset + m * p.aRowStride;
    if (p.aColStride === 1) heap.set(a.subarray(row, row + K), x);
    else for (let k = 0; k < K; k++) heap[x + k] = a[row + k * p.aColStride]!;
  }
  // Rows of W (dotRows) or columns of W (axpyRows), 16 at a time, shared out between threads.
  const unit = M * K * N >= MATVEC_SPLIT ? 16 : N;
  const wStride = (rowsLayout ? p.bColStride : p.bRowStride) * 4; // bytes between rows of W
  if (M === 1) {
    if (rowsLayout) runJob(JOB.dotRows, [xAddr, wAddr, yAddr, K, wStride], N, unit);
    else runJob(JOB.axpyRows, [xAddr, wAddr, yAddr, K, wStride], N, unit);
  } else {
    const job = rowsLayout ? JOB.dotRowsBatch : JOB.axpyRowsBatch;
    runJob(job, [xAddr, M, wAddr, yAddr, K, wStride, N * 4], N, unit);
  }
  p.out.set(heap.subarray(yAddr / 4, yAddr / 4 + M * N), p.outOffset);
  return pinned ? "matvec pinned" : "matvec";
}

/** The wasm backend's matmul for float32 operands; returns the kernel that ran. */
export function matmulWasm(p: MatmulParams): WasmKernel {
  if (p.K === 0 || p.M === 0 || p.N === 0) {
    p.out.fill(0, p.outOffset, p.outOffset + p.M * p.N);
    return "empty";
  }
  const largeWt = p.bRowStride === 1 && p.K * p.N * 4 >= LARGE_WEIGHT_BYTES;
  const matvec = p.M <= (largeWt ? MATVEC_MAX_M_LARGE_WT : MATVEC_MAX_M) ? matvecWasm(p) : null;
  if (matvec !== null) return matvec;
  gemmWasm(p);
  return "gemm";
}
