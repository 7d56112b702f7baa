// The gpu.js backend: matmul as a gpu.js kernel; every other primitive is the js backend's.
// gpu.js compiles the JavaScript kernel below for the best mode it finds: in browsers WebGL2 or
// WebGL (the GPU; a software rasteriser or its "cpu" mode where there is none), in Node "webasm"
// (WebAssembly, no GPU). Which mode ran shows in kernelCounts() ("matmul gpujs webgl2") and in
// describeBackend(). The auto backend uses this kernel only where it measured faster (gpu-auto.ts).
//
// gpu.js pitfalls handled here (found the hard way, in Node and in browsers):
// - a loop bounded by a kernel *argument* stops silently after 1000 iterations, so K is a
//   kernel constant, not an argument;
// - a kernel compiles per argument-size signature, so kernels are cached per (M, K, N), at most
//   KERNEL_CACHE_SIZE of them, least recently used evicted (and destroyed): shapes that change
//   every step, like a prefill of each new prompt length, must not pile up compiled kernels;
// - each call copies both operands into the kernel's memory (a texture on a GPU) and C out, so
//   strided views are made contiguous first (one more copy in JS).
// gpu.js itself comes from the platform adapter (../platform.ts): the Node build is loaded on
// first use (~140 ms), the browser build is imported with "@llmts/kernels/browser".
// Not here: float64 (reference kernel), threads (gpu.js threads need its async contract).
// Reference: gpu.js 2.24 README ("createKernel", "constants", "output").

import { type BackendKernels, type MatmulParams, matmulReference } from "@llmts/tensor";
import type { GPU, IKernelRunShortcut } from "gpu.js";
import { jsBackend } from "./js/backend.ts";
import { countKernel } from "./kernel-stats.ts";
import { type GpuJs, getPlatform, needsPlatform } from "./platform.ts";

let lib: GpuJs | null = null;
let gpu: GPU | null = null;
/** Compiled kernels by "M,K,N", least recently used first (a Map keeps insertion order). */
const cache = new Map<string, IKernelRunShortcut>();
export const KERNEL_CACHE_SIZE = 32;

/** Kernels compiled and kept now (at most KERNEL_CACHE_SIZE). */
export function gpujsKernelCount(): number {
  return cache.size;
}

function getGpu(): GPU {
  if (lib === null) {
    const platform = getPlatform();
    if (platform === null) throw needsPlatform("the gpujs backend");
    lib = platform.gpujs();
  }
  gpu ??= new lib.GPU();
  return gpu;
}

/** The gpu.js mode kernels compile to: "webgl2" or "webgl" on a GPU, "webasm" in Node, "cpu". */
export function gpujsMode(): string {
  const chosen = (getGpu() as unknown as { Kernel?: { mode?: string } }).Kernel;
  if (chosen === undefined) return getGpu().mode ?? "unknown";
  if (chosen === lib!.WebGL2Kernel) return "webgl2";
  if (chosen === lib!.WebGLKernel) return "webgl";
  if (chosen === lib!.HeadlessGLKernel) return "headlessgl";
  return chosen.mode ?? "unknown";
}

/** True when gpu.js runs on a GPU (a WebGL mode), where it may beat the wasm kernels. */
export function gpujsOnGpu(): boolean {
  return /^webgl/.test(gpujsMode());
}

function kernelFor(M: number, K: number, N: number): IKernelRunShortcut {
  const key = `${M},${K},${N}`;
  let kernel = cache.get(key);
  if (kernel !== undefined) {
    cache.delete(key); // move to the most recently used end
    cache.set(key, kernel);
  } else {
    if (cache.size >= KERNEL_CACHE_SIZE) {
      const [oldest, evicted] = cache.entries().next().value as [string, IKernelRunShortcut];
      cache.delete(oldest);
      evicted.destroy();
    }
    // C[y][x] = Σ_k A[y][k] · B[k][x]; `this.constants.K` keeps the loop uncapped.
    kernel = getGpu().createKernel(
      function (
        this: { thread: { x: number; y: number }; constants: { K: number } },
        a: number[][],
        b: number[][],
      ) {
        let sum = 0;
        for (let k = 0; k < this.constants.K; k++) sum += a[this.thread.y]![k]! * b[k]![this.thread.x]!;
        return sum;
      },
      { output: [N, M], constants: { K }, tactic: "speed" },
    );
    cache.set(key, kernel);
  }
  return kernel;
}

/** A strided [rows, cols] view as a contiguous Float32Array (no copy when already contiguous). */
function contiguous(data: Float32Array, offset: number, rs: number, cs: number, rows: number, cols: number) {
  if (cs === 1 && rs === cols) return data.subarray(offset, offset + rows * cols);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) out[i * cols + j] = data[offset + i * rs + j * cs]!;
  return out;
}

/** C = A @ B on gpu.js for float32 (false when it fell back to the reference: float64, K = 0). */
export function matmulGpujs(p: MatmulParams): boolean {
  const { M, K, N } = p;
  if (!(p.a instanceof Float32Array && p.b instanceof Float32Array) || K === 0) {
    matmulReference(p);
    return false;
  }
  const a = contiguous(p.a, p.aOffset, p.aRowStride, p.aColStride, M, K);
  const b = contiguous(p.b, p.bOffset, p.bRowStride, p.bColStride, K, N);
  const c = kernelFor(M, K, N)(lib!.input(a, [K, M]), lib!.input(b, [N, K])) as Float32Array[] | Float32Array;
  if (M === 1 && c instanceof Float32Array) p.out.set(c.subarray(0, N), p.outOffset);
  else for (let i = 0; i < M; i++) p.out.set((c as Float32Array[])[i]!, p.outOffset + i * N);
  return true;
}

/** The gpujs backend's matmul, counted by mode for --verbose ("matmul gpujs webgl2"). */
function gpujsBackendMatmul(p: MatmulParams): void {
  if (matmulGpujs(p)) countKernel(`matmul gpujs ${gpujsMode()}`);
  else countKernel("matmul reference");
}

export const gpujsBackend = {
  ...jsBackend,
  name: "gpujs",
  matmul: gpujsBackendMatmul,
} satisfies BackendKernels;
