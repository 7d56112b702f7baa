// `llmts train` through the real bin: the flags, the files a run leaves behind, one-line errors,
// --resume and what it may change, --init-from with --tokenizer, Ctrl-C saving a checkpoint that a
// later --resume continues, and a closed stderr not stopping a run. (`llmts demo`: demo.test.ts.)
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadModel } from "@llmts/model/node";
import { CharTokenizer } from "@llmts/tokenizer";
import { saveTokenizer } from "@llmts/tokenizer/node";
import { afterAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "llmts-cli-train-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const textFile = join(scratch, "tiny.txt");
writeFileSync(textFile, "the cat sat on the mat. the dog sat on the log. ".repeat(40));
const TINY = [
  "--n-layer",
  "1",
  "--n-embd",
  "16",
  "--n-head",
  "2",
  "--block-size",
  "8",
  "--batch-size",
  "4",
  "--data-parallel",
  "1",
  "--threads",
  "1",
];

function llmts(args: string[]): { stdout: string; stderr: string; status: number } {
  try {
    const stdout = execFileSync(process.execPath, [bin, ...args], { encoding: "utf8", stdio: "pipe" });
    return { stdout, stderr: "", status: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; status: number };
    return { stdout: e.stdout, stderr: e.stderr, status: e.status };
  }
}

describe("llmts train", () => {
  it("shows nanoGPT's knobs with their defaults in --help", () => {
    const help = llmts(["train", "--help"]).stdout;
    for (const name of [
      "--data",
      "--tokenizer",
      "--arch",
      "--batch-size",
      "--block-size",
      "--n-layer",
      "--n-head",
      "--n-embd",
      "--dropout",
      "--bias",
      "--learning-rate",
      "--max-iters",
      "--lr-decay-iters",
      "--min-lr",
      "--warmup-iters",
      "--weight-decay",
      "--beta1",
      "--beta2",
      "--grad-clip",
      "--gradient-accumulation-steps",
      "--eval-interval",
      "--eval-iters",
      "--seed",
      "--out",
      "--init-from",
      "--resume",
    ]) {
      expect(help).toContain(name);
    }
    expect(help).toMatch(
      /--learning-rate <lr>\s+peak learning rate \(after warmup\)\s+\(default:\s+0\.001\)/,
    );
    expect(help).toMatch(/--beta2 <b>\s+AdamW β2 \(default: 0\.99\)/);
  });

  it("leaves a checkpoint that loads as a model, plus optimizer state, metrics.jsonl and loss.svg", () => {
    const out = join(scratch, "run");
    const run = llmts([
      "train",
      "--data",
      textFile,
      "--out",
      out,
      ...TINY,
      "--max-iters",
      "6",
      "--eval-interval",
      "3",
      "--eval-iters",
      "2",
    ]);
    expect(run.status).toBe(0);
    for (const file of [
      "config.json",
      "model.safetensors",
      "tokenizer.json",
      "optimizer.safetensors",
      "training_state.json",
      "metrics.jsonl",
      "loss.svg",
    ]) {
      expect(existsSync(join(out, file))).toBe(true);
    }
    const { model } = loadModel(out);
    expect(model.config.nLayer).toBe(1);
    expect(model.vocabSize).toBe(14);
    const state = JSON.parse(readFileSync(join(out, "training_state.json"), "utf8"));
    expect(state.iter).toBe(6);
    expect(state.config.n_embd).toBe(16);
  });

  it("refuses to start over in a directory that holds a run, and continues it with --resume", () => {
    const out = join(scratch, "resume");
    expect(llmts(["train", "--data", textFile, "--out", out, ...TINY, "--max-iters", "3"]).status).toBe(0);
    const again = llmts(["train", "--data", textFile, "--out", out, ...TINY]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already holds a training run .* pass --resume/);
    const changed = llmts(["train", "--resume", "--out", out, "--n-layer", "2"]);
    expect(changed.stderr.trim()).toBe(
      `llmts: --resume: --n-layer cannot change (the run in ${out} was started with 1)`,
    );
    expect(llmts(["train", "--resume", "--out", out, "--max-iters", "5"]).status).toBe(0);
    const lines = readFileSync(join(out, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.filter((r) => !("val_loss" in r)).map((r) => r.iter)).toEqual([0, 1, 2, 3, 4]);
  });

  it("reproduces the uninterrupted run bit for bit when a run stopped by --max-iters is resumed", () => {
    // The default --lr-decay-iters does not follow --max-iters, so both runs share one schedule.
    const flags = [...TINY, "--warmup-iters", "2", "--learning-rate", "1e-2", "--eval-interval", "100"];
    const whole = join(scratch, "whole");
    const parts = join(scratch, "parts");
    expect(llmts(["train", "--data", textFile, "--out", whole, ...flags, "--max-iters", "8"]).status).toBe(0);
    expect(llmts(["train", "--data", textFile, "--out", parts, ...flags, "--max-iters", "3"]).status).toBe(0);
    expect(llmts(["train", "--resume", "--out", parts, "--max-iters", "8"]).status).toBe(0);
    const steps = (dir: string) =>
      readFileSync(join(dir, "metrics.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
        .filter((r) => !("val_loss" in r))
        .map((r) => [r.iter, r.train_loss, r.lr]);
    expect(steps(parts)).toHaveLength(8);
    expect(steps(parts)).toEqual(steps(whole));
    expect(
      readFileSync(join(parts, "model.safetensors")).equals(readFileSync(join(whole, "model.safetensors"))),
    ).toBe(true);
  });

  it("prints one-line errors for a missing file, GPT-2 without biases and missing --data", () => {
    const missing = llmts(["train", "--data", join(scratch, "nope.txt"), "--out", join(scratch, "x")]);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe(`llmts: data: ${join(scratch, "nope.txt")} does not exist`);
    const bias = llmts(["train", "--data", textFile, "--bias", "false", "--out", join(scratch, "y")]);
    expect(bias.status).toBe(1);
    expect(bias.stderr).toMatch(/^llmts: --bias false: Hugging Face's GPT-2 always has biases/);
    expect(llmts(["train", "--out", join(scratch, "z")]).stderr.trim()).toBe(
      "llmts: train: --data FILE... is required (or --resume to continue a run)",
    );
  });

  it("trains a Llama without biases when asked", () => {
    const out = join(scratch, "llama");
    const run = llmts([
      "train",
      "--data",
      textFile,
      "--out",
      out,
      ...TINY,
      "--arch",
      "llama",
      "--bias",
      "false",
      "--max-iters",
      "2",
    ]);
    expect(run.status).toBe(0);
    const { model } = loadModel(out);
    expect(model.config.arch).toBe("llama");
    expect([...model.parameters().keys()].some((name) => name.endsWith(".bias"))).toBe(false);
  });

  it("saves a checkpoint and exits 130 on Ctrl-C; --resume then continues from it", async () => {
    const out = join(scratch, "sigint");
    const child = spawn(
      process.execPath,
      [
        bin,
        "train",
        "--data",
        textFile,
        "--out",
        out,
        ...TINY,
        "--data-parallel",
        "2",
        "--max-iters",
        "100000",
      ],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // Wait until a few steps are logged, then press Ctrl-C.
    const metrics = join(out, "metrics.jsonl");
    for (let waited = 0; waited < 30_000; waited += 50) {
      if (existsSync(metrics) && readFileSync(metrics, "utf8").split("\n").length > 5) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr).toContain("Ctrl-C: finishing this step and saving a checkpoint");
    expect(stderr).toContain(`continue with: npx -y pnpm@12.21.0 llmts train --resume --out ${out}`);
    const state = JSON.parse(readFileSync(join(out, "training_state.json"), "utf8"));
    expect(state.iter).toBeGreaterThan(0);
    const resumed = llmts(["train", "--resume", "--out", out, "--max-iters", String(state.iter + 2)]);
    expect(resumed.status).toBe(0);
  });

  it("refuses on --resume, in one line each, a --block-size beyond the context, a new --seed and another --bias", () => {
    const out = join(scratch, "resume-checks");
    expect(llmts(["train", "--data", textFile, "--out", out, ...TINY, "--max-iters", "2"]).status).toBe(0);
    // --data-parallel 2: a block this long used to crash a gradient worker with a stack trace.
    const block = llmts(["train", "--resume", "--out", out, "--block-size", "64", "--data-parallel", "2"]);
    expect(block.status).toBe(1);
    expect(block.stderr.trim()).toBe(
      "llmts: --resume: --block-size 64 exceeds the model's context window of 8",
    );
    const seed = llmts(["train", "--resume", "--out", out, "--seed", "7"]);
    expect(seed.stderr.trim()).toMatch(
      /^llmts: --resume: --seed cannot change \(the run in .* was started with 1337\): [^\n]*evaluation batches$/,
    );
    const bias = llmts(["train", "--resume", "--out", out, "--bias", "false"]);
    expect(bias.stderr.trim()).toBe(
      `llmts: --resume: --bias cannot change (the run in ${out} was started with the architecture's default, true for gpt2)`,
    );
  });

  it("fine-tunes a checkpoint without a tokenizer (a fixture) when --tokenizer names one", () => {
    const fixture = fileURLToPath(new URL("../../../fixtures/gpt2-tied", import.meta.url));
    const vocab = join(scratch, "chars.tokenizer.json");
    saveTokenizer(CharTokenizer.fromText(readFileSync(textFile, "utf8")), vocab); // 14 characters
    const out = join(scratch, "fine-tune");
    const flags = ["--data", textFile, "--init-from", fixture, "--block-size", "8", "--batch-size", "4"];
    const without = llmts(["train", ...flags, "--out", out, "--max-iters", "2"]);
    expect(without.status).toBe(1);
    expect(without.stderr.trim()).toMatch(
      /^llmts: --init-from .*gpt2-tied: tokenizer: .* has no tokenizer\.json.*; pass --tokenizer PATH with at most 96 tokens$/,
    );
    // Without --block-size, the windows are the fixture's 32 positions (the default 64 would not fit).
    const noBlock = flags.filter((f, i) => f !== "--block-size" && flags[i - 1] !== "--block-size");
    const tuned = llmts(["train", ...noBlock, "--tokenizer", vocab, "--out", out, "--max-iters", "2"]);
    expect(tuned.status).toBe(0);
    expect(loadModel(out).model.config.nLayer).toBe(2); // the fixture's shape
    expect(JSON.parse(readFileSync(join(out, "training_state.json"), "utf8")).config.block_size).toBe(32);
  });

  it("names an empty data file, and joins several files with a blank line", () => {
    const empty = join(scratch, "empty.txt");
    writeFileSync(empty, "");
    const refused = llmts(["train", "--data", empty, "--out", join(scratch, "empty")]);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toBe(`llmts: data: ${empty} is empty: there is no text to train on`);

    const out = join(scratch, "two-files");
    const run = llmts(["train", "--data", textFile, textFile, "--out", out, ...TINY, "--max-iters", "1"]);
    expect(run.status).toBe(0);
    const state = JSON.parse(readFileSync(join(out, "training_state.json"), "utf8"));
    expect(state.data.tokens).toBe(2 * readFileSync(textFile, "utf8").length + 2); // + "\n\n"
  });

  it("keeps training and saves when the reader of stderr goes away (`2>&1 | head -2`)", async () => {
    const out = join(scratch, "epipe");
    const args = [bin, "train", "--data", textFile, "--out", out, ...TINY, "--max-iters", "40"];
    const child = spawn(process.execPath, [...args, "--eval-interval", "5"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr.once("data", () => child.stderr.destroy()); // the first line read, then the pipe closes
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, "training_state.json"), "utf8")).iter).toBe(40);
  });
});
