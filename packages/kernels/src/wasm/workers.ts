// Worker threads for the wasm kernels: each worker instantiates the same kernel modules over the
// same shared WebAssembly.Memory, so splitting a product needs no copies — the calling thread
// packs the operands once and posts one job: a kernel, its arguments, and a range (rows of C, rows
// of W, columns of W) cut into chunks. Every thread, the caller included, then takes chunks until
// none is left (work sharing through one atomic counter), and the caller waits until every chunk
// taken is done. Each chunk writes its own part of the output, so the result does not depend on
// which thread ran which chunk.
//
// Why chunks taken, not ranges handed out: on a busy machine a worker may not run for
// milliseconds. Handed a fixed half of every product, it would make each product wait for it;
// here the caller takes the chunks such a worker does not. And a worker that has not started yet
// (a browser starts Web Workers only when the page's thread is idle) simply takes no chunk. Only a
// chunk a worker took and then was descheduled in can hold the caller up; when that makes a job
// slower than this thread alone would have been, the caller runs the jobs of the next BACK_OFF_MS
// alone — so more threads are never much slower than one.
//
// Waking a sleeping thread (a futex round trip through the OS) takes tens of microseconds, as long
// as a small matrix-vector product itself, and a decode step runs dozens of them, one job each.
// So both sides spin before they sleep, as llama.cpp's threads do: an idle worker polls the job
// counter for SPIN_MS before it blocks in Atomics.wait, and the caller polls for "done" before it
// blocks. While a step posts a job every few microseconds, no one sleeps; an idle pool sleeps
// after SPIN_MS and costs nothing.
//
// The ops are synchronous, so the calling thread may block in Atomics.wait: allowed on Node's main
// thread and in a browser's dedicated worker, NOT on a browser's main thread (there the pool
// refuses to start: run the model in a Worker, or on one thread). Workers are started by the
// platform adapter (../platform.ts: worker_threads in Node, Web Workers in browsers).
//
// The control SharedArrayBuffer (int32s):
//   [0] CLAIM   job number << 8 | next chunk to take   (a job has at most 255 chunks)
//   [1] DONE    chunks of the current job finished
//   [2] KERNEL  [3] TOTAL (the range)  [4] STEP (its units per chunk)  [5] CHUNKS  [6..17] ARGS
//   then 4 per worker: STATUS (0 ok, FAILED, EXITED), STARTED, MESSAGE_LENGTH, BUSY (in a chunk)
//   and 256 bytes per worker after all that for its last error message.
// A blocked caller never sees a worker's 'error' or 'exit' event (those arrive on its event loop),
// so a worker reports trouble through its slot: a chunk that throws (a wasm trap) sets FAILED, a
// worker that stops sets EXITED, each with the message, which the caller throws as a one-line Error.
// A worker takes a chunk with a compare-and-swap on CLAIM after reading the job: if the job
// changed in between, the swap fails and it reads again, so it never runs one job's chunk with
// another job's arguments.
// Not here: deciding when threads pay and how a product is cut (matmul.ts), the platform's worker
// API (node/, browser/).
// Reference: the WebAssembly threads proposal (shared memory, atomics); ggml's thread pool (chunks
// taken from an atomic counter, threads spinning before they sleep); emscripten's pthread pool.

import { getPlatform, needsPlatform } from "../platform.ts";
import { gemmKernels, matvecKernels, memory, modules, quantKernels, sharedMemory } from "./memory.ts";

const CLAIM = 0;
const DONE = 1;
const KERNEL = 2;
const TOTAL = 3;
const STEP = 4;
const CHUNKS = 5;
const ARGS = 6;
const HEADER = 20;
/** Arguments a job may carry. */
const MAX_ARGS = 12;
const SLOT = 4; // per worker, after the header:
const STATUS = 0;
const STARTED = 1;
const MESSAGE_LENGTH = 2;
const BUSY = 3;
const FAILED = 1;
const EXITED = 2;
const MESSAGE_BYTES = 256;
/** Most chunks per job (CLAIM keeps the next one in 8 bits). */
const MAX_CHUNKS = 255;
/** Chunks per thread: enough that a late or slow thread leaves work for the others. */
const CHUNKS_PER_THREAD = 8;
/** How long an idle worker, and a caller waiting for one, poll before they sleep. */
export const SPIN_MS = 0.5;
/**
 * How long this thread runs jobs alone after a worker held one up for longer than this thread's
 * own share took (the worker was not running: the machine's cores are busy with other work).
 */
const BACK_OFF_MS = 20;
/** How long backendReady() waits for new workers to start before it reports a failure. */
const STARTUP_MS = 30_000;

/**
 * Kernel ids a job may name, and what each does with a range [s, e) on thread t (0 = the caller,
 * worker w = w + 1) — the order of the worker's table below and of RANGE_KERNELS:
 *   gemm      columns [s, e) of C: gemm(a, b, rs, cs, c, ldc, Mp, K, N, s, e, pack + t·PACK_BYTES)
 *                                  args [a, b, rs, cs, c, ldc, Mp, K, N, pack]
 *   dotRows   rows [s, e) of W:    dotRows(x, w + s·rowBytes, y + 4s, e − s, K, rowBytes)
 *   axpyRows  columns [s, e) of W: axpyRows(x, w + 4s, y + 4s, K, e − s, rowBytes)
 *                                  both: args [x, w, y, K, rowBytes]
 *   q8_0Rows, q4_0Rows  rows [s, e) of a quantized W (s, e multiples of 4: its groups of 4 rows):
 *                                  q*Rows(xq, M, w + (s/4)·groupBytes, y + s·M·4, e − s, K)
 *                                  args [xq, M, w, y, groupBytes, K] (quantized.ts)
 *   dotRowsBatch   rows [s, e) of W, for M rows of x:
 *                                  dotRowsBatch(x, M, w + s·rowBytes, y + 4s, e − s, K, rowBytes, yRowBytes)
 *   axpyRowsBatch  columns [s, e) of W, for M rows of x:
 *                                  axpyRowsBatch(x, M, w + 4s, y + 4s, K, e − s, rowBytes, yRowBytes)
 *                                  both: args [x, M, w, y, K, rowBytes, yRowBytes]
 */
export const JOB = {
  gemm: 0,
  dotRows: 1,
  axpyRows: 2,
  q8_0Rows: 3,
  q4_0Rows: 4,
  dotRowsBatch: 5,
  axpyRowsBatch: 6,
} as const;
/** Each thread's buffer for gemm's packed B: one KC x NC block (256 x 256 floats). */
export const PACK_BYTES = 256 * 256 * 4;

// Plain JavaScript, run in each worker (no TypeScript loader is needed there). The platform
// adapter calls start(init, onExit) with the WorkerInit of ../platform.ts.
const WORKER_SOURCE = `
function start(init, onExit) {
  const { modules, memory, control, slot } = init;
  const workers = (control.byteLength - ${HEADER * 4}) / ${SLOT * 4 + MESSAGE_BYTES};
  const c = new Int32Array(control, 0, ${HEADER} + workers * ${SLOT});
  const mine = ${HEADER} + slot * ${SLOT};
  const text = new Uint8Array(control, c.byteLength + slot * ${MESSAGE_BYTES}, ${MESSAGE_BYTES});
  // Reports trouble: the message first, then the status; a chunk it was in counts as done.
  function report(status, error) {
    const bytes = new TextEncoder().encode(String((error && error.message) || error)).subarray(0, ${MESSAGE_BYTES});
    text.set(bytes);
    Atomics.store(c, mine + ${MESSAGE_LENGTH}, bytes.length);
    Atomics.store(c, mine + ${STATUS}, status);
    if (Atomics.exchange(c, mine + ${BUSY}, 0) === 1) Atomics.add(c, ${DONE}, 1);
    Atomics.notify(c, ${DONE});
  }
  onExit(() => report(${EXITED}, "the worker thread exited"));
  let kernels;
  try {
    const imports = { env: { memory } };
    const gemm = new WebAssembly.Instance(modules.gemm, imports).exports;
    const matvec = new WebAssembly.Instance(modules.matvec, imports).exports;
    const quant = new WebAssembly.Instance(modules.quant, imports).exports;
    kernels = [
      (a, s, e, t) => gemm.gemm(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], s, e, a[9] + t * ${PACK_BYTES}),
      (a, s, e) => matvec.dotRows(a[0], a[1] + s * a[4], a[2] + 4 * s, e - s, a[3], a[4]),
      (a, s, e) => matvec.axpyRows(a[0], a[1] + 4 * s, a[2] + 4 * s, a[3], e - s, a[4]),
      (a, s, e) => quant.q8_0Rows(a[0], a[1], a[2] + (s / 4) * a[4], a[3] + s * a[1] * 4, e - s, a[5]),
      (a, s, e) => quant.q4_0Rows(a[0], a[1], a[2] + (s / 4) * a[4], a[3] + s * a[1] * 4, e - s, a[5]),
      (a, s, e) => matvec.dotRowsBatch(a[0], a[1], a[2] + s * a[5], a[3] + 4 * s, e - s, a[4], a[5], a[6]),
      (a, s, e) => matvec.axpyRowsBatch(a[0], a[1], a[2] + 4 * s, a[3] + 4 * s, a[4], e - s, a[5], a[6]),
    ];
  } catch (error) {
    report(${EXITED}, error);
    return;
  }
  Atomics.store(c, mine + ${STARTED}, 1);
  const args = new Array(${MAX_ARGS}).fill(0);
  let idle = -1; // the CLAIM value that had nothing left to take
  for (;;) {
    // Poll for a new job for ${SPIN_MS} ms (the clock read every 256 polls), then sleep while
    // CLAIM is still the value that had nothing left (Atomics.wait returns at once if it changed).
    const until = performance.now() + ${SPIN_MS};
    for (let i = 1; Atomics.load(c, ${CLAIM}) === idle; i++) {
      if ((i & 255) === 0 && performance.now() > until) {
        Atomics.wait(c, ${CLAIM}, idle);
        break;
      }
    }
    // Take chunks of the current job until none is left.
    for (;;) {
      const v = Atomics.load(c, ${CLAIM});
      const kernel = Atomics.load(c, ${KERNEL});
      const total = Atomics.load(c, ${TOTAL});
      const step = Atomics.load(c, ${STEP});
      const chunks = Atomics.load(c, ${CHUNKS});
      for (let i = 0; i < ${MAX_ARGS}; i++) args[i] = Atomics.load(c, ${ARGS} + i);
      const chunk = v & 255;
      if (chunk >= chunks) {
        idle = v;
        break;
      }
      Atomics.store(c, mine + ${BUSY}, 1);
      if (Atomics.compareExchange(c, ${CLAIM}, v, v + 1) !== v) {
        Atomics.store(c, mine + ${BUSY}, 0);
        continue; // another thread took it, or a new job came: read again
      }
      try {
        kernels[kernel](args, chunk * step, Math.min(total, (chunk + 1) * step), slot + 1);
      } catch (error) {
        report(${FAILED}, error);
        continue;
      }
      Atomics.store(c, mine + ${BUSY}, 0);
      Atomics.add(c, ${DONE}, 1);
      Atomics.notify(c, ${DONE});
    }
  }
}
`;

/** The same kernels on this thread, by job id, over a range (see JOB). */
const RANGE_KERNELS: ((a: readonly number[], s: number, e: number) => void)[] = [
  (a, s, e) => gemmKernels.gemm(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, s, e, a[9]!),
  (a, s, e) => matvecKernels.dotRows(a[0]!, a[1]! + s * a[4]!, a[2]! + 4 * s, e - s, a[3]!, a[4]!),
  (a, s, e) => matvecKernels.axpyRows(a[0]!, a[1]! + 4 * s, a[2]! + 4 * s, a[3]!, e - s, a[4]!),
  (a, s, e) =>
    quantKernels.q8_0Rows(a[0]!, a[1]!, a[2]! + (s / 4) * a[4]!, a[3]! + s * a[1]! * 4, e - s, a[5]!),
  (a, s, e) =>
    quantKernels.q4_0Rows(a[0]!, a[1]!, a[2]! + (s / 4) * a[4]!, a[3]! + s * a[1]! * 4, e - s, a[5]!),
  (a, s, e) =>
    matvecKernels.dotRowsBatch(a[0]!, a[1]!, a[2]! + s * a[5]!, a[3]! + 4 * s, e - s, a[4]!, a[5]!, a[6]!),
  (a, s, e) =>
    matvecKernels.axpyRowsBatch(a[0]!, a[1]!, a[2]! + 4 * s, a[3]! + 4 * s, a[4]!, e - s, a[5]!, a[6]!),
];

let workers: { terminate(): void }[] = [];
/** The control words: the header, then SLOT per worker (messages follow in the same buffer). */
let control = new Int32Array(controlBuffer(0), 0, HEADER);
let job = 0;
/** Until when (performance.now()) jobs run on this thread alone (see BACK_OFF_MS). */
let aloneUntil = 0;
let started: Promise<void> = Promise.resolve();

// Where SharedArrayBuffer does not exist (a page that is not cross-origin isolated) there are no
// workers; the empty pool still needs a control array.
function controlBuffer(count: number): ArrayBuffer | SharedArrayBuffer {
  const bytes = HEADER * 4 + count * (SLOT * 4 + MESSAGE_BYTES);
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

/** Worker w's slot in the control words. */
const slotOf = (w: number) => HEADER + w * SLOT;

/**
 * Starts or stops workers so that `count` run beside this thread. Throws where threads cannot
 * run: no SharedArrayBuffer (a page without COOP/COEP headers), a browser's main thread, or no
 * platform adapter.
 */
export function setWorkerCount(count: number): void {
  const stopped = workers.some((_, w) => Atomics.load(control, slotOf(w) + STATUS) === EXITED);
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
  const buffer = controlBuffer(count);
  control = new Int32Array(buffer, 0, HEADER + count * SLOT);
  const platform = getPlatform();
  for (let slot = 0; slot < count && platform !== null; slot++) {
    const init = {
      modules: { gemm: modules.gemm, matvec: modules.matvec, quant: modules.quant },
      memory,
      slot,
    };
    workers.push(platform.startWorker(WORKER_SOURCE, { ...init, control: buffer as SharedArrayBuffer }));
  }
  started = waitForStart(control, count);
  // Awaiting backendReady() is optional: until the workers run, this thread takes every chunk. A
  // failed start must not become an unhandled rejection (the next job reports it instead).
  started.catch(() => {});
}

/** Resolves once every worker of the pool started by the last setWorkerCount() runs. */
export function workersReady(): Promise<void> {
  return started;
}

/** Polls the slots' STARTED flags (cheap, and the same on every platform). */
function waitForStart(words: Int32Array, count: number): Promise<void> {
  const begin = performance.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (words !== control) return resolve(); // a newer pool replaced this one
      for (let w = 0; w < count; w++) {
        if (Atomics.load(words, slotOf(w) + STATUS) === EXITED) return reject(workerError(w));
      }
      let running = 0;
      for (let w = 0; w < count; w++) running += Atomics.load(words, slotOf(w) + STARTED);
      if (running === count) return resolve();
      if (performance.now() - begin > STARTUP_MS) {
        return reject(
          new Error(
            `wasm backend: ${count - running} worker thread(s) did not start within ${STARTUP_MS / 1000} s`,
          ),
        );
      }
      setTimeout(check, 2);
    };
    check();
  });
}

/** The Error for worker w's last report (a failed chunk's status is cleared: the worker goes on). */
function workerError(w: number): Error {
  const slot = slotOf(w);
  const length = Atomics.load(control, slot + MESSAGE_LENGTH);
  // TextDecoder refuses views of shared memory: copy the bytes out first (slice).
  const bytes = new Uint8Array(control.buffer, control.byteLength + w * MESSAGE_BYTES, length);
  const message = length === 0 ? "no message" : new TextDecoder().decode(bytes.slice()).split("\n")[0];
  const exited = Atomics.load(control, slot + STATUS) === EXITED;
  if (!exited) Atomics.store(control, slot + STATUS, 0);
  const advice = exited ? " (configureBackend({ threads }) starts a new pool)" : "";
  return new Error(
    `wasm backend: worker thread ${w + 1} ${exited ? "stopped" : "failed"}: ${message}${advice}`,
  );
}

/** The first worker that reported trouble, as an Error, or null. */
function troubleReported(): Error | null {
  for (let w = 0; w < workers.length; w++) {
    if (Atomics.load(control, slotOf(w) + STATUS) !== 0) return workerError(w);
  }
  return null;
}

/**
 * Runs kernel `kernel` (a JOB id) with `args` over the range [0, total), cut into chunks of a
 * multiple of `unit`, on this thread and every worker (see the header); returns when all of it is
 * done. Throws what a chunk threw (this thread's first, else a worker's report). `here: false`
 * leaves every chunk to the workers (tests use it to reach the workers' own paths).
 */
export function runJob(
  kernel: number,
  args: readonly number[],
  total: number,
  unit: number,
  here = true,
): void {
  const run = RANGE_KERNELS[kernel]!;
  if (workers.length === 0 || total <= unit || (here && performance.now() < aloneUntil)) {
    run(args, 0, total);
    return;
  }
  const exited = troubleReported();
  if (exited !== null) throw exited;
  const units = Math.ceil(total / unit);
  const step =
    Math.ceil(units / Math.min(MAX_CHUNKS, units, (workers.length + 1) * CHUNKS_PER_THREAD)) * unit;
  const chunks = Math.ceil(total / step);
  Atomics.store(control, KERNEL, kernel);
  Atomics.store(control, TOTAL, total);
  Atomics.store(control, STEP, step);
  Atomics.store(control, CHUNKS, chunks);
  for (let i = 0; i < args.length; i++) Atomics.store(control, ARGS + i, args[i]!);
  Atomics.store(control, DONE, 0);
  job = (job + 1) & 0x7fffff;
  const begin = performance.now();
  Atomics.store(control, CLAIM, job << 8); // publish: chunk 0 of the new job is free
  Atomics.notify(control, CLAIM);
  let failure: unknown = null;
  while (here) {
    const v = Atomics.load(control, CLAIM);
    const chunk = v & 255;
    if (chunk >= chunks) break;
    if (Atomics.compareExchange(control, CLAIM, v, v + 1) !== v) continue;
    try {
      run(args, chunk * step, Math.min(total, (chunk + 1) * step));
    } catch (error) {
      failure ??= error;
    }
    Atomics.add(control, DONE, 1);
  }
  const mine = performance.now();
  waitUntilDone(chunks);
  // A worker kept this thread waiting longer than its own share took: sharing made this job
  // slower than running it alone. Run the next jobs alone for a while, then share again.
  const end = performance.now();
  if (end - mine > mine - begin) aloneUntil = end + BACK_OFF_MS;
  // Every chunk is done, so no thread is still writing shared memory: now report trouble.
  if (failure !== null) throw failure;
  const reported = troubleReported();
  if (reported !== null) throw reported;
}

/** Blocks until DONE reaches `chunks`: polls for SPIN_MS, then sleeps in short waits. */
function waitUntilDone(chunks: number): void {
  const begin = performance.now();
  for (let i = 1; Atomics.load(control, DONE) < chunks; i++) {
    if ((i & 255) === 0 && performance.now() - begin > SPIN_MS) {
      const done = Atomics.load(control, DONE);
      if (done < chunks) Atomics.wait(control, DONE, done, 50);
    }
  }
}
