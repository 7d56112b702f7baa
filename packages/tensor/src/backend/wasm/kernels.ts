// The WebAssembly SIMD kernels, written with the folded-instruction helpers of asm.ts and
// assembled once at load time (a few KB). Three functions, all on float32 in one shared memory,
// every address and stride in bytes:
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
//   axpyRows(x, w, y, K, rowBytes)            y[j] = Σ_k x[k]·W[k, j]   (W [K, N], N % 32 == 0)
//     GPT-2's Conv1D layout (x @ W): a strip of 32 outputs (two cache lines) stays in eight
//     registers while k walks down the rows of W.
//
// There is no fused multiply-add in wasm SIMD 1.0 (relaxed SIMD is not on by default in Node
// 20), so each term is f32x4.mul then f32x4.add, rounded twice as in plain float32 C code.
// Not here: packing, padding and the blocking over K and M (wasm-matmul.ts does those in JS,
// where the shapes are known), threads (workers.ts runs these same functions on other threads).
// Reference: Goto & van de Geijn (2008) and the BLIS micro-kernel; XNNPACK's f32-gemm
// "wasmsimd splat" kernels use the same load-B / splat-A scheme.

import {
  assembleModule,
  type Code,
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

function axpyRows(): FunctionDef {
  const V = 8; // vectors per strip: 32 floats
  const [x, w, y, K, rowBytes] = [0, 1, 2, 3, 4];
  const [jb, k, wp, xp] = [5, 6, 7, 8];
  const acc = (v: number) => 9 + v;
  const xs = 9 + V;
  const locals = [I32, I32, I32, I32, ...new Array(V + 1).fill(V128)];
  const kStep: Code[] = [set(xs, f32x4.splat(f32Load(get(xp))))];
  const zero: Code[] = [];
  const store: Code[] = [];
  for (let v = 0; v < V; v++) {
    kStep.push(set(acc(v), f32x4.add(get(acc(v)), f32x4.mul(get(xs), v128Load(get(wp), v * 16)))));
    zero.push(set(acc(v), v128Zero()));
    store.push(v128Store(i32.add(get(y), get(jb)), get(acc(v)), v * 16));
  }
  kStep.push(inc(wp, get(rowBytes)), inc(xp, i32c(4)));
  const body = [
    forLoop(jb, i32c(0), get(rowBytes), i32c(V * 16), [
      set(wp, i32.add(get(w), get(jb))),
      set(xp, get(x)),
      ...zero,
      forLoop(k, i32c(0), get(K), i32c(1), kStep),
      ...store,
    ]),
  ];
  return { name: "axpyRows", params: new Array(5).fill(I32), locals, body };
}

export interface KernelExports {
  gemmBlock(a: number, lda: number, b: number, c: number, ldc: number, strips: number, panels: number, kc: number): void;
  dotRows(x: number, w: number, y: number, rows: number, rowBytes: number): void;
  axpyRows(x: number, w: number, y: number, K: number, rowBytes: number): void;
}

/** 64 KiB pages: 1 to start, up to 2 GiB (the memory grows as operands need). */
export const MAX_PAGES = 32768;

/** The kernels as a wasm binary (compiled once by wasm-matmul.ts, shared with workers). */
export function kernelModuleBytes(): Uint8Array {
  return assembleModule([gemmBlock(), dotRows(), axpyRows()], 1, MAX_PAGES);
}
