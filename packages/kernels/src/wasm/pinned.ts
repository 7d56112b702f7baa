// Pinned weights: inference weights that live in the wasm memory, so that a decoding step's
// matrix-vector products read W where it lies instead of copying it in first (for a product that
// reads each weight once, the copy would triple the memory traffic). The layout is the weight's
// own (row-major, as loaded): the kernels read [N, K] and [K, N] alike, so there is no packed
// second copy, and JavaScript reads the same array (an embedding lookup, a norm's gain).
//
// Two ways in:
//   pinnedFloat32(n)   a zeroed Float32Array inside the wasm memory, for a loader to read a weight
//                      into (`loadModel(dir, { allocate: pinnedFloat32 })`) or a KV cache to live
//                      in: the weights exist once, in the memory the kernels read. Its block is
//                      released when the array is garbage-collected (a FinalizationRegistry),
//                      so keep the array itself alive, not just a subarray() of it: a view that
//                      outlives its parent points at a block the next allocation may reuse.
//   pinArrays(arrays)  a promise that these arrays will not be written from now on: the first
//                      product that reads one copies it into the wasm memory, and later products
//                      read the copy. unpinArrays() releases the copies.
// The contract of the second is explicit because it cannot be checked cheaply: a pinned array
// must not be written while it is pinned (the kernels would keep reading the old copy). Inference
// code pins after loading (`pinWeights(parameters)`) and never trains; training code never pins.
// The first way has no such contract: the kernels read the array itself.
// Only a shared memory (threads possible) hands out views: a plain memory's buffer is replaced on
// every grow, which would detach them. And the weights stop at PINNED_MAX_BYTES, so the scratch
// always has room: past it pinnedFloat32() returns an ordinary array and pinning copies nothing.
// Not here: the kernels (matvec.wat), the scratch region (memory.ts).
// Reference: PyTorch's pin_memory (host memory a device reads without staging); TF.js's wasm
// backend, which keeps every tensor in wasm memory.

import {
  allocPinned,
  freePinned,
  heapF32,
  memory,
  scratchBase,
  sharedMemory,
  wasmAddress,
} from "./memory.ts";

/** Weights stop here (1.5 GiB of the memory's 2 GiB): the rest is for the kernels' scratch. */
export const PINNED_MAX_BYTES = 1.5 * 2 ** 30;

/** Copies of pinned arrays in the wasm memory (byte address), made on first use; -1: not yet. */
const pinned = new Map<Float32Array | Float64Array | Int32Array, number>();

/** True when `bytes` more fit below PINNED_MAX_BYTES. */
const fits = (bytes: number) => scratchBase() + bytes <= PINNED_MAX_BYTES;

/**
 * A zeroed Float32Array of n elements inside the wasm memory where a shared memory exists and
 * the weights have room, else an ordinary one: what a model loader reads a weight into.
 */
export function pinnedFloat32(n: number): Float32Array {
  if (!sharedMemory || !fits(n * 4)) return new Float32Array(n);
  const at = allocPinned(n * 4);
  const array = new Float32Array(memory.buffer, at, n);
  released.register(array, at);
  return array;
}

/** Frees the block of a pinnedFloat32() array once nothing refers to the array any more. */
const released = new FinalizationRegistry<number>(freePinned);

/** Marks each array as immutable from now on; each is copied in on first use. */
export function pinArrays(arrays: readonly Float32Array[]): void {
  for (const array of arrays) if (!pinned.has(array)) pinned.set(array, -1);
}

export function unpinArrays(): void {
  for (const at of pinned.values()) if (at >= 0) freePinned(at);
  pinned.clear();
}

/** Arrays pinned with pinArrays() (whether copied in yet or not). */
export function pinnedCount(): number {
  return pinned.size;
}

/** Of the pinned arrays, how many lie in the wasm memory already (loaded there: nothing to copy). */
export function pinnedInPlaceCount(): number {
  let n = 0;
  for (const array of pinned.keys()) if (wasmAddress(array) >= 0) n++;
  return n;
}

/**
 * The byte address of element 0 of `array` in the wasm memory — where it lies when it is a view
 * into the memory, or its pinned copy (made now if this is its first use) — or -1 when it is in
 * neither place.
 */
export function weightAddress(array: Float32Array | Float64Array | Int32Array): number {
  const at = wasmAddress(array);
  if (at >= 0) return at;
  const copy = pinned.get(array);
  if (copy === undefined || !(array instanceof Float32Array)) return -1;
  if (copy >= 0) return copy;
  if (!fits(array.byteLength)) return -1;
  const addr = allocPinned(array.byteLength);
  heapF32().set(array, addr / 4);
  pinned.set(array, addr);
  return addr;
}
