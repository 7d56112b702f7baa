// "@llmts/kernels/node": the whole API of "@llmts/kernels" with the Node adapter installed
// (worker_threads, os.availableParallelism(), gpu.js's Node build). What the CLI and the bench
// import:  import { configureBackend, describeBackend, pinWeights } from "@llmts/kernels/node";
// Not here: anything Node-specific but the adapter (node/platform.ts).

import { setPlatform } from "../platform.ts";
import { nodePlatform } from "./platform.ts";

setPlatform(nodePlatform);

export * from "../index.ts";
export { nodePlatform };
