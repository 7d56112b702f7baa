// The elementwise functions built on exp (exp, SiLU, GELU in both forms, and their derivatives) on
// the wasm SIMD kernels of unary.wat: copy x (and the incoming gradient) into the shared
// memory, run four lanes at a time, copy the result out. The copies cost ~1 ns per element; the
// JavaScript loops they replace cost 10-40 ns (Math.exp / Math.tanh), so this pays from a few
// dozen elements up (select.ts has the threshold).
// Big arrays go through in chunks, so the scratch region stays small.
// Not here: the other unary ops (neg, log, sqrt, relu, pow are single cheap passes in JS), float64.
// Reference: unary.wat (what each kernel computes); @llmts/tensor's reference.ts (the float64 oracle).

import type { UnaryOp } from "@llmts/tensor";
import { align, ensureBytes, heapF32, unaryKernels as k, scratchBase } from "./memory.ts";

const FORWARD: Partial<Record<UnaryOp, (x: number, out: number, n: number) => void>> = {
  exp: k.exp,
  silu: k.silu,
  gelu: k.gelu,
  geluTanh: k.geluTanh,
};
const GRAD: Partial<Record<UnaryOp, (x: number, g: number, out: number, n: number) => void>> = {
  silu: k.siluGrad,
  gelu: k.geluGrad,
  geluTanh: k.geluTanhGrad,
};

/** True when `op` has a wasm forward kernel (and, with `grad`, a derivative kernel). */
export function hasUnaryWasm(op: UnaryOp, grad: boolean): boolean {
  return (grad ? GRAD[op] : FORWARD[op]) !== undefined;
}

const CHUNK = 1 << 16; // elements per pass: 256 KiB per buffer

/** out = f(x) (inputs.length 1) or g · f'(x) (inputs [x, g]) over float32 arrays of one length. */
function run(inputs: Float32Array[], out: Float32Array, kernel: (...addrs: number[]) => void): void {
  const n = out.length;
  const chunk = Math.min(CHUNK, Math.ceil(n / 4) * 4);
  const addrs: number[] = [];
  let at = scratchBase();
  for (let j = 0; j <= inputs.length; j++) {
    addrs.push(at);
    at = align(at + chunk * 4);
  }
  ensureBytes(at);
  const heap = heapF32();
  for (let start = 0; start < n; start += chunk) {
    const len = Math.min(chunk, n - start);
    const len4 = Math.ceil(len / 4) * 4; // the kernels work on whole vectors; the tail is ignored
    inputs.forEach((x, j) => {
      heap.set(x.subarray(start, start + len), addrs[j]! / 4);
    });
    kernel(...addrs, len4);
    out.set(heap.subarray(addrs[inputs.length]! / 4, addrs[inputs.length]! / 4 + len), start);
  }
}

export function unaryWasm(op: UnaryOp, x: Float32Array, out: Float32Array): void {
  run([x], out, FORWARD[op]! as (...a: number[]) => void);
}

export function unaryGradWasm(op: UnaryOp, x: Float32Array, g: Float32Array, out: Float32Array): void {
  run([x, g], out, GRAD[op]! as (...a: number[]) => void);
}
