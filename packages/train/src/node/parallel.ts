// Data parallelism on one machine: a batch's rows are split between worker threads, each computes
// the gradient of its rows' mean loss, and the main thread combines them and runs AdamW —
// PyTorch's DistributedDataParallel in miniature, with threads instead of processes.
//
//   rows 0..B−1 of x, y            split into n nearly equal shards, one per worker
//   g = Σ_k (rows_k / B) · g_k     the gradient of the mean loss over all B rows
//
// The parameters live in SharedArrayBuffers: workers build their model over the same memory, so
// AdamW's in-place update on the main thread is what every worker reads next step (no copies).
// NOTE: this is the one place that relies on the CPU backends' host memory (a SharedArrayBuffer
// under each parameter): a device backend would split batches on the device instead.
// Each worker writes its gradients into a shared buffer of its own; the main thread adds them in a
// fixed order, so a run is deterministic for a given thread count (not bit-identical across
// counts: the sums are ordered differently). Dropout: every shard draws a seed from the run's
// dropout stream in shard order and uses Rng(seed).
// Workers use the main thread's kernels (--backend), each with one thread: the threads are
// already busy with shards, and more kernel threads per shard would oversubscribe the cores.
// NOTE: why no shard runs on the main thread, and why workers get a larger first heap. A step's
// activations (many small tensors) live through the backward pass, so V8 promotes them and its
// old generation fills quickly; with the small heap an isolate starts with, it ran a full
// mark-compact every 70-100 ms (65 in 30 steps of the nanoGPT recipe). A worker can be created
// with a larger starting heap (giveWorkersRoom); the main thread's is fixed when the process
// starts. Measured (nanoGPT recipe, 2 threads, 30 steps, median, in process): main thread + 1
// worker 207-233 ms per step; with the worker's larger heap 182-191; 2 workers with larger heaps,
// the main thread only combining, 140-149.
// Workers run parallel-worker.ts: through tsx from the sources (a small bootstrap registers tsx in
// the worker first), or its bundle next to the CLI's (see spawnWorker).
// Not here: splitting the model across threads (tensor/kernel parallelism), multiple machines.

import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import { BACKEND_NAMES, type BackendName } from "@llmts/kernels/node";
import { buildModel, type CausalLM, configToJson } from "@llmts/model";
import { getBackend, Tensor } from "@llmts/tensor";
import type { DataParallel } from "../loop.ts";

/** What a worker needs to build its copy of the model over the shared parameters. */
export interface WorkerInit {
  config: Record<string, unknown>; // HF config.json fields
  /** The main thread's kernels (configureBackend name); each worker runs them single-threaded. */
  backend: BackendName;
  params: { name: string; shape: number[]; data: SharedArrayBuffer; grad: SharedArrayBuffer }[];
}

/** One shard of one micro-batch: rows of x and y (int32 [rows, T]) and the dropout seed. */
export interface ShardRequest {
  x: Int32Array;
  y: Int32Array;
  rows: number;
  T: number;
  seed: number;
}

/** The same model with every parameter copied into shared memory (requiresGrad kept). */
export function shareParameters(model: CausalLM): CausalLM {
  const shared = new Map<string, Tensor>();
  for (const [name, p] of model.parameters()) {
    const data = new Float32Array(new SharedArrayBuffer(p.size * 4));
    data.set(p.dataSync());
    shared.set(name, Tensor.fromArray(data, [...p.shape]).requiresGrad_());
  }
  return buildModel(model.config, shared);
}

export class GradientWorkers implements DataParallel {
  private readonly grads: Float32Array[][]; // [worker][param] views of the shared gradient buffers

  private constructor(
    private readonly model: CausalLM,
    private readonly workers: Worker[],
    init: WorkerInit[],
  ) {
    this.grads = init.map((w) => w.params.map((p) => new Float32Array(p.grad)));
  }

  /** Starts `count` workers over `model`, whose parameters must be shared (shareParameters). */
  static async start(model: CausalLM, count: number): Promise<GradientWorkers> {
    const config = configToJson(model.config);
    const inits: WorkerInit[] = [];
    const workers: Worker[] = [];
    giveWorkersRoom();
    for (let k = 0; k < count; k++) {
      const params = [...model.parameters()].map(([name, p]) => {
        const data = (p.dataSync() as Float32Array).buffer;
        if (!(data instanceof SharedArrayBuffer))
          throw new Error(`GradientWorkers: "${name}" is not in shared memory`);
        return { name, shape: [...p.shape], data, grad: new SharedArrayBuffer(p.size * 4) };
      });
      const init: WorkerInit = { config, backend: currentBackendName(), params };
      inits.push(init);
      workers.push(await spawnWorker(init));
    }
    return new GradientWorkers(model, workers, inits);
  }

  get count(): number {
    return this.workers.length;
  }

  /**
   * One micro-batch (x, y: int32 [B, T]) split over the workers; adds scale · (gradient of the
   * mean loss over the B rows) to every parameter's .grad and returns that mean loss. `seeds`
   * holds one dropout seed per shard (count). A worker's error rejects, once every worker has
   * answered (none is left pending when close() terminates them).
   */
  async backward(
    x: Int32Array,
    y: Int32Array,
    B: number,
    T: number,
    seeds: number[],
    scale: number,
  ): Promise<number> {
    const n = this.workers.length;
    const bounds = Array.from({ length: n + 1 }, (_, k) => Math.round((k * B) / n));
    const shard = (k: number): ShardRequest => {
      const [from, to] = [bounds[k]!, bounds[k + 1]!];
      return {
        x: x.slice(from * T, to * T),
        y: y.slice(from * T, to * T),
        rows: to - from,
        T,
        seed: seeds[k]!,
      };
    };
    // Every shard goes to a worker, none to this thread (the NOTE at the top of this file).
    const settled = await Promise.allSettled(this.workers.map((w, k) => request(w, shard(k))));
    const failed = settled.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const params = [...this.model.parameters().values()];
    let loss = 0;
    settled.forEach((result, k) => {
      const rows = bounds[k + 1]! - bounds[k]!;
      if (rows === 0) return;
      loss += ((result as PromiseFulfilledResult<number>).value * rows) / B;
      const weight = (scale * rows) / B;
      params.forEach((p, j) => {
        // The worker's gradient, read in place from its shared buffer, weighted by its rows.
        const g = Tensor.fromArray(this.grads[k]![j]!, [...p.shape]).mul(weight);
        p.grad = p.grad === null ? g : p.grad.add(g);
      });
    });
    return loss;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Sends one shard; resolves with its loss, rejects if the worker reports an error or dies. */
function request(worker: Worker, r: ShardRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { loss: number } | { error: string; stack?: string }) => {
      done();
      if ("error" in m) {
        // One line for the user (the CLI prints the message); the worker's stack for a developer.
        const error = new Error(`gradient worker: ${m.error}`);
        error.stack = `${error.stack}\nin the worker: ${m.stack ?? "(no stack)"}`;
        reject(error);
      } else resolve(m.loss);
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    const onExit = (code: number) => {
      done();
      reject(new Error(`gradient worker exited with code ${code}`));
    };
    const done = () => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
    worker.postMessage(r);
  });
}

/** The configureBackend name of the backend in use. */
function currentBackendName(): BackendName {
  const name = getBackend().name;
  return (BACKEND_NAMES as readonly string[]).includes(name) ? (name as BackendName) : "js";
}

/**
 * Lets isolates created from now on start with a 128 MB heap before their first full garbage
 * collection (V8's --initial-heap-size; the NOTE at the top of this file says why). Node has no
 * per-worker setting for it (resourceLimits sets maximums only), so it is a process-wide V8 flag,
 * read when an isolate is created: threads started earlier, and the main thread, keep theirs.
 */
function giveWorkersRoom(): void {
  setFlagsFromString("--initial-heap-size=128");
}

/** URL of tsx's ESM API (its "import" export; require.resolve would give the CommonJS twin). */
function tsxEsmApi(): string {
  if (typeof import.meta.resolve === "function") return import.meta.resolve("tsx/esm/api");
  const cjs = createRequire(import.meta.url).resolve("tsx/esm/api"); // .../esm/api/index.cjs
  return pathToFileURL(cjs.replace(/\.cjs$/, ".mjs")).href;
}

/**
 * A worker running parallel-worker.ts, resolved once it has built its model. From the sources it
 * runs under tsx (whose loader hooks do not reach worker threads in Node 20, so the worker
 * registers them first); from the CLI's bundle (apps/cli/scripts/build.mjs), this file is part of
 * dist/llmts.mjs and the worker's own bundle, parallel-worker.mjs, lies next to it.
 */
function spawnWorker(init: WorkerInit): Promise<Worker> {
  let worker: Worker;
  if (import.meta.url.endsWith(".ts")) {
    const tsx = tsxEsmApi();
    const entry = new URL("./parallel-worker.ts", import.meta.url).href;
    const bootstrap = `(async () => { (await import(${JSON.stringify(tsx)})).register(); await import(${JSON.stringify(entry)}); })();`;
    worker = new Worker(bootstrap, { eval: true, workerData: init });
  } else {
    worker = new Worker(new URL("./parallel-worker.mjs", import.meta.url), { workerData: init });
  }
  return new Promise((resolve, reject) => {
    worker.once("message", () => resolve(worker)); // "ready"
    worker.once("error", reject);
  });
}
