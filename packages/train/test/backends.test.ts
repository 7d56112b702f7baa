// The fast kernels train the same run as the reference kernels: same seed, same batches, and the
// losses of 100 iterations agree to 1e-4 relative — the wasm SIMD matmuls, fused block attention,
// exp-based activations in float32 SIMD, and the batch split over two threads change the order of
// float32 sums, not the loss curve. (Shortened: a model small enough that the reference kernels
// run 100 iterations in seconds, big enough that every product takes the wasm paths.)

import { rmSync } from "node:fs";
import { join } from "node:path";
import { configureBackend } from "@llmts/kernels/node";
import { afterAll, describe, expect, it } from "vitest";
import { isEvalRecord } from "../src/index.ts";
import { MetricsLog, prepareRun, trainRun } from "../src/node/index.ts";
import { scratchDir, TEXT, tinyConfig } from "./helpers.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  configureBackend({ backend: "reference", threads: 1 });
});

/** The training losses of 100 iterations on `backend`, the batch split over `dataParallel` threads. */
async function losses(backend: "reference" | "auto", dataParallel: number): Promise<number[]> {
  configureBackend({ backend, threads: 1 });
  const out = scratchDir();
  dirs.push(out);
  // 2 layers, 32 wide, 16 tokens x 4 rows: [64, 32] @ [32, 96] and the attention blocks' products
  // are above the auto backend's 4096 multiply-adds, so they run on the wasm kernels.
  const config = tinyConfig(out, {
    nLayer: 2,
    nHead: 2,
    nEmbd: 32,
    blockSize: 16,
    batchSize: 4,
    maxIters: 100,
    warmupIters: 10,
    evalInterval: 1000,
    evalIters: 0,
    dataParallel,
  });
  await trainRun(prepareRun(config, { readText: () => TEXT }));
  return new MetricsLog(join(out, "metrics.jsonl"))
    .read()
    .filter((r) => !isEvalRecord(r))
    .map((r) => r.train_loss);
}

describe("the auto backend's kernels", () => {
  it("give the reference kernels' losses to 1e-4 relative over 100 iterations, on one thread and split over two", async () => {
    const reference = await losses("reference", 1);
    expect(reference.length).toBe(100);
    expect(reference[99]!).toBeLessThan(reference[0]! * 0.8); // it learns: the comparison means something
    for (const dataParallel of [1, 2]) {
      const fast = await losses("auto", dataParallel);
      fast.forEach((loss, i) => {
        const relative = Math.abs(loss - reference[i]!) / reference[i]!;
        if (!(relative <= 1e-4)) {
          expect.fail(`iteration ${i + 1}, ${dataParallel} thread(s): ${loss} vs reference ${reference[i]}`);
        }
      });
    }
  }, 120_000);
});
