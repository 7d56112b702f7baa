// The browser test's page (main thread): the wasm kernels on one thread, the refusal to start
// threads here (a page's main thread may not block), the gpujs backend in whatever mode gpu.js
// found (WebGL on a GPU, "cpu" in headless Chromium without one), then the worker's results
// (only where the page is cross-origin isolated: the test also loads it without COOP/COEP).
// Sets window.__result for the test to read.
// Not here: the assertions (../browser.test.ts).

import { configureBackend, describeBackend, kernelCounts, resetKernelCounts } from "@llmts/kernels/browser";
import { errorAgainstReference, product } from "./products.ts";

interface PageGlobals {
  __result?: unknown;
  crossOriginIsolated: boolean;
  Worker: new (
    url: string,
    options: { type: "module" },
  ) => {
    onmessage: ((event: { data: unknown }) => void) | null;
    onerror: ((event: { message: string }) => void) | null;
  };
}
const page = globalThis as unknown as PageGlobals;

function fromWorker(): Promise<unknown> {
  const worker = new page.Worker("worker.js", { type: "module" });
  return new Promise((resolve) => {
    worker.onmessage = (event) => resolve(event.data);
    worker.onerror = (event) => resolve({ error: `worker failed to load: ${event.message}` });
  });
}

async function main() {
  const p = product(70, 300, 45, true, 4);
  configureBackend({ backend: "wasm" });
  const wasmError = errorAgainstReference(p);
  const wasmDescribe = describeBackend();
  let mainThreadRefusal = "none";
  try {
    configureBackend({ backend: "wasm", threads: 2 });
  } catch (error) {
    mainThreadRefusal = (error as Error).message;
  }
  configureBackend({ backend: "gpujs", threads: 1 });
  resetKernelCounts();
  const gpujsError = errorAgainstReference(p);
  const gpujsCounts = kernelCounts();
  const gpujsDescribe = describeBackend();
  // Without COOP/COEP there is no SharedArrayBuffer: the kernels run on a plain memory, no threads.
  const isolated = page.crossOriginIsolated;
  const worker = isolated ? await fromWorker() : null;
  return {
    isolated,
    wasmError,
    wasmDescribe,
    mainThreadRefusal,
    gpujsError,
    gpujsCounts,
    gpujsDescribe,
    worker,
  };
}

main().then(
  (result) => {
    page.__result = result;
  },
  (error: Error) => {
    page.__result = { error: `${error.message}\n${error.stack}` };
  },
);
