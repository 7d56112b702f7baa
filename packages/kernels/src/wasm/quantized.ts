// y = x @ Wᵀ with W quantized (Q8_0 / Q4_0) on the wasm SIMD kernels of quant.wat:
//
//   1. W is copied into the wasm memory once, the first time it is used, and stays there (a
//      QuantizedMatrix is never written, so unlike f32 weights it needs no pinWeights promise),
//      repacked for streaming: rows in groups of 4, each group block by block (the 4 rows' quants,
//      then their 4 scales as f32), so a group is one sequential run of bytes and the kernel
//      scales four rows with one vector multiply. ggml keeps an f16 scale before each block of
//      each row; wasm has no f16 instructions, and the f32 costs 2 bytes a block (Q8_0: 36 bytes
//      for 32 weights instead of 34). Rows are padded to a multiple of 4 with zero rows.
//   2. Each call copies x in, quantizes it per block of 32 with an f32 scale (quantizeRows: what
//      llama2.c's runq and ggml do, to 16 bits instead of 8: quant.wat says why), and splits the
//      groups over the threads; every thread runs q8_0Rows / q4_0Rows on its groups against all
//      of x.
//   3. y comes back [rows, M] (each thread's rows contiguous) and is copied out as [M, N].
// Activations quantized vs kept f32 was measured (README, "Quantized weights"): integer block
// sums are 1.5-3.8x faster than widening every weight to f32; int8 activations missed the
// accuracy goal, int16 ones meet it at the same speed.
// Not here: the kernels (quant.wat), the plain definition (@llmts/tensor's
// matmulQuantizedReference), the JS twin of this algorithm (../js/quantized.ts).
// Reference: llama2.c runq.c `matmul` (QuantizedTensor: int8 q + float s per group); XNNPACK's
// packed weights (one contiguous panel per group of output rows).

import { halfToFloat, QUANT_BLOCK, type QuantizedMatmulParams, type QuantizedMatrix } from "@llmts/tensor";
import { align, allocPinned, ensureBytes, heapF32, memory, quantKernels, scratchBase } from "./memory.ts";
import { JOB, runJob, workerCount } from "./workers.ts";

/** Where a weight lies in the wasm memory: groups of 4 rows, `groupBytes` each. */
interface Resident {
  at: number;
  /** Rows padded to a multiple of 4. */
  Np: number;
  groupBytes: number;
}

let resident = new WeakMap<QuantizedMatrix, Resident>();
let residentCount = 0;

/** Forgets every copied weight (their memory is released with the pinned region, memory.ts). */
export function releaseQuantized(): void {
  resident = new WeakMap();
  residentCount = 0;
}

/** Quantized weights copied into wasm memory so far (for describeBackend). */
export function residentQuantizedCount(): number {
  return residentCount;
}

/** Copies W into the pinned region in the kernels' layout (quant.wat: groups of 4 rows), once. */
function residentOf(w: QuantizedMatrix): Resident {
  const known = resident.get(w);
  if (known !== undefined) return known;
  const blocks = w.cols / QUANT_BLOCK;
  const Np = Math.ceil(w.rows / 4) * 4;
  const quantBytes = w.type === "Q8_0" ? 32 : 16; // a block's quants in one row
  const stepBytes = 4 * quantBytes + 16; // a block of a group: 4 rows' quants, 4 f32 scales
  const groupBytes = blocks * stepBytes;
  const at = allocPinned((Np / 4) * groupBytes);
  const bytes = new Uint8Array(memory.buffer);
  const scales = new DataView(memory.buffer);
  bytes.fill(0, at, at + (Np / 4) * groupBytes); // padding rows: zero quants, zero scales
  for (let n = 0; n < w.rows; n++) {
    const group = at + (n >> 2) * groupBytes;
    for (let b = 0; b < blocks; b++) {
      const src = (n * blocks + b) * (quantBytes + 2); // ggml: [f16 d][quants]
      const step = group + b * stepBytes;
      bytes.set(w.data.subarray(src + 2, src + 2 + quantBytes), step + (n & 3) * quantBytes);
      const d = halfToFloat(w.data[src]! | (w.data[src + 1]! << 8));
      scales.setFloat32(step + 4 * quantBytes + (n & 3) * 4, d, true);
    }
  }
  const r = { at, Np, groupBytes };
  resident.set(w, r);
  residentCount++;
  return r;
}

// Below this many weights times rows of x, one thread: waking workers costs more than it saves.
const SPLIT = 1 << 18;

/** out [M, N] = x [M, K] @ Wᵀ for float32 x and out. */
export function matmulQuantizedWasm(p: QuantizedMatmulParams): void {
  const { M, N, w } = p;
  const x = p.x as Float32Array;
  const K = w.cols;
  const r = residentOf(w); // first: it may move the scratch region up
  const blocks = K / QUANT_BLOCK;
  const xAddr = scratchBase();
  const xqAddr = align(xAddr + M * K * 4); // xq i16 [M, K], then xs f32 [M, K/32]
  const yAddr = align(xqAddr + M * K * 2 + M * blocks * 4); // y [Np, M]
  ensureBytes(yAddr + r.Np * M * 4);
  heapF32().set(x.subarray(0, M * K), xAddr / 4);
  quantKernels.quantizeRows(xAddr, xqAddr, M, K);

  const job = w.type === "Q8_0" ? JOB.q8_0Rows : JOB.q4_0Rows;
  const kernel = w.type === "Q8_0" ? quantKernels.q8_0Rows : quantKernels.q4_0Rows;
  if (M * K * N >= SPLIT && workerCount() > 0) {
    // rows of W shared out in chunks of whole groups of 4 (workers.ts)
    runJob(job, [xqAddr, M, r.at, yAddr, r.groupBytes, K], r.Np, 4);
  } else kernel(xqAddr, M, r.at, yAddr, r.Np, K);

  const heap = heapF32();
  const y = yAddr / 4;
  if (M === 1) p.out.set(heap.subarray(y, y + N));
  else for (let n = 0; n < N; n++) for (let i = 0; i < M; i++) p.out[i * N + n] = heap[y + n * M + i]!;
}
