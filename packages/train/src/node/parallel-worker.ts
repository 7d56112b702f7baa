// The worker side of parallel.ts: builds the model over the shared parameters once, then for each
// shard it is sent computes the gradient of the shard's mean loss and copies it into its shared
// gradient buffers. The main thread owns the parameters; a worker only reads them.
// Not here: combining gradients, the optimizer (parallel.ts, adamw.ts on the main thread).

import { parentPort, workerData } from "node:worker_threads";
import { configureBackend } from "@llmts/kernels/node";
import { buildModel, parseConfig } from "@llmts/model";
import { Rng, Tensor } from "@llmts/tensor";
import { trainStep } from "../step.ts";
import type { ShardRequest, WorkerInit } from "./parallel.ts";

const init = workerData as WorkerInit;
configureBackend({ backend: init.backend, threads: 1 });
const params = new Map<string, Tensor>();
for (const p of init.params)
  params.set(p.name, Tensor.fromArray(new Float32Array(p.data), p.shape).requiresGrad_());
const model = buildModel(parseConfig(init.config), params);
const tensors = [...params.values()];
const grads = init.params.map((p) => new Float32Array(p.grad));

parentPort!.on("message", (r: ShardRequest) => {
  try {
    // The gradient of the shard's mean loss (../step.ts), with the shard's own dropout stream.
    const batch = { x: Tensor.fromArray(r.x, [r.rows, r.T]), y: Tensor.fromArray(r.y, [r.rows, r.T]) };
    const loss = trainStep(model, batch, 1, new Rng(r.seed));
    tensors.forEach((p, j) => {
      if (p.grad === null) grads[j]!.fill(0);
      else grads[j]!.set(p.grad.dataSync());
      p.zeroGrad();
    });
    parentPort!.postMessage({ loss });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    parentPort!.postMessage({ error: e.message, stack: e.stack });
  }
});
parentPort!.postMessage("ready");
