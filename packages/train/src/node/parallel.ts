// Data parallelism on one machine: a batch's rows are split between the main thread and worker
// threads, each computes the gradient of its rows' mean loss, and the main thread combines them
// — PyTorch's DistributedDataParallel in miniature, with threads instead of processes.
//
//   rows 0..B−1 of x, y            split into n nearly equal shards (shard 0: main thread)
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
// Workers run parallel-worker.ts: through tsx from the sources (a small bootstrap registers tsx in
// the worker first), or its bundle next to the CLI's (see spawnWorker).
// Not here: splitting the model across threads (tensor/kernel parallelism), multiple machines.

import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { BACKEND_NAMES, type BackendName } from "@llmts/kernels/node";
import { buildModel, type CausalLM, configToJson } from "@llmts/model";
import { getBackend, Rng, Tensor } from "@llmts/tensor";
import type { DataParallel } from "../loop.ts";
import { trainStep } from "../step.ts";

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

/** The gradient of a shard's mean loss: trainStep (../step.ts) on whichever thread calls it. */
export function shardGradient(model: CausalLM, r: ShardRequest, scale: number): number {
  const batch = { x: Tensor.fromArray(r.x, [r.rows, r.T]), y: Tensor.fromArray(r.y, [r.rows, r.T]) };
  return trainStep(model, batch, scale, new Rng(r.seed));
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
   * One micro-batch (x, y: int32 [B, T]) split over the main thread and the workers; adds
   * scale · (gradient of the mean loss over the B rows) to every parameter's .grad and returns
   * that mean loss. `seeds` holds one dropout seed per shard (count + 1).
   */
  async backward(
    x: Int32Array,
    y: Int32Array,
    B: number,
    T: number,
    seeds: number[],
    scale: number,
  ): Promise<number> {
    const n = this.workers.length + 1;
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
    const pending = this.workers.map((w, i) => request(w, shard(i + 1)));
    // Shard 0 on this thread while the workers run theirs.
    const s0 = shard(0);
    let loss: number;
    try {
      loss = s0.rows > 0 ? (shardGradient(this.model, s0, (scale * s0.rows) / B) * s0.rows) / B : 0;
    } catch (error) {
      // NOTE: wait for the workers' answers before rethrowing. Left pending, their promises
      // reject when close() terminates the workers, with nobody listening: an unhandled
      // rejection that kills the process with a stack trace instead of this error's message.
      await Promise.allSettled(pending);
      throw error;
    }
    const results = await Promise.all(pending);
    const params = [...this.model.parameters().values()];
    results.forEach((workerLoss, i) => {
      const rows = bounds[i + 2]! - bounds[i + 1]!;
      if (rows === 0) return;
      loss += (workerLoss * rows) / B;
      const weight = (scale * rows) / B;
      params.forEach((p, j) => {
        // The worker's gradient, read in place from its shared buffer, weighted by its rows.
        const g = Tensor.fromArray(this.grads[i]![j]!, [...p.shape]).mul(weight);
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
    const onMessage = (m: { loss: number } | { error: string }) => {
      done();
      if ("error" in m) reject(new Error(`gradient worker: ${m.error}`));
      else resolve(m.loss);
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
