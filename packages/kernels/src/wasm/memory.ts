// The one WebAssembly.Memory the SIMD kernels run on, the kernel modules compiled over it, and the
// memory's two regions:
//   [0, pinnedTop)        weights that live here (pinned.ts): loaded straight into the memory, or
//                         copied in once by pinWeights(); the kernels read them where they lie
//   [pinnedTop, ...)      per-call scratch: each kernel copies its small operands here, runs,
//                         copies its result out
// Where SharedArrayBuffer exists (Node; a cross-origin-isolated page) the memory is `shared`, so
// worker threads instantiate the same modules over the same bytes, and a Float32Array over an
// old buffer stays valid after a grow (shared buffers never detach): a weight can then be a
// plain Float32Array view into this memory (wasmAddress() finds where). Elsewhere (a page without
// COOP/COEP headers) it is a plain memory, the kernels run on one thread, no view of it is handed
// out, and every view is re-read after a grow (heapF32() after ensureBytes(), as every caller does).
// The kernels' bytes come compiled from their .wat sources (gemm.wat.ts, ...): nothing compiles
// WebAssembly text at run time.
// Not here: which arrays are pinned (pinned.ts), anything that knows about matmul.
// Reference: WebAssembly JS API, `WebAssembly.Memory({ shared: true })`.

import { gemmWasm } from "./gemm.wat.ts";
import { matvecWasm } from "./matvec.wat.ts";
import { quantWasm } from "./quant.wat.ts";
import { unaryWasm } from "./unary.wat.ts";

const PAGE = 65536;
/** 64 KiB pages: up to 2 GiB (the memory grows as operands need). The .wat files import this maximum. */
export const MAX_PAGES = 32768;

// The slice of the WebAssembly JS API used here. This repository's TypeScript config has no DOM
// lib, and @types/node declares the WebAssembly namespace's types but not its constructors.
interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}
export type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** True where a shared memory (and so worker threads) is possible. */
export const sharedMemory =
  typeof SharedArrayBuffer !== "undefined" &&
  (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;

function compile(compiled: { shared: string; unshared: string }): WasmModule {
  const text = atob(sharedMemory ? compiled.shared : compiled.unshared);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return new wasm.Module(bytes);
}

/** The compiled kernel modules: what a worker thread instantiates over the same memory. */
export const modules = {
  gemm: compile(gemmWasm),
  matvec: compile(matvecWasm),
  unary: compile(unaryWasm),
  quant: compile(quantWasm),
};
export const memory = new wasm.Memory({ initial: 16, maximum: MAX_PAGES, shared: sharedMemory });

/** The kernels of gemm.wat (byte addresses and strides; see the .wat for what each computes). */
export interface GemmExports {
  packA(a: number, rs: number, cs: number, M: number, K: number, dst: number): void;
  gemm(
    a: number,
    b: number,
    rs: number,
    cs: number,
    c: number,
    ldc: number,
    Mp: number,
    K: number,
    N: number,
    j0: number,
    j1: number,
    pack: number,
  ): void;
}
/** The kernels of matvec.wat. */
export interface MatvecExports {
  dotRows(x: number, w: number, y: number, rows: number, K: number, rowBytes: number): void;
  axpyRows(x: number, w: number, y: number, K: number, n: number, rowBytes: number): void;
  dotRowsBatch(
    x: number,
    M: number,
    w: number,
    y: number,
    rows: number,
    K: number,
    rowBytes: number,
    yRowBytes: number,
  ): void;
  axpyRowsBatch(
    x: number,
    M: number,
    w: number,
    y: number,
    K: number,
    n: number,
    rowBytes: number,
    yRowBytes: number,
  ): void;
}
/** The kernels of quant.wat: activations quantized per block, then products with Q8_0 / Q4_0 rows. */
export interface QuantExports {
  quantizeRows(x: number, xq: number, M: number, K: number): void;
  q8_0Rows(xq: number, M: number, w: number, y: number, rows: number, K: number): void;
  q4_0Rows(xq: number, M: number, w: number, y: number, rows: number, K: number): void;
}
/** The kernels of unary.wat: out = f(x), or out = g · f'(x). */
export interface UnaryExports {
  exp(x: number, out: number, n: number): void;
  silu(x: number, out: number, n: number): void;
  geluTanh(x: number, out: number, n: number): void;
  gelu(x: number, out: number, n: number): void;
  siluGrad(x: number, g: number, out: number, n: number): void;
  geluTanhGrad(x: number, g: number, out: number, n: number): void;
  geluGrad(x: number, g: number, out: number, n: number): void;
  softmaxRows(s: number, M: number, n: number, ranges: number, scale: number, stats: number): void;
  softmaxGradRows(
    s: number,
    d: number,
    M: number,
    n: number,
    ranges: number,
    scale: number,
    lse: number,
  ): void;
}

const instantiate = <T>(module: WasmModule): T => new wasm.Instance(module, { env: { memory } }).exports as T;

export const gemmKernels = instantiate<GemmExports>(modules.gemm);
export const matvecKernels = instantiate<MatvecExports>(modules.matvec);
export const unaryKernels = instantiate<UnaryExports>(modules.unary);
export const quantKernels = instantiate<QuantExports>(modules.quant);

let heap = new Float32Array(memory.buffer);
/** Every buffer object the memory has had: each grow of a shared memory hands out a new one. */
const buffers = new Set<ArrayBufferLike>([memory.buffer]);

/**
 * The byte address of `array`'s first element when it is a view into this memory (a weight
 * loaded here, a KV cache allocated here), else -1. Only shared memories hand out such views.
 */
export function wasmAddress(array: Float32Array | Float64Array | Int32Array): number {
  return sharedMemory && buffers.has(array.buffer) ? array.byteOffset : -1;
}

/** A float32 view of the whole memory (re-read after anything that may have grown it). */
export function heapF32(): Float32Array {
  return heap;
}

/**
 * Pages to add to a memory of `havePages` so that `needPages` exist: at least double (fewer
 * grows, fewer new views), but never past maxPages. Throws a RangeError when even maxPages is
 * too small.
 */
export function pagesToGrow(havePages: number, needPages: number, maxPages: number): number {
  if (needPages > maxPages) {
    throw new RangeError(
      `wasm backend: needs ${((needPages * PAGE) / 2 ** 30).toFixed(2)} GiB of wasm memory, more than its ${(maxPages * PAGE) / 2 ** 30} GiB maximum`,
    );
  }
  return Math.min(Math.max(needPages - havePages, havePages), maxPages - havePages);
}

/** Grows the memory so that bytes [0, end) exist; the caller may write them. */
export function ensureBytes(end: number): void {
  if (end > dirtyTop) dirtyTop = end;
  growTo(end);
}

/** Grows the memory so that bytes [0, end) exist. */
function growTo(end: number): void {
  const have = memory.buffer.byteLength;
  if (end <= have) return;
  memory.grow(pagesToGrow(have / PAGE, Math.ceil(end / PAGE), MAX_PAGES));
  heap = new Float32Array(memory.buffer);
  buffers.add(memory.buffer);
}

/** 64-byte alignment (a cache line) for every block. */
export const align = (bytes: number): number => Math.ceil(bytes / 64) * 64;

/** Blocks of the pinned region, sorted by address (byte address and length, 64-byte aligned). */
const blocks: { at: number; bytes: number }[] = [];
/** End of the highest block: where the scratch region starts. */
let pinnedTop = 0;
/** The highest byte ever handed out to write (scratch, pinned blocks): above it the memory is still zero. */
let dirtyTop = 0;

/** Start of the scratch region. */
export function scratchBase(): number {
  return pinnedTop;
}

/**
 * Reserves `bytes` in the pinned region and returns its address: the first gap between blocks
 * that fits, else the top (which moves the scratch up). The block's bytes are zero.
 */
export function allocPinned(bytes: number): number {
  const size = align(Math.max(bytes, 1));
  let at = 0;
  let index = 0;
  while (index < blocks.length && blocks[index]!.at - at < size) {
    at = blocks[index]!.at + blocks[index]!.bytes;
    index++;
  }
  growTo(at + size);
  blocks.splice(index, 0, { at, bytes: size });
  pinnedTop = Math.max(pinnedTop, at + size);
  // Memory above dirtyTop was never written (a grown memory is zero): zero only what may not be.
  // From here on the block's owner writes it.
  heap.fill(0, at / 4, Math.min(at + size, dirtyTop) / 4);
  dirtyTop = Math.max(dirtyTop, at + size);
  return at;
}

/** Releases the block at `at` (from allocPinned); the scratch moves down if it was the top one. */
export function freePinned(at: number): void {
  const index = blocks.findIndex((b) => b.at === at);
  if (index < 0) return;
  blocks.splice(index, 1);
  const last = blocks[blocks.length - 1];
  pinnedTop = last === undefined ? 0 : last.at + last.bytes;
}
