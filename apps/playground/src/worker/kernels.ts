// Which kernels the worker's models run on — the one file of the playground that knows about
// @llmts/kernels, so that its browser entry can replace what is below in one place.
//
//   js          @llmts/kernels' tuned TypeScript: a blocked 4x4 register-tiled matmul (a
//               matrix-vector path for one token), fused attention, one exp per softmax element
//   reference   @llmts/tensor's plain loops: the textbook definition of every op
//
// @llmts/kernels' main entry still reaches Node built-ins (its worker_threads pool, os) that a
// browser bundle cannot resolve; its js backend reaches none, so it is imported here by file.
// The wasm SIMD kernels with a Web Worker pool and gpu.js WebGL come with "@llmts/kernels/browser"
// (configureBackend, backendReady, describeBackend, kernelCounts): then this file calls those
// (and resets the kernel counts on a switch, so "ran: ..." describes the backend chosen).
// Not here: choosing on the page (page/backend-panel.ts); the ops themselves.

import { getBackend, referenceBackend, setBackend } from "@llmts/tensor";
import { jsBackend } from "../../../../packages/kernels/src/js/backend.ts";
import type { KernelsInfo } from "../shared/protocol.ts";

const BACKENDS = {
  js: {
    kernels: jsBackend,
    description:
      "matmul: blocked 4x4 TypeScript kernel (matrix-vector for one token); attention: fused TypeScript; 1 thread",
  },
  reference: { kernels: referenceBackend, description: "plain loops of @llmts/tensor, 1 thread" },
} as const;

export type KernelsName = keyof typeof BACKENDS;
export const KERNEL_CHOICES = Object.keys(BACKENDS) as KernelsName[];
export const DEFAULT_KERNELS: KernelsName = "js";

/** What runs now. */
export function kernelsInfo(): KernelsInfo {
  const name = getBackend().name;
  const description = name in BACKENDS ? BACKENDS[name as KernelsName].description : "";
  return { name, choices: KERNEL_CHOICES, description };
}

/** Switches every op to `name`'s kernels; an unknown name is an error naming the choices. */
export async function useKernels(name: string): Promise<KernelsInfo> {
  if (!(name in BACKENDS)) {
    throw new RangeError(`kernels: unknown backend "${name}" (choose one of: ${KERNEL_CHOICES.join(", ")})`);
  }
  setBackend(BACKENDS[name as KernelsName].kernels);
  return kernelsInfo();
}
