// The wasm backend's runtime under stress: the shared memory growing close to its 2 GiB maximum,
// and a worker thread whose job traps, which must surface as an Error on the main thread
// instead of leaving it blocked in Atomics.wait, and workers starting under `node -e`; and the
// platform adapter: what the main entry does without one, and Node's default thread count. (In a file of its own: the memory stays at
// 2 GiB of address space for the rest of the file.)

import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { type MatmulParams, Rng, referenceBackend } from "@llmts/tensor";
import { describe, expect, it } from "vitest";
import "../src/node/index.ts"; // installs the Node adapter the worker threads start on
import { matmulWasm } from "../src/wasm/matmul.ts";
import {
  allocPinned,
  ensureBytes,
  freePinned,
  heapF32,
  pagesToGrow,
  scratchBase,
  wasmAddress,
} from "../src/wasm/memory.ts";
import { pinnedFloat32 } from "../src/wasm/pinned.ts";
import { JOB, runJob, setWorkerCount } from "../src/wasm/workers.ts";

const GiB = 2 ** 30;

describe("the pinned region of the wasm memory", () => {
  it("hands out zeroed blocks, reuses a freed one first-fit, and keeps the scratch above them all", () => {
    const a = allocPinned(1000);
    const b = allocPinned(64);
    expect(scratchBase()).toBeGreaterThanOrEqual(b + 64);
    heapF32().fill(7, a / 4, a / 4 + 250); // its owner writes it (a loader, a KV cache)
    freePinned(a);
    const c = allocPinned(500); // fits in a's gap
    expect(c).toBe(a);
    expect(
      heapF32()
        .subarray(c / 4, c / 4 + 125)
        .every((x) => x === 0),
    ).toBe(true);
    freePinned(b);
    freePinned(c);
  });

  it("gives a loader arrays inside it (found by wasmAddress), and no plain array an address", () => {
    const w = pinnedFloat32(33);
    expect(wasmAddress(w)).toBeGreaterThanOrEqual(0);
    expect(w.every((x) => x === 0)).toBe(true);
    expect(wasmAddress(new Float32Array(33))).toBe(-1);
  });
});

describe("wasm memory growth", () => {
  it("doubles while that fits and stops at the maximum instead of overshooting it", () => {
    expect(pagesToGrow(16, 20, 32768)).toBe(16); // double
    expect(pagesToGrow(16, 100, 32768)).toBe(84); // more than double when asked
    expect(pagesToGrow(20000, 21000, 32768)).toBe(12768); // doubling would pass 32768: capped
    expect(() => pagesToGrow(20000, 32769, 32768)).toThrow(/more than its 2 GiB maximum/);
  });

  it("serves 1.2 GiB and then 1.3 GiB, and names the limit past 2 GiB", () => {
    ensureBytes(1.2 * GiB);
    ensureBytes(1.3 * GiB); // threw a raw "Maximum memory size exceeded" RangeError before
    expect(() => ensureBytes(2 * GiB + 1)).toThrow(/wasm backend: needs 2\.00 GiB of wasm memory/);
  });
});

describe("wasm worker threads", () => {
  it("turn a job that traps into an Error on the main thread, and keep working after it", () => {
    setWorkerCount(1);
    try {
      // Addresses far past the memory: a wasm trap in the worker, which takes every chunk here.
      const trap = [-64, -64, -64, 32, 128];
      expect(() => runJob(JOB.dotRows, trap, 64, 16, false)).toThrow(
        /wasm backend: worker thread 1 failed: .*out of bounds/,
      );
      // Shared with this thread, the same job throws the trap of whichever thread hit it first.
      expect(() => runJob(JOB.dotRows, trap, 64, 16)).toThrow(/out of bounds/);
      // The pool still splits products: a matrix-vector product big enough to use both threads.
      const rng = new Rng(1);
      const K = 1024;
      const N = 1100;
      const a = Float32Array.from({ length: K }, () => rng.normal());
      const b = Float32Array.from({ length: K * N }, () => rng.normal());
      const params = (out: Float32Array): MatmulParams => ({
        M: 1,
        K,
        N,
        a,
        aOffset: 0,
        aRowStride: K,
        aColStride: 1,
        b,
        bOffset: 0,
        bRowStride: N,
        bColStride: 1,
        out,
        outOffset: 0,
      });
      const want = new Float32Array(N);
      const got = new Float32Array(N);
      referenceBackend.matmul(params(want));
      matmulWasm(params(got));
      for (let j = 0; j < N; j++) expect(Math.abs(got[j]! - want[j]!)).toBeLessThan(2e-3);
    } finally {
      setWorkerCount(0);
    }
  });

  it("compute every chunk a job leaves to them as this thread would (both matrix-vector kernels)", () => {
    setWorkerCount(1);
    try {
      const [K, N] = [37, 101];
      const at = scratchBase() + 4096; // x [K], W [N, K] (and read as [K, N]), y [N], zeroed first
      ensureBytes(at + (K + K * N + N) * 4 + 64);
      const heap = heapF32();
      const [x, w, y] = [at, at + K * 4, at + (K + K * N) * 4];
      for (let i = 0; i < K + K * N; i++) heap[at / 4 + i] = Math.sin(i);
      const expectY = (rows: boolean) => {
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += heap[x / 4 + k]! * heap[w / 4 + (rows ? j * K + k : k * N + j)]!;
          expect(Math.abs(heap[y / 4 + j]! - s)).toBeLessThan(1e-4);
        }
      };
      heap.fill(0, y / 4, y / 4 + N);
      runJob(JOB.dotRows, [x, w, y, K, K * 4], N, 16, false); // W [N, K]: rows of W to the worker
      expectY(true);
      heap.fill(0, y / 4, y / 4 + N);
      runJob(JOB.axpyRows, [x, w, y, K, N * 4], N, 16, false); // W [K, N]: columns to the worker
      expectY(false);
    } finally {
      setWorkerCount(0);
    }
  });

  it("start in a process run as `node --input-type=module -e` (they must not inherit its flags)", () => {
    // The benchmark's child processes run like this; the workers used to evaluate their CommonJS
    // source as a module there, fail before they could report, and leave the main thread waiting.
    const child = runModule(
      "node/index.ts",
      'k.configureBackend({ backend: "wasm", threads: 2 });' +
        "const r = new t.Rng(1);" +
        "process.stdout.write(String(t.matmul(t.randn([256, 256], r), t.randn([256, 256], r)).shape));",
    );
    expect(child.stderr).toBe("");
    expect(child.stdout).toBe("256,256");
  }, 60_000);
});

/** Runs `code` in a fresh `node -e` process with k = the kernels entry `entry`, t = @llmts/tensor. */
function runModule(entry: string, code: string) {
  const kernels = new URL(`../src/${entry}`, import.meta.url).href;
  const script =
    `import { register } from ${JSON.stringify(import.meta.resolve("tsx/esm/api"))}; register();` +
    `const k = await import(${JSON.stringify(kernels)});` +
    `const t = await import(${JSON.stringify(import.meta.resolve("@llmts/tensor"))});` +
    code;
  return spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 50_000,
  });
}

describe("the platform adapter", () => {
  it("is needed for threads and gpu.js: the main entry alone runs one thread and says which import to use", () => {
    const child = runModule(
      "index.ts",
      'k.configureBackend({ backend: "wasm" });' +
        "const lines = [k.describeBackend()];" +
        'for (const c of [{ backend: "wasm", threads: 2 }, { backend: "gpujs" }]) {' +
        '  try { k.configureBackend(c); } catch (e) { lines.push(e.name + ": " + e.message); }' +
        "}" +
        'process.stdout.write(lines.join("\\n"));',
    );
    expect(child.stderr).toBe("");
    const [described, threads, gpujs] = child.stdout.split("\n");
    expect(described).toMatch(/threads 1; no platform adapter\)$/);
    const advice = 'import from "@llmts/kernels/node" in Node, or "@llmts/kernels/browser" in a browser';
    expect(threads).toBe(`RangeError: threads: 2 needs a platform adapter: ${advice}`);
    expect(gpujs).toBe(`RangeError: the gpujs backend needs a platform adapter: ${advice}`);
  }, 60_000);

  it("in Node defaults to every core (os.availableParallelism)", () => {
    const child = runModule(
      "node/index.ts",
      "k.configureBackend({}); process.stdout.write(k.describeBackend());",
    );
    expect(child.stderr).toBe("");
    expect(child.stdout).toMatch(new RegExp(`threads ${availableParallelism()}; node\\)$`));
  }, 60_000);
});
