// The one shared WebAssembly.Memory the SIMD kernels run on, and its two regions:
//   [0, pinnedTop)        weights copied in once by pinWeights() (see pinned.ts), kept until unpinned
//   [pinnedTop, ...)      per-call scratch: each matmul copies its operands here, runs, copies C out
// The memory is `shared` (its buffer is a SharedArrayBuffer), so worker threads instantiate the
// same module over the same bytes, and a Float32Array over an old buffer stays valid after a
// grow (shared buffers never detach; they just do not see the new pages).
// Not here: freeing individual blocks (scratch is reset by every call; pinned memory is released
// all at once), anything that knows about matmul.
// Reference: WebAssembly JS API, `WebAssembly.Memory({ shared: true })`.

import { type KernelExports, kernelModuleBytes, MAX_PAGES } from "./kernels.ts";

const PAGE = 65536;

// The slice of the WebAssembly JS API used here. This repository's TypeScript config has no DOM
// lib, and @types/node declares the WebAssembly namespace's types but not its constructors.
interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export const kernelModule = new wasm.Module(kernelModuleBytes());
export const memory = new wasm.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
export const kernels = new wasm.Instance(kernelModule, { env: { memory } }).exports as KernelExports;

/** Compiles and instantiates another module of kernels over the same memory (main thread only). */
export function instantiate<T>(bytes: Uint8Array): T {
  return new wasm.Instance(new wasm.Module(bytes), { env: { memory } }).exports as T;
}

let heap = new Float32Array(memory.buffer);

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

/** Grows the memory so that bytes [0, end) exist. */
export function ensureBytes(end: number): void {
  const have = memory.buffer.byteLength;
  if (end <= have) return;
  memory.grow(pagesToGrow(have / PAGE, Math.ceil(end / PAGE), MAX_PAGES));
  heap = new Float32Array(memory.buffer);
}

/** 64-byte alignment (a cache line) for every block. */
export const align = (bytes: number): number => Math.ceil(bytes / 64) * 64;

let pinnedTop = 0;

/** Start of the scratch region. */
export function scratchBase(): number {
  return pinnedTop;
}

/** Reserves `bytes` in the pinned region and returns its address (moves the scratch up). */
export function allocPinned(bytes: number): number {
  const at = pinnedTop;
  pinnedTop = align(pinnedTop + bytes);
  ensureBytes(pinnedTop);
  return at;
}

/** Releases the whole pinned region. */
export function resetPinned(): void {
  pinnedTop = 0;
}
