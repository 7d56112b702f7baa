// Worker threads for the wasm kernels: each worker instantiates the same kernel module over the
// same shared WebAssembly.Memory, so splitting a product needs no copies — the main thread packs
// the operands once, hands each worker a range of rows (or of 32-column strips for a
// matrix-vector product), runs the first range itself, and waits.
//
// The ops are synchronous, so the main thread blocks with Atomics.wait (allowed in Node's main
// thread, unlike a browser's). Each worker owns a slot of 16 int32s in a control
// SharedArrayBuffer:  [0] job number (bumped by the main thread), [1] last job done (set by the
// worker), [2] kernel id, [3..9] the kernel's arguments. Workers sleep in Atomics.wait on [0].
// Not here: deciding when threads pay (select.ts), async APIs, browsers (a browser main thread
// may not Atomics.wait; there the same pool would need an async op contract).
// Reference: Node `worker_threads`; the WebAssembly threads proposal (shared memory, atomics).

import { Worker } from "node:worker_threads";
import { kernelModule, memory } from "./memory.ts";

const SLOT = 16;
/** Kernel ids a job may name (the order is the worker's `fns` table below). */
export const JOB = { gemm: 0, axpyPanels: 1, dotRows: 2 } as const;

// Plain JavaScript, evaluated in each worker (no TypeScript loader is needed there).
const workerSource = `
const { workerData } = require("node:worker_threads");
const { module, memory, control, slot } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = [k.gemm, k.axpyPanels, k.dotRows];
const c = new Int32Array(control);
const base = slot * ${SLOT};
let seen = 0;
for (;;) {
  Atomics.wait(c, base, seen);           // sleep while the job number is still the one done
  seen = Atomics.load(c, base);
  fns[c[base + 2]](c[base + 3], c[base + 4], c[base + 5], c[base + 6], c[base + 7], c[base + 8], c[base + 9]);
  Atomics.store(c, base + 1, seen);
  Atomics.notify(c, base + 1);
}
`;

let workers: Worker[] = [];
let control = new Int32Array(new SharedArrayBuffer(4));

/** Workers running now (threads - 1: the main thread is the other one). */
export function workerCount(): number {
  return workers.length;
}

/** Starts or stops workers so that `count` run beside the main thread. */
export function setWorkerCount(count: number): void {
  if (count === workers.length) return;
  for (const w of workers) void w.terminate();
  workers = [];
  control = new Int32Array(new SharedArrayBuffer(Math.max(1, count) * SLOT * 4));
  for (let slot = 0; slot < count; slot++) {
    const w = new Worker(workerSource, {
      eval: true,
      workerData: { module: kernelModule, memory, control: control.buffer, slot },
    });
    w.unref(); // an idle pool must not keep the process alive
    workers.push(w);
  }
}

/** Posts job `args` of kernel `id` to worker `w` (returns at once). */
export function post(w: number, id: number, args: readonly number[]): void {
  const base = w * SLOT;
  control[base + 2] = id;
  for (let i = 0; i < args.length; i++) control[base + 3 + i] = args[i]!;
  Atomics.add(control, base, 1);
  Atomics.notify(control, base);
}

/** Blocks until worker `w` has finished the last job posted to it. */
export function wait(w: number): void {
  const base = w * SLOT;
  const job = Atomics.load(control, base);
  for (;;) {
    const done = Atomics.load(control, base + 1);
    if (done === job) return;
    Atomics.wait(control, base + 1, done);
  }
}
