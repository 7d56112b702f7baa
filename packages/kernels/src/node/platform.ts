// The Node adapter: worker_threads for the wasm kernels' pool, os.availableParallelism() threads
// by default, and gpu.js's Node build loaded on first use (it takes ~140 ms to import, so a
// process that never asks for the gpujs backend never pays for it).
// Not here: the pool's protocol (../wasm/workers.ts); browsers (../browser/platform.ts).
// Reference: Node's `worker_threads` (Worker with `eval: true`), `os.availableParallelism`.

import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { GpuJs, Platform, WorkerInit } from "../platform.ts";

let gpujs: GpuJs | null = null;

export const nodePlatform: Platform = {
  name: "node",
  defaultThreads: () => availableParallelism(),
  startWorker(source: string, init: WorkerInit) {
    const worker = new Worker(
      `${source}\nconst { workerData } = require("node:worker_threads");\nstart(workerData, (report) => process.on("exit", report));`,
      {
        eval: true,
        // NOTE: not the parent's flags: under `node --input-type=module -e` a worker would inherit
        // them and evaluate this CommonJS source as a module, where `require` does not exist.
        execArgv: [],
        workerData: init,
      },
    );
    worker.unref(); // an idle pool must not keep the process alive
    worker.on("error", () => {}); // reported through its slot (wasm/workers.ts); keep the process up
    return { terminate: () => void worker.terminate() };
  },
  blocksUntilStarted: true,
  gpujs() {
    gpujs ??= createRequire(import.meta.url)("gpu.js") as GpuJs;
    return gpujs;
  },
  gpuAuto: false,
};
