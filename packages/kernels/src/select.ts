// Choosing a backend: configureBackend() (what the CLI's --backend / --threads call),
// backendReady() (resolves once the worker threads run: await it in browsers), describeBackend()
// (what --verbose prints: the rule, and after a run the kernels that ran), the "auto" backend that
// picks a kernel per op and shape from the measurements in README.md, and pinWeights() for
// inference.
//
// auto's rules (float32; float64 always takes the reference kernels):
//   matmul   M·K·N < 4096                         -> js    (a wasm call costs ~1 µs of copies and setup)
//            in a browser with a GPU, M·K·N >= 2²¹,
//              where gpu.js measured faster        -> gpu.js (gpu-auto.ts)
//            everything else                      -> wasm  (4-7x the JS kernel from 32³ up; see README)
//   attention one new token (T = 1)               -> wasm decode kernel (dotRows / axpyRows)
//            T > 1, and backward                   -> block-attention.ts on this matmul rule
//   matmulQuantized M·K·N < 4096                   -> js twin (js/quantized.ts), else wasm (quant.wat)
//   exp, silu, gelu (both) and their derivatives
//            >= 64 elements                        -> wasm SIMD, else js
//   everything else                               -> js (js/backend.ts), or the reference it leaves out
// Threads: the platform adapter's default (all cores in Node and in a browser's Worker; one on a
// browser's main thread, which may not block), or configureBackend({ threads }).
// Not here: the kernels themselves; the platform adapters (node/, browser/).
// Reference: TF.js's `tf.setBackend` / `tf.ready`, PyTorch's `torch.set_num_threads`.

import {
  type BackendKernels,
  getBackend,
  type MatmulParams,
  type QuantizedMatmulParams,
  referenceBackend,
  setBackend,
  type Tensor,
} from "@llmts/tensor";
import { gpuAutoAvailable, gpuChoices, matmulOnGpuIfFaster } from "./gpu-auto.ts";
import { gpujsBackend, gpujsMode } from "./gpujs.ts";
import { jsBackend } from "./js/backend.ts";
import { matmulJs } from "./js/matmul.ts";
import { matmulQuantizedJs } from "./js/quantized.ts";
import { countKernel, kernelCounts } from "./kernel-stats.ts";
import { getPlatform } from "./platform.ts";
import {
  attentionWith,
  isFloat32,
  unaryAuto,
  unaryGradAuto,
  wasmBackend,
  wasmBackendMatmul,
  wasmBackendMatmulQuantized,
} from "./wasm/backend.ts";
import { pinArrays, pinnedCount, pinnedInPlaceCount, unpinArrays } from "./wasm/pinned.ts";
import { releaseQuantized } from "./wasm/quantized.ts";
import { mayBlock, setWorkerCount, workerCount, workersReady } from "./wasm/workers.ts";

export type BackendName = "reference" | "js" | "wasm" | "gpujs" | "auto";
export const BACKEND_NAMES: readonly BackendName[] = ["reference", "js", "wasm", "gpujs", "auto"];

export interface BackendConfig {
  /** Which kernels run (default "auto"). */
  backend?: BackendName;
  /**
   * Threads for the wasm kernels, the calling thread included. Default: all cores
   * (os.availableParallelism() in Node, navigator.hardwareConcurrency in a browser's Worker);
   * 1 on a browser's main thread or without a platform adapter.
   */
  threads?: number;
}

/** True when auto should use the JS kernel for this product. */
function preferJs(p: MatmulParams): boolean {
  return p.M * p.K * p.N < 4096;
}

function matmulAuto(p: MatmulParams): void {
  if (!isFloat32(p))
    wasmBackendMatmul(p); // the reference, counted
  else if (preferJs(p)) {
    countKernel("matmul js");
    matmulJs(p);
  } else if (!matmulOnGpuIfFaster(p, wasmBackendMatmul)) wasmBackendMatmul(p);
}

function matmulQuantizedAuto(p: QuantizedMatmulParams): void {
  if (p.M * p.w.cols * p.N < 4096) {
    countKernel("matmulQuantized js");
    matmulQuantizedJs(p);
  } else wasmBackendMatmulQuantized(p);
}

export const autoBackend = {
  ...jsBackend,
  name: "auto",
  matmul: matmulAuto,
  matmulQuantized: matmulQuantizedAuto,
  unary: unaryAuto,
  unaryGrad: unaryGradAuto,
  ...attentionWith(matmulAuto),
} satisfies BackendKernels;

const BY_NAME: Record<BackendName, BackendKernels> = {
  reference: referenceBackend,
  js: jsBackend,
  wasm: wasmBackend,
  gpujs: gpujsBackend,
  auto: autoBackend,
};

/**
 * Sets the backend every op uses from now on and the wasm kernels' thread count. Throws a
 * RangeError naming the choices on an unknown backend or a bad thread count, and one saying why
 * where threads cannot run (no SharedArrayBuffer, a browser's main thread, no platform adapter).
 * In a browser, `await backendReady()` before the first op when threads > 1.
 */
export function configureBackend(config: BackendConfig = {}): void {
  const name = config.backend ?? "auto";
  const backend = BY_NAME[name];
  if (backend === undefined) {
    throw new RangeError(`unknown backend "${name}" (choose one of: ${BACKEND_NAMES.join(", ")})`);
  }
  const platform = getPlatform();
  const threads = config.threads ?? (platform !== null && mayBlock() ? platform.defaultThreads() : 1);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`threads must be a whole number >= 1, got ${threads}`);
  }
  if (name === "gpujs") gpujsMode(); // loads gpu.js now: a missing adapter throws here, not mid-run
  setWorkerCount(threads - 1);
  setBackend(backend);
}

/**
 * Resolves once the worker threads started by configureBackend() run (at once with one thread).
 * Browsers start Web Workers only while the page's thread is idle, so await this before the first
 * op; in Node a kernel call blocks until they run, so awaiting is optional there.
 */
export function backendReady(): Promise<void> {
  return workersReady();
}

function gpujsModeOrError(): string {
  try {
    return `mode ${gpujsMode()}`;
  } catch (error) {
    return `gpu.js failed: ${(error as Error).message}`;
  }
}

/** auto's use of gpu.js, where the platform lets it try (browsers). */
function gpuRule(): string {
  if (getPlatform()?.gpuAuto !== true) return "";
  if (!gpuAutoAvailable()) return `, never gpu.js (${gpujsModeOrError()}: no GPU)`;
  const { gpujs, wasm } = gpuChoices();
  return `, gpu.js ${gpujsMode()} where measured faster (so far faster for ${gpujs} shape classes, slower for ${wasm})`;
}

/** What a backend runs, per op, for --verbose (the rule; the counts say what actually ran). */
function rule(name: string, threads: number): string {
  const wasmOps = `matmulQuantized: wasm int8 kernels, activations quantized per block; attention: fused, wasm decode kernel for one token, gemm blocks otherwise; exp/silu/gelu: wasm SIMD from 64 elements; other ops: js; threads ${threads}`;
  switch (name) {
    case "auto":
      return `matmul: wasm SIMD 4x8 kernels from 16³ up, JS below${gpuRule()}; ${wasmOps}`;
    case "wasm":
      return `matmul: wasm SIMD 4x8 kernels; ${wasmOps}`;
    case "gpujs":
      return `matmul: gpu.js ${gpujsMode()} kernels; other ops: js`;
    case "js":
      return "matmul: blocked 4x4 TypeScript kernel; attention: fused TypeScript; 1 thread";
    case "reference":
      return "plain loops, 1 thread";
    default:
      return "a backend set with setBackend()";
  }
}

/**
 * One line for --verbose: the backend's rule per op, the thread count, the pinned weights, and
 * once kernels have run, how often each ran (the choice actually made), e.g.
 *   backend auto (matmul: ...; threads 1; 75 pinned weights, 75 loaded in place; ran: matmul wasm matvec pinned 8643, ...)
 * ("loaded in place": read from the file straight into the kernels' memory, so never copied.)
 */
export function describeBackend(): string {
  const b = getBackend();
  const inPlace = pinnedInPlaceCount();
  const pinned =
    pinnedCount() > 0
      ? `; ${pinnedCount()} pinned weights${inPlace > 0 ? `, ${inPlace} loaded in place` : ""}`
      : "";
  const ran = kernelCounts();
  const counts = ran.length > 0 ? `; ran: ${ran.map(([k, n]) => `${k} ${n}`).join(", ")}` : "";
  const platform = getPlatform()?.name ?? "no platform adapter";
  return `backend ${b.name} (${rule(b.name, workerCount() + 1)}; ${platform}${pinned}${counts})`;
}

/**
 * Promises that these weights will not be written from now on (inference), so decode-time
 * matrix-vector products read them from a copy in wasm memory made once, instead of copying them
 * in on every call. A weight loaded into the wasm memory (pinnedFloat32) is read where it lies
 * and needs no copy. Float32 tensors only; others are ignored. Undo with unpinWeights().
 */
export function pinWeights(weights: Iterable<Tensor>): void {
  const arrays: Float32Array[] = [];
  for (const w of weights) {
    const data = w.dataSync(); // a parameter is contiguous: its own array, not a copy
    if (data instanceof Float32Array) arrays.push(data);
  }
  pinArrays(arrays);
}

export function unpinWeights(): void {
  unpinArrays();
  releaseQuantized(); // quantized weights copied in on first use lie in the same pinned region
}
