// The browser adapter: Web Workers for the wasm kernels' pool (over SharedArrayBuffer, so the page
// must be cross-origin isolated: Cross-Origin-Opener-Policy: same-origin and
// Cross-Origin-Embedder-Policy: require-corp), navigator.hardwareConcurrency threads by default,
// and gpu.js's browser build (WebGL), imported statically: every bundler resolves "gpu.js" to
// dist/gpu-browser.js through its package.json "browser" field.
// A new Web Worker starts only once its creator returns to the event loop, so callers
// `await backendReady()` after configureBackend() and before the first kernel call; and a
// browser's main thread may not block, so threaded kernels run inside a dedicated Worker.
// Not here: the pool's protocol (../wasm/workers.ts); Node (../node/platform.ts).
// Reference: HTML Living Standard, "Web workers"; MDN, "SharedArrayBuffer: security requirements".

import * as gpujsBrowser from "gpu.js";
import type { GpuJs, Platform, WorkerInit } from "../platform.ts";

// The DOM's Worker / Blob / URL, declared here because this repository's TypeScript config
// carries Node's types, not the DOM lib.
interface BrowserGlobals {
  Worker: new (
    url: string,
    options?: { name?: string },
  ) => { postMessage(data: unknown): void; terminate(): void };
  Blob: new (parts: string[], options: { type: string }) => object;
  URL: { createObjectURL(blob: object): string; revokeObjectURL(url: string): void };
  navigator?: { hardwareConcurrency?: number };
}
const web = globalThis as unknown as BrowserGlobals;

export const browserPlatform: Platform = {
  name: "browser",
  defaultThreads: () => web.navigator?.hardwareConcurrency ?? 1,
  startWorker(source: string, init: WorkerInit) {
    const code = `${source}\nself.onmessage = (event) => start(event.data, () => {});`;
    const url = web.URL.createObjectURL(new web.Blob([code], { type: "text/javascript" }));
    const worker = new web.Worker(url, { name: `llmts kernels ${init.slot + 1}` });
    worker.postMessage(init); // the modules, the shared memory and the control buffer are shared, not copied
    web.URL.revokeObjectURL(url);
    return { terminate: () => worker.terminate() };
  },
  blocksUntilStarted: false,
  gpujs: () => gpujsBrowser as unknown as GpuJs,
  gpuAuto: true,
};
