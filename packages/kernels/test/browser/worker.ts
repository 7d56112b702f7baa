// Runs in a dedicated Web Worker of the browser test's page: threaded wasm kernels (2 threads,
// Web Workers over the shared memory), which a page's main thread may not run because it may
// not block. Posts what it measured to the page.
// Not here: the assertions (../browser.test.ts).

import {
  backendReady,
  configureBackend,
  describeBackend,
  kernelCounts,
  resetKernelCounts,
} from "@llmts/kernels/browser";
import { errorAgainstReference, product } from "./products.ts";

const scope = globalThis as unknown as { postMessage(data: unknown): void; crossOriginIsolated: boolean };

async function main() {
  configureBackend({ backend: "wasm", threads: 2 });
  // Before the workers run, a product that would split must not block (they may wait for this
  // thread's event loop to start): it throws. (Had they started already, it would just run.)
  let beforeReady = "ran";
  try {
    product(200, 300, 150, true, 1).run();
  } catch (error) {
    beforeReady = (error as Error).message;
  }
  await backendReady();
  resetKernelCounts();
  // Big enough to be split across threads (matmul.ts: GEMM_SPLIT and MATVEC_SPLIT).
  const products = [
    product(200, 300, 150, true, 1),
    product(1, 1024, 1100, true, 2),
    product(1, 1024, 1100, false, 3),
  ];
  const errors = products.map((p) => ({ label: p.label, error: errorAgainstReference(p) }));
  const threaded = products.map((p) => Array.from(p.run().dataSync()));
  const describe = describeBackend();
  const counts = kernelCounts();
  configureBackend({ backend: "wasm", threads: 1 });
  const single = products.map((p) => Array.from(p.run().dataSync()));
  // auto: a product big enough for gpu.js to be measured against wasm where gpu.js found WebGL
  configureBackend({ backend: "auto", threads: 2 });
  await backendReady();
  resetKernelCounts();
  const big = product(256, 256, 128, false, 5);
  const autoErrors = [errorAgainstReference(big), errorAgainstReference(big)]; // measures, then uses the choice
  return {
    autoErrors,
    autoCounts: kernelCounts(),
    crossOriginIsolated: scope.crossOriginIsolated,
    beforeReady,
    errors,
    sameAsOneThread: JSON.stringify(threaded) === JSON.stringify(single),
    describe,
    counts,
    autoDescribe: describeBackend(),
  };
}

main().then(
  (result) => scope.postMessage(result),
  (error: Error) => scope.postMessage({ error: `${error.message}\n${error.stack}` }),
);
