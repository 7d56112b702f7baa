// The WebAssembly SIMD kernels, written with the folded-instruction helpers of asm.ts and
// assembled once at load time (a few KB). Four functions, all on float32 in one shared memory,
// every address and stride in bytes:
//
//   gemm(a, b, c, Np, K, i0, i1)   rows [i0, i1) of C = A @ B, cache-blocked over gemmBlock
//
//   gemmBlock(a, lda, b, c, ldc, strips, panels, kc)
//     C[strips·MR, panels·NR] += A[strips·MR, kc] @ Bpacked, where A is row-major with row
//     stride lda and B is packed as `panels` column panels of NR floats, each [kc, NR]
//     contiguous (panel p starts at b + p·kc·NR·4). The micro-kernel keeps an MR x NR tile of C
//     in MR·NR/4 f32x4 registers for the whole k loop: per k it loads NR/4 vectors of B, splats
//     MR scalars of A and does MR·NR/4 multiply-adds — the BLIS micro-kernel, in wasm SIMD.
//
//   dotRows(x, w, y, rows, rowBytes)          y[j] = Σ_k x[k]·W[j, k]   (W [rows, K], rows % 4 == 0)
//     The decode layout of Llama / nn.Linear (x @ Wᵀ): four rows at a time, two f32x4
//     accumulators per row (K % 8 == 0) so the add chains overlap; x is reused from registers.
//
//   axpyPanels(x, w, y, K, rowBytes, panelBytes, panels)    y[j] = Σ_k x[k]·W[k, j]
//     W as `panels` strips of 32 columns; strip q starts at w + q·panelBytes and its rows are
//     rowBytes apart. The 32 outputs of a strip (two cache lines) stay in eight registers while
//     k walks down its rows. Two layouts use it: W [K, N] row-major (GPT-2's Conv1D, x @ W:
//     rowBytes = N·4, panelBytes = 128), and a pinned weight packed strip by strip
//     ([N/32][K][32]: rowBytes = 128, panelBytes = K·128), which reads memory in one stream.
//
// There is no fused multiply-add in wasm SIMD 1.0 (relaxed SIMD is not on by default in Node
// 20), so each term is f32x4.mul then f32x4.add, rounded twice as in plain float32 C code.
// Not here: packing and padding (matmul.ts does those in JS, where the strides are known),
// threads (workers.ts runs these same functions on other threads).
// Reference: Goto & van de Geijn (2008) and the BLIS micro-kernel; XNNPACK's f32-gemm
// "wasmsimd splat" kernels use the same load-B / splat-A scheme.

import {
  assembleModule,
  type Code,
  call,
  type FunctionDef,
  f32Load,
  f32Store,
  f32x4,
  forLoop,
  get,
  hsum,
  I32,
  i32,
  i32c,
  inc,
  set,
  V128,
  v128Load,
  v128Store,
  v128Zero,
} from "./asm.ts";

/** Rows of C per micro-tile. */
export const MR = 4;
/** Columns of C per micro-tile (NV vectors of 4). */
export const NR = 8;
const NV = NR / 4;

function gemmBlock(): FunctionDef {
  // params
  const [a, lda, b, c, ldc, strips, panels, kc] = [0, 1, 2, 3, 4, 5, 6, 7];
  // scalar locals
  const [p, s, k, ak, bk, cs, bp, cp] = [8, 9, 10, 11, 12, 13, 14, 15];
  const rowOff = 16; // rowOff + r - 1 holds r·lda for r = 1 .. MR-1
  const firstVec = rowOff + MR - 1;
  const acc = (r: number, v: number) => firstVec + r * NV + v; // MR·NV accumulators
  const bv = (v: number) => firstVec + MR * NV + v; // NV vectors of B
  const av = firstVec + MR * NV + NV; // one splatted A value
  const locals = [...new Array(8 + MR - 1).fill(I32), ...new Array(MR * NV + NV + 1).fill(V128)];

  const aAddr = (r: number): Code => (r === 0 ? get(ak) : i32.add(get(ak), get(rowOff + r - 1)));
  const cAddr = (r: number): Code => i32.add(get(cs), i32.mul(get(ldc), i32c(r)));

  const kStep: Code[] = [];
  for (let v = 0; v < NV; v++) kStep.push(set(bv(v), v128Load(get(bk), v * 16)));
  for (let r = 0; r < MR; r++) {
    kStep.push(set(av, f32x4.splat(f32Load(aAddr(r)))));
    for (let v = 0; v < NV; v++) {
      kStep.push(set(acc(r, v), f32x4.add(get(acc(r, v)), f32x4.mul(get(av), get(bv(v))))));
    }
  }
  kStep.push(inc(ak, i32c(4)), inc(bk, i32c(NR * 4)));

  const loadC: Code[] = [];
  const storeC: Code[] = [];
  for (let r = 0; r < MR; r++) {
    for (let v = 0; v < NV; v++) {
      loadC.push(set(acc(r, v), v128Load(cAddr(r), v * 16)));
      storeC.push(v128Store(cAddr(r), get(acc(r, v)), v * 16));
    }
  }

  const body: Code[] = [];
  for (let r = 1; r < MR; r++) body.push(set(rowOff + r - 1, i32.mul(get(lda), i32c(r))));
  body.push(
    forLoop(p, i32c(0), get(panels), i32c(1), [
      set(bp, i32.add(get(b), i32.mul(get(p), i32.mul(get(kc), i32c(NR * 4))))), // panel p of B
      set(cp, i32.add(get(c), i32.mul(get(p), i32c(NR * 4)))), // its columns of C
      forLoop(s, i32c(0), get(strips), i32c(1), [
        set(cs, i32.add(get(cp), i32.mul(get(s), i32.mul(get(ldc), i32c(MR))))),
        set(ak, i32.add(get(a), i32.mul(get(s), i32.mul(get(lda), i32c(MR))))),
        set(bk, get(bp)),
        ...loadC,
        forLoop(k, i32c(0), get(kc), i32c(1), kStep),
        ...storeC,
      ]),
    ]),
  );
  return { name: "gemmBlock", params: new Array(8).fill(I32), locals, body };
}

function dotRows(): FunctionDef {
  const [x, w, y, rows, rowBytes] = [0, 1, 2, 3, 4];
  const [j, kb, wj] = [5, 6, 7];
  const acc = (r: number, h: number) => 8 + r * 2 + h; // 4 rows x 2 halves
  const xv0 = 16;
  const xv1 = 17;
  const locals = [I32, I32, I32, ...new Array(10).fill(V128)];
  const wRow = (r: number): Code => i32.add(get(wj), i32.add(i32.mul(get(rowBytes), i32c(r)), get(kb)));

  const kStep: Code[] = [
    set(xv0, v128Load(i32.add(get(x), get(kb)))),
    set(xv1, v128Load(i32.add(get(x), get(kb)), 16)),
  ];
  for (let r = 0; r < 4; r++) {
    kStep.push(set(acc(r, 0), f32x4.add(get(acc(r, 0)), f32x4.mul(get(xv0), v128Load(wRow(r))))));
    kStep.push(set(acc(r, 1), f32x4.add(get(acc(r, 1)), f32x4.mul(get(xv1), v128Load(wRow(r), 16)))));
  }
  const zero: Code[] = [];
  const store: Code[] = [];
  for (let r = 0; r < 4; r++) {
    zero.push(set(acc(r, 0), v128Zero()), set(acc(r, 1), v128Zero()));
    store.push(
      set(acc(r, 0), f32x4.add(get(acc(r, 0)), get(acc(r, 1)))),
      f32Store(i32.add(get(y), i32.mul(i32.add(get(j), i32c(r)), i32c(4))), hsum(acc(r, 0))),
    );
  }
  const body = [
    forLoop(j, i32c(0), get(rows), i32c(4), [
      set(wj, i32.add(get(w), i32.mul(get(j), get(rowBytes)))),
      ...zero,
      forLoop(kb, i32c(0), get(rowBytes), i32c(32), kStep),
      ...store,
    ]),
  ];
  return { name: "dotRows", params: new Array(5).fill(I32), locals, body };
}

function axpyPanels(): FunctionDef {
  const V = 8; // vectors per panel: 32 floats, two cache lines
  const [x, w, y, K, rowBytes, panelBytes, panels] = [0, 1, 2, 3, 4, 5, 6];
  const [q, k, wp, xp] = [7, 8, 9, 10];
  const acc = (v: number) => 11 + v;
  const xs = 11 + V;
  const locals = [I32, I32, I32, I32, ...new Array(V + 1).fill(V128)];
  const kStep: Code[] = [set(xs, f32x4.splat(f32Load(get(xp))))];
  const zero: Code[] = [];
  const store: Code[] = [];
  for (let v = 0; v < V; v++) {
    kStep.push(set(acc(v), f32x4.add(get(acc(v)), f32x4.mul(get(xs), v128Load(get(wp), v * 16)))));
    zero.push(set(acc(v), v128Zero()));
    store.push(v128Store(i32.add(get(y), i32.mul(get(q), i32c(V * 16))), get(acc(v)), v * 16));
  }
  kStep.push(inc(wp, get(rowBytes)), inc(xp, i32c(4)));
  const body = [
    forLoop(q, i32c(0), get(panels), i32c(1), [
      set(wp, i32.add(get(w), i32.mul(get(q), get(panelBytes)))),
      set(xp, get(x)),
      ...zero,
      forLoop(k, i32c(0), get(K), i32c(1), kStep),
      ...store,
    ]),
  ];
  return { name: "axpyPanels", params: new Array(7).fill(I32), locals, body };
}

/** Depth of one K slice and rows of A per block in gemm (MC a multiple of MR). */
export const KC = 256;
export const MC = 64;

/**
 * gemm(a, b, c, Np, K, i0, i1): rows [i0, i1) of C [Mp, Np] = A [Mp, K] @ Bpacked, B packed by
 * matmul.ts as KC-deep slices (slice k0 at b + k0·Np·4) of NR-wide panels. The cache blocking:
 *   for k0 in steps of KC:  for r in i0..i1 in steps of MC:  gemmBlock(A[r.., k0..], slice k0, C[r..])
 * (the A block, MC·KC floats = 64 KiB, stays in L2; one B panel, KC·NR floats = 8 KiB, in L1).
 * Rows are the unit a thread gets (workers.ts), so i0 and i1 are multiples of MR (or i1 = Mp).
 */
function gemm(gemmBlockIndex: number): FunctionDef {
  const [a, b, c, Np, K, i0, i1] = [0, 1, 2, 3, 4, 5, 6];
  const [k0, kc, r, mc, rest, cap] = [7, 8, 9, 10, 11, 12];
  const body = [
    forLoop(k0, i32c(0), get(K), i32c(KC), [
      set(rest, i32.sub(get(K), get(k0))),
      set(cap, i32c(KC)),
      set(kc, i32.minS(rest, cap)),
      forLoop(r, get(i0), get(i1), i32c(MC), [
        set(rest, i32.sub(get(i1), get(r))),
        set(cap, i32c(MC)),
        set(mc, i32.minS(rest, cap)),
        call(gemmBlockIndex, [
          i32.add(get(a), i32.mul(i32.add(i32.mul(get(r), get(K)), get(k0)), i32c(4))), // &A[r, k0]
          i32.mul(get(K), i32c(4)), // lda
          i32.add(get(b), i32.mul(i32.mul(get(k0), get(Np)), i32c(4))), // slice k0 of B
          i32.add(get(c), i32.mul(i32.mul(get(r), get(Np)), i32c(4))), // &C[r, 0]
          i32.mul(get(Np), i32c(4)), // ldc
          i32.shrU(get(mc), i32c(Math.log2(MR))), // strips = mc / MR
          i32.shrU(get(Np), i32c(Math.log2(NR))), // panels = Np / NR
          get(kc),
        ]),
      ]),
    ]),
  ];
  return { name: "gemm", params: new Array(7).fill(I32), locals: new Array(6).fill(I32), body };
}

export interface KernelExports {
  gemm(a: number, b: number, c: number, Np: number, K: number, i0: number, i1: number): void;
  gemmBlock(
    a: number,
    lda: number,
    b: number,
    c: number,
    ldc: number,
    strips: number,
    panels: number,
    kc: number,
  ): void;
  dotRows(x: number, w: number, y: number, rows: number, rowBytes: number): void;
  axpyPanels(
    x: number,
    w: number,
    y: number,
    K: number,
    rowBytes: number,
    panelBytes: number,
    panels: number,
  ): void;
}

/** 64 KiB pages: 1 to start, up to 2 GiB (the memory grows as operands need). */
export const MAX_PAGES = 32768;

/** The kernels as a wasm binary (compiled once by memory.ts, shared with workers). */
export function kernelModuleBytes(): Uint8Array {
  return assembleModule([gemmBlock(), dotRows(), axpyPanels(), gemm(0)], 1, MAX_PAGES);
}
