// The wasm backend: matmul on the hand-written WebAssembly SIMD kernels of wasm/ (packed,
// register-tiled gemm; matrix-vector kernels for decoding; optional worker threads), every other
// primitive the fast backend's (single passes over memory, where SIMD gains little in V8).
// Not here: float64 (gradient checks run in float64; those products take the reference kernel),
// the per-shape choice between this and the JS kernels (select.ts).
// Reference: wasm/kernels.ts (what the kernels compute), reference.ts (the oracle they match).

import type { Backend, MatmulParams } from "./backend.ts";
import { fastBackend } from "./fast.ts";
import { matmulReference } from "./reference.ts";
import { matmulWasm } from "./wasm/matmul.ts";

export function isFloat32(p: MatmulParams): boolean {
  return p.a instanceof Float32Array && p.b instanceof Float32Array && p.out instanceof Float32Array;
}

export const wasmBackend: Backend = {
  ...fastBackend,
  name: "wasm",
  matmul: (p) => (isFloat32(p) ? matmulWasm(p) : matmulReference(p)),
};
