// Public API of @llmts/kernels, the engine: faster kernels for @llmts/tensor's primitives.
//
//   configureBackend({ backend, threads })   choose the kernels every op runs (what --backend /
//                                            --threads set): auto | wasm | js | gpujs | reference
//   backendReady()                           resolves once the worker threads run (await it in browsers)
//   describeBackend() / kernelCounts()       what was chosen and what ran (--verbose)
//   pinnedFloat32(n)                         an array inside the kernels' memory, for a loader to read a
//                                            weight into: the kernels read it where it lies
//   pinWeights(tensors)                      inference weights copied in once for decoding
//   jsBackend, wasmBackend, gpujsBackend,    the backends themselves, for tests and benchmarks
//   autoBackend
//
// This entry is platform-neutral (no node: modules, no Node globals) and installs no platform
// adapter: alone, it runs the kernels on one thread and has no gpu.js. Import the same API from
// "@llmts/kernels/node" (worker_threads, gpu.js's Node build) or "@llmts/kernels/browser" (Web
// Workers, gpu.js's WebGL build) to get both; setPlatform() takes any other adapter.
// Nothing changes until configureBackend() (or @llmts/tensor's setBackend) is called: without
// this package, @llmts/tensor runs its reference loops. See README.md for the reading order.

export { gpujsBackend, gpujsKernelCount, KERNEL_CACHE_SIZE } from "./gpujs.ts";
export { jsBackend } from "./js/backend.ts";
export { kernelCounts, resetKernelCounts } from "./kernel-stats.ts";
export { type GpuJs, getPlatform, type Platform, setPlatform, type WorkerInit } from "./platform.ts";
export {
  autoBackend,
  BACKEND_NAMES,
  type BackendConfig,
  type BackendName,
  backendReady,
  configureBackend,
  describeBackend,
  pinWeights,
  unpinWeights,
} from "./select.ts";
export { wasmBackend } from "./wasm/backend.ts";
export { pinnedFloat32 } from "./wasm/pinned.ts";
