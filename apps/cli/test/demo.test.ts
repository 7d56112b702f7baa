// `llmts demo` through the real bin (a one-step run: the sample on stdout, the closing hints), and
// the time budget's stop in trainWithProgress, which the demo hands its deadline to (in process,
// with a deadline of half a second, so that the stop does not depend on this machine's speed).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadModel } from "@llmts/model/node";
import { DEFAULT_TRAIN_CONFIG } from "@llmts/train";
import { afterAll, describe, expect, it, vi } from "vitest";
import { type TrainOutcome, trainWithProgress } from "../src/train-session.ts";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "llmts-cli-demo-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("llmts demo", () => {
  it("trains on Moby-Dick, prints a sample on stdout and ends with the commands that sample more and train longer", () => {
    const out = join(scratch, "demo");
    const args = ["demo", "--out", out, "--max-iters", "1", "--sample-length", "40", "--prompt", "Call me"];
    const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stdout.startsWith("Call me")).toBe(true);
    expect([...result.stdout.slice(0, -2)].length).toBe("Call me".length + 40); // then "\n\n"
    // More than the 64-character window: --crop-context slides it, as the demo's own sample does.
    expect(result.stderr).toContain(
      `npx -y pnpm@12.21.0 llmts generate --model ${out} --prompt "Call me" --max-new-tokens 500 --crop-context --temperature 0.8`,
    );
    // One step is all warmup (20 steps): the schedule ends at max(max-iters, warmup) = 20.
    expect(result.stderr).toContain(
      "train longer (the learning rate stays at its final 0.0006 after step 20, where the schedule ends):",
    );
    expect(result.stderr).toContain(`npx -y pnpm@12.21.0 llmts train --resume --out ${out} --max-iters 4`);
    const { model } = loadModel(out);
    expect(model.vocabSize).toBe(89); // Moby-Dick's distinct characters
    // The schedule was fixed when the run started, so that --resume --max-iters 4 keeps it.
    const state = JSON.parse(readFileSync(join(out, "training_state.json"), "utf8"));
    expect(state.config.lr_decay_iters).toBe(20);
  });
});

describe("trainWithProgress with a deadline", () => {
  it("stops at the deadline, evaluates and saves, and reports the run as out of time rather than interrupted", async () => {
    const lines: string[] = [];
    const write = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const out = join(scratch, "deadline");
    const config = {
      ...DEFAULT_TRAIN_CONFIG,
      ...{ nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 8, batchSize: 4, evalIters: 2 },
      maxIters: 1_000_000, // far more than fit in the budget
      out,
    };
    let outcome: TrainOutcome;
    try {
      const text = "the cat sat on the mat. ".repeat(20);
      outcome = await trainWithProgress(
        config,
        { readText: () => text },
        { deadline: AbortSignal.timeout(500) },
      );
    } finally {
      write.mockRestore();
    }
    expect(outcome).toMatchObject({ interrupted: false, timedOut: true });
    expect(outcome.result).not.toBeNull();
    const { iter, lastEval } = outcome.result!;
    expect(lastEval?.iter).toBe(iter); // evaluated where it stopped, not at an earlier evaluation
    expect(process.exitCode ?? 0).toBe(0); // Ctrl-C would have set 130
    const printed = lines.join("");
    expect(printed).toContain(`time budget spent at iteration ${iter} of 1000000: `);
    expect(printed).not.toContain("(evaluated at iteration");
    expect(JSON.parse(readFileSync(join(out, "training_state.json"), "utf8")).iter).toBe(iter);
  });
});
