// Benchmark: llm.ts now against an earlier commit, side by side in one run on one machine — the
// check that a refactor (the core/engine split, say) made nothing slower. The earlier commit is
// checked out into a temporary git worktree and installed from the lockfile (offline: pnpm's
// store already holds everything an earlier commit used); then baseline-probe.ts runs in each
// checkout in turn, baseline and current alternating, ROUNDS times, and the best of each is kept
// (the machine is shared; the best run is the least disturbed one).
//
//   LLMTS_BENCH_BASELINE=<commit>   the commit to compare with (default: BEFORE_SPLIT)
//
// Measured: decode tokens/s (stories15M shape, 1 and 2 threads), a GPT-2 124M 128-token prefill
// (2 threads), and ms per training step of nanoGPT's CPU recipe (the default 2 data-parallel
// threads). Not a test: nothing asserts a speed.

import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchSection } from "./report.ts";

/** The last commit before @llmts/tensor was split into the textbook and the engine. */
const BEFORE_SPLIT = "cdbda17";
const ROUNDS = 3;
const repo = fileURLToPath(new URL("../../..", import.meta.url));
const probe = fileURLToPath(new URL("./baseline-probe.ts", import.meta.url));

interface Task {
  label: string;
  args: string[];
  /** true when bigger is better (tokens/s), false for times. */
  higherIsBetter: boolean;
}

const TASKS: Task[] = [
  { label: "decode, stories15M, 1 thread (tok/s)", args: ["decode", "1"], higherIsBetter: true },
  { label: "decode, stories15M, 2 threads (tok/s)", args: ["decode", "2"], higherIsBetter: true },
  { label: "prefill, GPT-2 124M, 128 tokens, 2 threads (ms)", args: ["prefill", "2"], higherIsBetter: false },
  { label: "training, nanoGPT CPU recipe, 2 threads (ms/iter)", args: ["train"], higherIsBetter: false },
];

/** A worktree of `commit`, installed; created once and reused while it exists. */
function checkout(commit: string): string {
  const sha = execFileSync("git", ["rev-parse", "--short", commit], { cwd: repo, encoding: "utf8" }).trim();
  const dir = join(tmpdir(), `llmts-bench-baseline-${sha}`);
  if (!existsSync(join(dir, "node_modules"))) {
    rmSync(dir, { recursive: true, force: true });
    execFileSync("git", ["worktree", "prune"], { cwd: repo });
    execFileSync("git", ["worktree", "add", "--detach", dir, sha], { cwd: repo, stdio: "ignore" });
    execFileSync("npx", ["-y", "pnpm@12.21.0", "install", "--frozen-lockfile", "--offline"], {
      cwd: dir,
      stdio: "ignore",
    });
  }
  return dir;
}

/** Runs the probe inside checkout `root` and returns its measurement. */
function measure(root: string, args: string[]): number {
  const target = join(root, "apps", "bench", "baseline-probe.tmp.ts");
  copyFileSync(probe, target);
  try {
    const r = spawnSync(process.execPath, ["--import", "tsx", target, ...args], {
      cwd: join(root, "apps", "bench"),
      encoding: "utf8",
      timeout: 600_000,
    });
    const line = r.stdout.trim().split("\n").pop() ?? "";
    if (r.status !== 0 || !line.startsWith("{")) {
      throw new Error(
        `bench baseline: ${args.join(" ")} failed in ${root}: ${r.stderr.trim().split("\n").pop()}`,
      );
    }
    return (JSON.parse(line) as { value: number }).value;
  } finally {
    rmSync(target, { force: true });
  }
}

export async function run(): Promise<BenchSection> {
  const commit = process.env.LLMTS_BENCH_BASELINE ?? BEFORE_SPLIT;
  const baseline = checkout(commit);
  const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repo, encoding: "utf8" }).trim();
  const rows: string[] = [];
  for (const task of TASKS) {
    const best = (xs: number[]) => (task.higherIsBetter ? Math.max(...xs) : Math.min(...xs));
    const old: number[] = [];
    const now: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      old.push(measure(baseline, task.args));
      now.push(measure(repo, task.args));
    }
    const [b, c] = [best(old), best(now)];
    const speedup = task.higherIsBetter ? c / b : b / c;
    rows.push(`| ${task.label} | ${b.toFixed(1)} | ${c.toFixed(1)} | ${speedup.toFixed(2)}× |`);
  }
  return {
    title: "Now against an earlier commit",
    command: "pnpm bench --only baseline",
    markdown: [
      `The same measurements in a checkout of \`${commit}\` and in this one (\`${head}\`, working tree as it was), alternating, ${ROUNDS} rounds each, best of each. \`${BEFORE_SPLIT}\` is the last commit before the core/engine split (@llmts/tensor the textbook, @llmts/kernels the engine). Speedup > 1: now is faster.`,
      "",
      `| measurement | ${commit} | now | speedup |`,
      "| --- | ---: | ---: | ---: |",
      ...rows,
    ].join("\n"),
  };
}
