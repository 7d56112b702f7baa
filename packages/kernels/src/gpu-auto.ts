// auto's choice between gpu.js and the wasm kernels for one matmul, by measurement: the first
// product of each shape class (M, K and N rounded up to powers of two) runs on both — wasm once,
// gpu.js twice (its first call compiles the kernel) — and the faster one runs that class from
// then on. Only where the platform allows it (browsers: gpu.js reaches the GPU through WebGL),
// only when gpu.js found a GPU mode (headless Chromium without a GPU gives "cpu": never used), and
// only for products of at least MIN_WORK multiply-adds (a GPU round trip costs more than a small
// product). Anything gpu.js throws on (a texture larger than the GPU allows, ...) makes its class
// run on wasm.
// Not here: the kernels (gpujs.ts, wasm/matmul.ts), the rest of auto's rules (select.ts).
// Reference: TF.js's backend registry picks by priority; this picks by a measurement instead.

import type { MatmulParams } from "@llmts/tensor";
import { gpujsMode, gpujsOnGpu, matmulGpujs } from "./gpujs.ts";
import { countKernel } from "./kernel-stats.ts";
import { getPlatform } from "./platform.ts";

/** M·K·N below which a product always stays on the wasm kernels. */
export const MIN_WORK = 1 << 21;

/** Shape class -> the kernel measured faster there. */
const choices = new Map<string, "gpujs" | "wasm">();
let gpuUsable: boolean | null = null;

const shapeClass = (p: MatmulParams): string => [p.M, p.K, p.N].map((n) => Math.ceil(Math.log2(n))).join(",");

/** True when auto may consider gpu.js at all here (asks gpu.js for its mode once). */
export function gpuAutoAvailable(): boolean {
  if (gpuUsable === null) {
    try {
      gpuUsable = getPlatform()?.gpuAuto === true && gpujsOnGpu();
    } catch {
      gpuUsable = false;
    }
  }
  return gpuUsable;
}

/** How many shape classes chose each kernel so far (for describeBackend). */
export function gpuChoices(): { gpujs: number; wasm: number } {
  const all = [...choices.values()];
  return { gpujs: all.filter((c) => c === "gpujs").length, wasm: all.filter((c) => c === "wasm").length };
}

/**
 * Computes float32 product p on gpu.js when that measured faster for its shape class (measuring
 * first if the class is new) and returns true; returns false when the wasm kernel should run it.
 */
export function matmulOnGpuIfFaster(p: MatmulParams, wasmMatmul: (p: MatmulParams) => void): boolean {
  if (p.M * p.K * p.N < MIN_WORK || getPlatform()?.gpuAuto !== true || !gpuAutoAvailable()) return false;
  const key = shapeClass(p);
  const choice = choices.get(key);
  if (choice === "wasm") return false;
  if (choice === "gpujs") {
    countKernel(`matmul gpujs ${gpujsMode()}`);
    matmulGpujs(p);
    return true;
  }
  let t = performance.now();
  wasmMatmul(p);
  const wasmMs = performance.now() - t;
  let winner: "gpujs" | "wasm" = "wasm";
  try {
    matmulGpujs(p); // compiles
    t = performance.now();
    matmulGpujs(p);
    if (performance.now() - t < wasmMs) winner = "gpujs";
  } catch {
    wasmMatmul(p); // gpu.js may have written part of C before it failed
  }
  choices.set(key, winner);
  countKernel(`matmul calibration (${winner} faster for [${key.replaceAll(",", ", ")}] log2 shape)`);
  return true;
}
