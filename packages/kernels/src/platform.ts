// The platform adapter: the few things the engine needs that Node and browsers provide
// differently — starting a worker thread, the default thread count, and loading gpu.js. The main
// entry ("@llmts/kernels") never imports a platform; "@llmts/kernels/node" installs node/platform.ts
// and "@llmts/kernels/browser" installs browser/platform.ts when imported. Without one, the
// kernels run on one thread and the gpujs backend is unavailable (each says so when asked for).
// Not here: the worker pool's protocol (wasm/workers.ts), gpu.js kernels (gpujs.ts).
// Reference: emscripten's pthread pool (Web Workers over a shared memory, started ahead of use).

import type { GPU, Input } from "gpu.js";
import type { WasmModule } from "./wasm/memory.ts";

/** What a new worker thread receives: the kernel modules, the memory they share, its slot. */
export interface WorkerInit {
  modules: { gemm: WasmModule; matvec: WasmModule; quant: WasmModule };
  memory: object;
  control: SharedArrayBuffer;
  slot: number;
}

/** The parts of gpu.js the gpujs backend uses (its Node build and its browser build export both). */
export interface GpuJs {
  GPU: typeof GPU;
  input(value: Float32Array, size: [number, number]): Input; // typed loosely (number[]) upstream
  // The kernel classes, to name the mode gpu.js chose (its GL kernels all call themselves "gpu").
  WebGL2Kernel?: unknown;
  WebGLKernel?: unknown;
  HeadlessGLKernel?: unknown;
}

export interface Platform {
  /** "node" or "browser", as describeBackend() reports it. */
  readonly name: string;
  /** Threads to use (main thread included) when configureBackend() is not told. */
  defaultThreads(): number;
  /**
   * Starts a worker thread that runs `source` — plain JavaScript defining
   * `function start(init, onExit)` — by calling start(init, onExit), where onExit(report)
   * registers a callback for the thread's exit where the platform can tell (Node).
   */
  startWorker(source: string, init: WorkerInit): { terminate(): void };
  /**
   * True when a thread may block while new workers start (Node's workers start on their own).
   * False in browsers: a new Web Worker starts only once its creator returns to its event loop,
   * so the caller awaits backendReady() before the first synchronous kernel call.
   */
  readonly blocksUntilStarted: boolean;
  /** gpu.js, loaded on first use. */
  gpujs(): GpuJs;
  /**
   * True when auto may try gpu.js for matmul: where gpu.js can reach a GPU (browsers, WebGL).
   * In Node gpu.js has only its webasm and cpu modes, slower than our wasm kernels.
   */
  readonly gpuAuto: boolean;
}

let current: Platform | null = null;

/** Installs the adapter (what "@llmts/kernels/node" and "@llmts/kernels/browser" do on import). */
export function setPlatform(platform: Platform): void {
  current = platform;
}

/** The adapter installed, or null (main entry alone: one thread, no gpu.js). */
export function getPlatform(): Platform | null {
  return current;
}

/** The error for a feature that needs an adapter (a RangeError: a configuration the caller chose). */
export function needsPlatform(what: string): RangeError {
  return new RangeError(
    `${what} needs a platform adapter: import from "@llmts/kernels/node" in Node, or "@llmts/kernels/browser" in a browser`,
  );
}
