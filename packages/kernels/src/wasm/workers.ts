// Worker threads for the wasm kernels: each worker instantiates the same kernel module over the
// same shared WebAssembly.Memory, so splitting a product needs no copies — the main thread packs
// the operands once, hands each worker a range of rows (or of 32-column strips for a
// matrix-vector product), runs the first range itself, and waits.
//
// The ops are synchronous, so the main thread blocks with Atomics.wait (allowed in Node's main
// thread, unlike a browser's). Each worker owns a slot of 16 int32s in a control
// SharedArrayBuffer:  [0] job number (bumped by the main thread), [1] last job done (set by the
// worker), [2] kernel id, [3..9] the kernel's arguments, [10] status (0 ok, FAILED, EXITED),
// [11] 1 once the worker is running (a worker that never starts could not report anything, so
// the main thread gives up waiting on it after STARTUP_MS).
// Workers sleep in Atomics.wait on [0].
// A blocked main thread never sees a Worker's 'error' or 'exit' event (those arrive on its event
// loop), so a worker reports trouble through its slot instead: a job that throws (a wasm trap)
// sets FAILED, a worker that stops sets EXITED, each with the message on a MessagePort that the
// main thread reads synchronously (receiveMessageOnPort) and throws as a one-line Error.
// Not here: deciding when threads pay (select.ts), async APIs, browsers (a browser main thread
// may not Atomics.wait; there the same pool would need an async op contract).
// Reference: Node `worker_threads`; the WebAssembly threads proposal (shared memory, atomics).

import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { kernelModule, memory } from "./memory.ts";

const SLOT = 16;
const STATUS = 10;
const FAILED = 1;
const EXITED = 2;
const STARTED = 11;
/** How long the main thread waits for a new worker to start before it reports a failure. */
const STARTUP_MS = 30_000;
/** Kernel ids a job may name (the order is the worker's `fns` table below). */
export const JOB = { gemm: 0, axpyPanels: 1, dotRows: 2 } as const;

// Plain JavaScript, evaluated in each worker (no TypeScript loader is needed there).
const workerSource = `
const { workerData } = require("node:worker_threads");
const { module, memory, control, slot, port } = workerData;
const c = new Int32Array(control);
const base = slot * ${SLOT};
let seen = 0;
let fns = null;
// Reports trouble: the message on the port first, then the status, then "done" to wake the main thread.
function report(status, error) {
  port.postMessage(String((error && error.message) || error));
  Atomics.store(c, base + ${STATUS}, status);
  Atomics.store(c, base + 1, Atomics.load(c, base));
  Atomics.notify(c, base + 1);
}
process.on("exit", () => report(${EXITED}, "the worker thread exited"));
Atomics.store(c, base + ${STARTED}, 1);
try {
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
  fns = [k.gemm, k.axpyPanels, k.dotRows];
} catch (error) {
  report(${EXITED}, error);
  process.exit(1);
}
for (;;) {
  Atomics.wait(c, base, seen);           // sleep while the job number is still the one done
  seen = Atomics.load(c, base);
  try {
    fns[c[base + 2]](c[base + 3], c[base + 4], c[base + 5], c[base + 6], c[base + 7], c[base + 8], c[base + 9]);
  } catch (error) {
    report(${FAILED}, error);
    continue;
  }
  Atomics.store(c, base + 1, seen);
  Atomics.notify(c, base + 1);
}
`;

let workers: Worker[] = [];
let ports: MessagePort[] = [];
let control = new Int32Array(new SharedArrayBuffer(4));

/** Workers running now (threads - 1: the main thread is the other one). */
export function workerCount(): number {
  return workers.length;
}

/** Starts or stops workers so that `count` run beside the main thread. */
export function setWorkerCount(count: number): void {
  const stopped = workers.some((_, w) => Atomics.load(control, w * SLOT + STATUS) === EXITED);
  if (count === workers.length && !stopped) return;
  for (const w of workers) void w.terminate();
  for (const p of ports) p.close();
  workers = [];
  ports = [];
  control = new Int32Array(new SharedArrayBuffer(Math.max(1, count) * SLOT * 4));
  for (let slot = 0; slot < count; slot++) {
    const { port1, port2 } = new MessageChannel();
    const w = new Worker(workerSource, {
      eval: true,
      // NOTE: not the parent's flags: under `node --input-type=module -e` a worker would inherit
      // them and evaluate this CommonJS source as a module, where `require` does not exist.
      execArgv: [],
      workerData: { module: kernelModule, memory, control: control.buffer, slot, port: port2 },
      transferList: [port2],
    });
    w.unref(); // an idle pool must not keep the process alive
    w.on("error", () => {}); // reported through the slot (see report() above); keep the process up
    workers.push(w);
    ports.push(port1);
  }
}

/** Posts job `args` of kernel `id` to worker `w` (returns at once). */
export function post(w: number, id: number, args: readonly number[]): void {
  const base = w * SLOT;
  if (Atomics.load(control, base + STATUS) === EXITED) throw workerError(w);
  control[base + 2] = id;
  for (let i = 0; i < args.length; i++) control[base + 3 + i] = args[i]!;
  Atomics.add(control, base, 1);
  Atomics.notify(control, base);
}

/** The Error for worker w's last report (a failed job's status is cleared: the worker goes on). */
function workerError(w: number): Error {
  const base = w * SLOT;
  const received = receiveMessageOnPort(ports[w]!);
  const message = received === undefined ? "no message" : String(received.message).split("\n")[0];
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
  const started = performance.now();
  for (;;) {
    const done = Atomics.load(control, base + 1);
    if (Atomics.load(control, base + STATUS) !== 0) throw workerError(w);
    if (done === job) return;
    if (Atomics.load(control, base + STARTED) === 1) {
      Atomics.wait(control, base + 1, done);
      continue;
    }
    // Not running yet: wait in short steps, so a worker that never starts is an error, not a hang.
    if (performance.now() - started > STARTUP_MS) {
      throw new Error(`wasm backend: worker thread ${w + 1} did not start within ${STARTUP_MS / 1000} s`);
    }
    Atomics.wait(control, base + 1, done, 50);
  }
}
