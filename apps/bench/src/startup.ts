// Benchmark: cold start — how long a fresh `llmts` process takes to be useful.
//
//   --help             process start -> exit (the bundled CLI parses one ES module; from the
//                      TypeScript sources tsx compiles ~200 files first)
//   first token        process start -> the first generated token on stdout, `llmts generate` on
//                      a stories15M-shaped model (`llmts init --preset stories15M`, random weights):
//                      loading the weights, pinning them, the worker threads, the prefill, one step
// Each is run from the bundle (what `pnpm install` builds, apps/cli/scripts/build.mjs) and from
// the sources (LLMTS_FROM_SOURCE=1), best of ROUNDS, each in a new process; the bundle is built
// first so the comparison is of the same code. Goals (issue "faster than C"): --help <= 0.3 s,
// first token <= 0.5 s after the process starts. Not a test: nothing asserts a speed.

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchSection } from "./report.ts";

const ROUNDS = 5;
const cli = fileURLToPath(new URL("../../cli", import.meta.url));
const bin = join(cli, "bin", "llmts.mjs");

/** Milliseconds from spawning `llmts args` to the first stdout byte (or to exit when `untilExit`). */
function timeRun(args: string[], fromSource: boolean, untilExit: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, LLMTS_FROM_SOURCE: fromSource ? "1" : "0" };
    const t0 = performance.now();
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ["ignore", "pipe", "ignore"] });
    let first: number | null = null;
    child.stdout.on("data", () => {
      first ??= performance.now() - t0;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`bench startup: llmts ${args.join(" ")} exited ${code}`));
      else resolve(untilExit || first === null ? performance.now() - t0 : first);
    });
  });
}

async function best(args: string[], fromSource: boolean, untilExit: boolean): Promise<number> {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < ROUNDS; i++) min = Math.min(min, await timeRun(args, fromSource, untilExit));
  return min;
}

export async function run(): Promise<BenchSection> {
  execFileSync(process.execPath, [join(cli, "scripts", "build.mjs")], { stdio: "ignore" });
  const dir = mkdtempSync(join(tmpdir(), "llmts-bench-startup-"));
  try {
    const model = join(dir, "stories15M");
    execFileSync(
      process.execPath,
      [bin, "init", "--arch", "llama", "--preset", "stories15M", "--out", model],
      {
        stdio: "ignore",
      },
    );
    // Without a tokenizer, generate streams the ids: the first byte on stdout is the first token.
    const generate = [
      "generate",
      "--model",
      model,
      "--prompt-ids",
      "1,2,3,4,5,6,7,8",
      "--max-new-tokens",
      "4",
    ];
    const rows: [string, number, number, number][] = [];
    for (const [label, args, untilExit, goal] of [
      ["`llmts --help`", ["--help"], true, 300],
      ["`llmts generate`, stories15M: first token", generate, false, 500],
    ] as const) {
      rows.push([
        label,
        await best([...args], false, untilExit),
        await best([...args], true, untilExit),
        goal,
      ]);
    }
    const table = rows.map(
      ([label, bundled, source, goal]) =>
        `| ${label} | **${bundled.toFixed(0)} ms** | ${source.toFixed(0)} ms | ≤ ${goal} ms |`,
    );
    return {
      title: "Cold start",
      command: "pnpm bench --only startup",
      markdown: [
        `Wall time from starting a new \`node apps/cli/bin/llmts.mjs\` process, best of ${ROUNDS}: to its exit for \`--help\`, to the first generated token on stdout for \`generate\` (random stories15M-shaped weights from \`llmts init\`, 8 prompt ids, the default auto backend and threads). "Bundle" is what \`pnpm install\` builds and the bin runs while it is up to date; "sources" is the same code compiled by tsx at start (\`LLMTS_FROM_SOURCE=1\`). \`npx -y pnpm@12.21.0 llmts\` adds npx's and pnpm's own start-up on top.`,
        "",
        "| command | bundle | sources | goal |",
        "| --- | ---: | ---: | ---: |",
        ...table,
      ].join("\n"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
