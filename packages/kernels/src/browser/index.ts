// "@llmts/kernels/browser": the whole API of "@llmts/kernels" with the browser adapter installed
// (Web Workers, navigator.hardwareConcurrency, gpu.js's WebGL build). In a page:
//   import { configureBackend, backendReady } from "@llmts/kernels/browser";
//   configureBackend({ backend: "auto" });   // main thread: one thread (it may not block)
// and inside a dedicated Worker, for threads (the page cross-origin isolated):
//   configureBackend({ backend: "auto", threads: 4 }); await backendReady();
// Not here: anything browser-specific but the adapter (browser/platform.ts).

import { setPlatform } from "../platform.ts";
import { browserPlatform } from "./platform.ts";

setPlatform(browserPlatform);

export * from "../index.ts";
export { browserPlatform };
