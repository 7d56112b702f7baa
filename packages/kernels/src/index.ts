// Public API of @llmts/kernels, the engine: faster kernels for @llmts/tensor's primitives.
//
//   configureBackend({ backend, threads })   choose the kernels every op runs (what --backend /
//                                            --threads set): auto | wasm | js | gpujs | reference
//   describeBackend() / kernelCounts()       what was chosen and what ran (--verbose)
//   pinWeights(tensors)                      inference weights packed once for decoding
//   jsBackend, wasmBackend, gpujsBackend,    the backends themselves, for tests and benchmarks
//   autoBackend
//
// Nothing changes until configureBackend() (or @llmts/tensor's setBackend) is called: without
// this package, @llmts/tensor runs its reference loops. See README.md for the reading order.

export { gpujsBackend, gpujsKernelCount, KERNEL_CACHE_SIZE } from "./gpujs.ts";
export { jsBackend } from "./js/backend.ts";
export { kernelCounts, resetKernelCounts } from "./kernel-stats.ts";
export {
  autoBackend,
  BACKEND_NAMES,
  type BackendConfig,
  type BackendName,
  configureBackend,
  describeBackend,
  pinWeights,
  unpinWeights,
} from "./select.ts";
export { wasmBackend } from "./wasm/backend.ts";
