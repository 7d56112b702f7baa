// Worker threads for the wasm kernels: each worker instantiates the same kernel modules over the
// same shared WebAssembly.Memory, so splitting a product needs no copies — the calling thread
// packs the operands once, hands each worker a range of rows (or of 32-column strips for a
// matrix-vector product), runs the first range itself, and waits.
//
// The ops are synchronous, so the calling thread blocks in Atomics.wait: allowed on Node's main
// thread and in a browser's dedicated worker, NOT on a browser's main thread (there the pool
// refuses to start: run the model in a Worker, or on one thread). Workers are started by the
// platform adapter (../platform.ts: worker_threads in Node, Web Workers in browsers).
//
// Each worker owns a slot of 16 int32s in a control SharedArrayBuffer:
//   [0] job number (bumped by the caller)   [1] last job done (set by the worker)
//   [2] kernel id   [3..9] its arguments    [10] status (0 ok, FAILED, EXITED)
//   [11] 1 once the worker runs             [12] length of its last error message
// and 256 bytes after all slots for that message. Workers sleep in Atomics.wait on [0].
// A blocked caller never sees a worker's 'error' or 'exit' event (those arrive on its event
// loop), so a worker reports trouble through its slot: a job that throws (a wasm trap) sets
// FAILED, a worker that stops sets EXITED, each with the message, which the caller throws as a
// one-line Error.
// Starting is asynchronous in browsers (a new Web Worker starts only once its creator returns
// to the event loop): backendReady() resolves when every worker runs. In Node a caller that does
// not wait for it blocks until the workers run (at most STARTUP_MS).
// Not here: deciding when threads pay (matmul.ts), the platform's worker API (node/, browser/).
// Reference: the WebAssembly threads proposal (shared memory, atomics); emscripten's pthread
// pool (workers started ahead of the first synchronous call).

import { getPlatform, needsPlatform } from "../platform.ts";
import { memory, modules, sharedMemory } from "./memory.ts";

const SLOT = 16;
const STATUS = 10;
const FAILED = 1;
const EXITED = 2;
const STARTED = 11;
const MESSAGE_LENGTH = 12;
const MESSAGE_BYTES = 256;
/** How long a caller waits for new workers to start before it reports a failure. */
const STARTUP_MS = 30_000;
/** Kernel ids a job may name (the order is the worker's `kernels` table below). */
export const JOB = { gemm: 0, axpyPanels: 1, dotRows: 2, q8_0Rows: 3, q4_0Rows: 4 } as const;

// Plain JavaScript, run in each worker (no TypeScript loader is needed there). The platform
// adapter calls start(init, onExit) with the WorkerInit of ../platform.ts.
const WORKER_SOURCE = `
function start(init, onExit) {
  const { modules, memory, control, slot } = init;
  const slots = control.byteLength / ${SLOT * 4 + MESSAGE_BYTES};
  const c = new Int32Array(control, 0, slots * ${SLOT});
  const base = slot * ${SLOT};
  const text = new Uint8Array(control, slots * ${SLOT * 4} + slot * ${MESSAGE_BYTES}, ${MESSAGE_BYTES});
  // Reports trouble: the message first, then the status, then "done" to wake the caller.
  function report(status, error) {
    const bytes = new TextEncoder().encode(String((error && error.message) || error)).subarray(0, ${MESSAGE_BYTES});
    text.set(bytes);
    Atomics.store(c, base + ${MESSAGE_LENGTH}, bytes.length);
    Atomics.store(c, base + ${STATUS}, status);
    Atomics.store(c, base + 1, Atomics.load(c, base));
    Atomics.notify(c, base + 1);
  }
  onExit(() => report(${EXITED}, "the worker thread exited"));
  let kernels;
  try {
    const imports = { env: { memory } };
    const gemm = new WebAssembly.Instance(modules.gemm, imports).exports;
    const matvec = new WebAssembly.Instance(modules.matvec, imports).exports;
    const quant = new WebAssembly.Instance(modules.quant, imports).exports;
    kernels = [gemm.gemm, matvec.axpyPanels, matvec.dotRows, quant.q8_0Rows, quant.q4_0Rows];
  } catch (error) {
    report(${EXITED}, error);
    return;
  }
  Atomics.store(c, base + ${STARTED}, 1);
  Atomics.notify(c, base + ${STARTED});
  let seen = 0;
  for (;;) {
    Atomics.wait(c, base, seen);           // sleep while the job number is still the one done
    seen = Atomics.load(c, base);
    try {
      kernels[c[base + 2]](c[base + 3], c[base + 4], c[base + 5], c[base + 6], c[base + 7], c[base + 8], c[base + 9]);
    } catch (error) {
      report(${FAILED}, error);
      continue;
    }
    Atomics.store(c, base + 1, seen);
    Atomics.notify(c, base + 1);
  }
}
`;

let workers: { terminate(): void }[] = [];
/** The slots as int32s; the buffer holds one message area per slot after them. */
let control = new Int32Array(controlBuffer(SLOT * 4 + MESSAGE_BYTES), 0, SLOT);
let started: Promise<void> = Promise.resolve();
/** True once every worker of the current pool reported that it runs (set by waitForStart). */
let poolRunning = true;

// Where SharedArrayBuffer does not exist (a page that is not cross-origin isolated) there are no
// workers; the empty pool still needs a control array.
function controlBuffer(bytes: number): ArrayBuffer | SharedArrayBuffer {
  return sharedMemory ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

let blockingAllowed: boolean | null = null;

/** True when this thread may block in Atomics.wait (false on a browser's main thread). */
export function mayBlock(): boolean {
  if (blockingAllowed === null) {
    try {
      // The value differs, so this returns at once where waiting is allowed and throws elsewhere.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      blockingAllowed = true;
    } catch {
      blockingAllowed = false;
    }
  }
  return blockingAllowed;
}

/** Workers running now (threads - 1: the calling thread is the other one). */
export function workerCount(): number {
  return workers.length;
}

/**
 * Starts or stops workers so that `count` run beside this thread. Throws where threads cannot
 * run: no SharedArrayBuffer (a page without COOP/COEP headers), a browser's main thread, or no
 * platform adapter.
 */
export function setWorkerCount(count: number): void {
  const stopped = workers.some((_, w) => Atomics.load(control, w * SLOT + STATUS) === EXITED);
  if (count === workers.length && !stopped) return;
  if (count > 0) {
    const threads = `threads: ${count + 1}`;
    if (!sharedMemory) {
      throw new RangeError(
        `${threads} needs SharedArrayBuffer: serve the page cross-origin isolated (Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp), or use threads: 1`,
      );
    }
    if (!mayBlock()) {
      throw new RangeError(
        `${threads}: a browser's main thread may not wait for worker threads (Atomics.wait); run the model in a dedicated Web Worker, or use threads: 1 here`,
      );
    }
    if (getPlatform() === null) throw needsPlatform(threads);
  }
  for (const w of workers) w.terminate();
  workers = [];
  const slots = Math.max(1, count);
  control = new Int32Array(controlBuffer(slots * (SLOT * 4 + MESSAGE_BYTES)), 0, slots * SLOT);
  const platform = getPlatform();
  for (let slot = 0; slot < count && platform !== null; slot++) {
    const init = {
      modules: { gemm: modules.gemm, matvec: modules.matvec, quant: modules.quant },
      memory,
      slot,
    };
    workers.push(
      platform.startWorker(WORKER_SOURCE, { ...init, control: control.buffer as SharedArrayBuffer }),
    );
  }
  poolRunning = count === 0;
  started = waitForStart(control, count);
  // Awaiting backendReady() is optional in Node: a failed start must not become an unhandled
  // rejection there (the first kernel call reports it instead); an awaiter still sees it.
  started.catch(() => {});
}

/** Resolves once every worker of the pool started by the last setWorkerCount() runs. */
export function workersReady(): Promise<void> {
  return started;
}

/** Polls the slots' STARTED flags (cheap, and the same on every platform). */
function waitForStart(slots: Int32Array, count: number): Promise<void> {
  const begin = performance.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (slots !== control) return resolve(); // a newer pool replaced this one
      for (let w = 0; w < count; w++) {
        if (Atomics.load(slots, w * SLOT + STATUS) === EXITED) return reject(workerError(w));
      }
      let running = 0;
      for (let w = 0; w < count; w++) running += Atomics.load(slots, w * SLOT + STARTED);
      if (running === count) {
        poolRunning = true;
        return resolve();
      }
      if (performance.now() - begin > STARTUP_MS) return reject(notStarted(count - running));
      setTimeout(check, 2);
    };
    check();
  });
}

const notStarted = (n: number) =>
  new Error(`wasm backend: ${n} worker thread(s) did not start within ${STARTUP_MS / 1000} s`);

/** Posts job `args` of kernel `id` to worker `w` (returns at once). */
export function post(w: number, id: number, args: readonly number[]): void {
  const base = w * SLOT;
  if (Atomics.load(control, base + STATUS) === EXITED) throw workerError(w);
  const platform = getPlatform();
  // The whole pool, not just worker w: a split must not post to some workers and then throw.
  if (!poolRunning && platform !== null && !platform.blocksUntilStarted) {
    throw new Error(
      "wasm backend: the worker threads are still starting: await backendReady() after configureBackend() before the first kernel call",
    );
  }
  control[base + 2] = id;
  for (let i = 0; i < args.length; i++) control[base + 3 + i] = args[i]!;
  Atomics.add(control, base, 1);
  Atomics.notify(control, base);
}

/** The Error for worker w's last report (a failed job's status is cleared: the worker goes on). */
function workerError(w: number): Error {
  const base = w * SLOT;
  const length = Atomics.load(control, base + MESSAGE_LENGTH);
  // TextDecoder refuses views of shared memory: copy the bytes out first (slice).
  const bytes = new Uint8Array(control.buffer, control.length * 4 + w * MESSAGE_BYTES, length);
  const message = length === 0 ? "no message" : new TextDecoder().decode(bytes.slice()).split("\n")[0];
  const exited = Atomics.load(control, base + STATUS) === EXITED;
  if (!exited) Atomics.store(control, base + STATUS, 0);
  const advice = exited ? " (configureBackend({ threads }) starts a new pool)" : "";
  return new Error(
    `wasm backend: worker thread ${w + 1} ${exited ? "stopped" : "failed"}: ${message}${advice}`,
  );
}

/** Blocks until worker `w` has finished the last job posted to it; throws if it failed or stopped. */
export function wait(w: number): void {
  const base = w * SLOT;
  const job = Atomics.load(control, base);
  const begin = performance.now();
  for (;;) {
    const done = Atomics.load(control, base + 1);
    if (Atomics.load(control, base + STATUS) !== 0) throw workerError(w);
    if (done === job) return;
    if (Atomics.load(control, base + STARTED) === 1) {
      Atomics.wait(control, base + 1, done);
      continue;
    }
    // Not running yet: wait in short steps, so a worker that never starts is an error, not a hang.
    if (performance.now() - begin > STARTUP_MS) throw notStarted(1);
    Atomics.wait(control, base + 1, done, 50);
  }
}
