// Which kernels the worker's models run on — the one file of the playground that knows about
// @llmts/kernels. Its browser entry installs the browser adapter: the wasm SIMD kernels with a
// pool of Web Workers over SharedArrayBuffer (this worker is a dedicated Worker of a
// cross-origin-isolated page, so it may block while the pool works), and gpu.js on WebGL, which
// auto uses for a matmul shape only where it measured faster than wasm.
//
//   auto        per op and shape: wasm SIMD, the JS kernels below its size threshold, gpu.js
//               where measured faster
//   wasm        the WebAssembly SIMD kernels everywhere they exist, on navigator.hardwareConcurrency threads
//   js          @llmts/kernels' tuned TypeScript (blocked 4x4 matmul, fused attention), 1 thread
//   gpujs       matmul as a gpu.js kernel (WebGL when the browser has it, else its CPU mode)
//   reference   @llmts/tensor's plain loops: the textbook definition of every op
// The description shown is describeBackend(): the rule per op, the threads, and which kernels
// actually ran (counts reset on a switch, so they describe the backend chosen).
// Not here: choosing on the page (page/backend-panel.ts); the ops themselves.

import {
  BACKEND_NAMES,
  type BackendName,
  backendReady,
  configureBackend,
  describeBackend,
  resetKernelCounts,
} from "@llmts/kernels/browser";
import { getBackend } from "@llmts/tensor";
import type { KernelsInfo } from "../shared/protocol.ts";

export type KernelsName = BackendName;
export const KERNEL_CHOICES: readonly KernelsName[] = BACKEND_NAMES;
export const DEFAULT_KERNELS: KernelsName = "auto";

/** What runs now, and what ran since the last switch. */
export function kernelsInfo(): KernelsInfo {
  return { name: getBackend().name, choices: [...KERNEL_CHOICES], description: describeBackend() };
}

/** Switches every op to `name`'s kernels; an unknown name is an error naming the choices. */
export async function useKernels(name: string): Promise<KernelsInfo> {
  if (!(KERNEL_CHOICES as readonly string[]).includes(name)) {
    throw new RangeError(`kernels: unknown backend "${name}" (choose one of: ${KERNEL_CHOICES.join(", ")})`);
  }
  configureBackend({ backend: name as KernelsName });
  await backendReady(); // the worker pool starts asynchronously in a browser
  resetKernelCounts();
  return kernelsInfo();
}
