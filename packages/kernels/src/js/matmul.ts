// The fast matmul kernel: cache-blocked and register-tiled for float32, with a matrix-vector
// path for M = 1. Used by the js backend (backend.ts); tested against matmulReference.
//
// It follows the BLIS/GotoBLAS structure, scaled down to what V8 does well:
//   for each KC-deep slice of K:             pack B[kSlice, :] into NR-wide column panels
//     for each MC-tall block of rows of A:   pack A[rows, kSlice] into MR-tall row panels
//       for each (MR x NR) tile of C:        micro-kernel: 16 accumulators in locals, one
//                                            pass over k reading both panels sequentially
// Packing turns any strides (transposed views included) into sequential reads, and keeps the
// working set (an A block of MC·KC and one B panel of KC·NR floats) in L1/L2. The packing
// buffers are allocated once and grown, never inside the loops. Accumulation is in float64
// (JavaScript numbers) within a K slice.
// M = 1 (one token while decoding) skips packing: y = x @ W streams W once, which is all a
// matrix-vector product can do.
// Not here: SIMD (not reachable from plain JS) and threads: the wasm backend (wasm/) has both.
// References: Goto & van de Geijn, "Anatomy of High-Performance Matrix Multiplication" (2008);
// llama2.c `matmul` for the matrix-vector shape.

import { type FloatArray, type MatmulParams, matmulReference } from "@llmts/tensor";

const MR = 4; // rows of C per micro-tile
const NR = 4; // columns of C per micro-tile
const KC = 256; // depth of one packed slice
const MC = 64; // rows of A per packed block

const packedA = new Float32Array(MC * KC);
let packedB = new Float32Array(KC * 1024);
let rowScratch = new Float32Array(1024);
let accScratch = new Float64Array(1024);
const edgeTile = new Float64Array(MR * NR);

/** Packs B[k0 .. k0+kc, 0 .. N] as panels of NR columns: panel q holds B[k, q·NR + c] at q·kc·NR + k·NR + c. */
function packB(p: MatmulParams, k0: number, kc: number): void {
  const { N, b } = p;
  const panels = Math.ceil(N / NR);
  if (packedB.length < panels * kc * NR) packedB = new Float32Array(panels * kc * NR);
  const dst = packedB;
  for (let q = 0; q < panels; q++) {
    const j0 = q * NR;
    const cols = Math.min(NR, N - j0);
    let d = q * kc * NR;
    for (let k = 0; k < kc; k++) {
      const src = p.bOffset + (k0 + k) * p.bRowStride + j0 * p.bColStride;
      for (let c = 0; c < NR; c++) dst[d + c] = c < cols ? b[src + c * p.bColStride]! : 0;
      d += NR;
    }
  }
}

/** Packs A[i0 .. i0+mc, k0 .. k0+kc] as panels of MR rows: panel r holds A[r·MR + i, k] at r·kc·MR + k·MR + i. */
function packA(p: MatmulParams, i0: number, mc: number, k0: number, kc: number): void {
  const { a } = p;
  const panels = Math.ceil(mc / MR);
  const dst = packedA;
  for (let r = 0; r < panels; r++) {
    const rows = Math.min(MR, mc - r * MR);
    let d = r * kc * MR;
    const base = p.aOffset + (i0 + r * MR) * p.aRowStride + k0 * p.aColStride;
    for (let k = 0; k < kc; k++) {
      const src = base + k * p.aColStride;
      for (let i = 0; i < MR; i++) dst[d + i] = i < rows ? a[src + i * p.aRowStride]! : 0;
      d += MR;
    }
  }
}

/**
 * C[i0 .. i0+rows, j0 .. j0+cols] (+)= A panel (MR x kc) @ B panel (kc x NR).
 * The 16 partial sums live in local variables so V8 keeps them in registers.
 */
function microKernel(
  kc: number,
  aStart: number,
  bStart: number,
  out: FloatArray,
  cStart: number,
  N: number,
  rows: number,
  cols: number,
  accumulate: boolean,
): void {
  const A = packedA;
  const B = packedB;
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  let ai = aStart;
  let bi = bStart;
  for (let k = 0; k < kc; k++) {
    const a0 = A[ai]!,
      a1 = A[ai + 1]!,
      a2 = A[ai + 2]!,
      a3 = A[ai + 3]!;
    const b0 = B[bi]!,
      b1 = B[bi + 1]!,
      b2 = B[bi + 2]!,
      b3 = B[bi + 3]!;
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
    ai += MR;
    bi += NR;
  }
  if (rows === MR && cols === NR) {
    const r0 = cStart,
      r1 = cStart + N,
      r2 = cStart + 2 * N,
      r3 = cStart + 3 * N;
    if (accumulate) {
      out[r0]! += c00;
      out[r0 + 1]! += c01;
      out[r0 + 2]! += c02;
      out[r0 + 3]! += c03;
      out[r1]! += c10;
      out[r1 + 1]! += c11;
      out[r1 + 2]! += c12;
      out[r1 + 3]! += c13;
      out[r2]! += c20;
      out[r2 + 1]! += c21;
      out[r2 + 2]! += c22;
      out[r2 + 3]! += c23;
      out[r3]! += c30;
      out[r3 + 1]! += c31;
      out[r3 + 2]! += c32;
      out[r3 + 3]! += c33;
    } else {
      out[r0] = c00;
      out[r0 + 1] = c01;
      out[r0 + 2] = c02;
      out[r0 + 3] = c03;
      out[r1] = c10;
      out[r1 + 1] = c11;
      out[r1 + 2] = c12;
      out[r1 + 3] = c13;
      out[r2] = c20;
      out[r2 + 1] = c21;
      out[r2 + 2] = c22;
      out[r2 + 3] = c23;
      out[r3] = c30;
      out[r3 + 1] = c31;
      out[r3 + 2] = c32;
      out[r3 + 3] = c33;
    }
    return;
  }
  // An edge tile: write only the rows and columns that exist.
  const tile = edgeTile;
  tile[0] = c00;
  tile[1] = c01;
  tile[2] = c02;
  tile[3] = c03;
  tile[4] = c10;
  tile[5] = c11;
  tile[6] = c12;
  tile[7] = c13;
  tile[8] = c20;
  tile[9] = c21;
  tile[10] = c22;
  tile[11] = c23;
  tile[12] = c30;
  tile[13] = c31;
  tile[14] = c32;
  tile[15] = c33;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const o = cStart + i * N + j;
      out[o] = accumulate ? out[o]! + tile[i * NR + j]! : tile[i * NR + j]!;
    }
  }
}

function matmulBlocked(p: MatmulParams): void {
  const { M, K, N, out } = p;
  if (K === 0) {
    out.fill(0, p.outOffset, p.outOffset + M * N);
    return;
  }
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = Math.min(KC, K - k0);
    packB(p, k0, kc);
    for (let i0 = 0; i0 < M; i0 += MC) {
      const mc = Math.min(MC, M - i0);
      packA(p, i0, mc, k0, kc);
      for (let j = 0; j < N; j += NR) {
        const bStart = (j / NR) * kc * NR;
        for (let i = 0; i < mc; i += MR) {
          microKernel(
            kc,
            (i / MR) * kc * MR,
            bStart,
            out,
            p.outOffset + (i0 + i) * N + j,
            N,
            Math.min(MR, mc - i),
            Math.min(NR, N - j),
            k0 > 0,
          );
        }
      }
    }
  }
}

/** y [N] = x [K] @ B [K, N] — one token's activations times a weight matrix. */
function matvec(p: MatmulParams): void {
  const { K, N, a, b, out } = p;
  // x as a contiguous array (a [1, K] row, possibly strided).
  if (rowScratch.length < K) rowScratch = new Float32Array(K);
  const x = rowScratch;
  for (let k = 0; k < K; k++) x[k] = a[p.aOffset + k * p.aColStride]!;
  const o = p.outOffset;
  if (p.bRowStride === 1) {
    // B stored as [N, K] (x @ Wᵀ, Llama's layout): each output is a dot product of two
    // contiguous rows. Four partial sums break the dependency chain of one long sum.
    for (let j = 0; j < N; j++) {
      const w = p.bOffset + j * p.bColStride;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      let k = 0;
      for (; k + 3 < K; k += 4) {
        s0 += x[k]! * b[w + k]!;
        s1 += x[k + 1]! * b[w + k + 1]!;
        s2 += x[k + 2]! * b[w + k + 2]!;
        s3 += x[k + 3]! * b[w + k + 3]!;
      }
      for (; k < K; k++) s0 += x[k]! * b[w + k]!;
      out[o + j] = s0 + s1 + s2 + s3;
    }
    return;
  }
  if (p.bColStride === 1) {
    // B stored as [K, N] (GPT-2's Conv1D layout): y += x[k] · B[k, :] four rows at a time,
    // so y is read and written once per four rows of B.
    if (accScratch.length < N) accScratch = new Float64Array(N);
    const acc = accScratch;
    acc.fill(0, 0, N);
    const rs = p.bRowStride;
    let k = 0;
    for (; k + 3 < K; k += 4) {
      const x0 = x[k]!,
        x1 = x[k + 1]!,
        x2 = x[k + 2]!,
        x3 = x[k + 3]!;
      const r0 = p.bOffset + k * rs;
      const r1 = r0 + rs,
        r2 = r1 + rs,
        r3 = r2 + rs;
      for (let j = 0; j < N; j++)
        acc[j]! += x0 * b[r0 + j]! + x1 * b[r1 + j]! + x2 * b[r2 + j]! + x3 * b[r3 + j]!;
    }
    for (; k < K; k++) {
      const xk = x[k]!;
      const r = p.bOffset + k * rs;
      for (let j = 0; j < N; j++) acc[j]! += xk * b[r + j]!;
    }
    for (let j = 0; j < N; j++) out[o + j] = acc[j]!;
    return;
  }
  matmulReference(p);
}

export function matmulJs(p: MatmulParams): void {
  // The blocked kernel is specialised to float32 (its packing buffers are Float32Arrays);
  // float64 (used by gradient checks) takes the reference path.
  if (!(p.a instanceof Float32Array && p.b instanceof Float32Array && p.out instanceof Float32Array)) {
    matmulReference(p);
    return;
  }
  if (p.M === 1) matvec(p);
  else matmulBlocked(p);
}
