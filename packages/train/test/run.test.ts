// prepareRun's checks and decisions before the first step: what a resumed run may change, how a
// fine-tune picks its tokenizer, the schedule a longer resumed run follows, and empty text.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CharTokenizer } from "@llmts/tokenizer";
import { saveTokenizer } from "@llmts/tokenizer/node";
import { afterEach, describe, expect, it } from "vitest";
import { getLr, isEvalRecord, type StepRecord } from "../src/index.ts";
import { MetricsLog, prepareRun, readTextFiles, trainRun } from "../src/node/index.ts";
import { scratchDir, TEXT, tinyConfig } from "./helpers.ts";

// A GPT-2 fixture made by PyTorch (fixtures/README.md): vocabulary 96, context 32, no tokenizer.
const FIXTURE = fileURLToPath(new URL("../../../fixtures/gpt2-tied", import.meta.url));

const dirs: string[] = [];
function outDir(): string {
  const dir = scratchDir();
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A finished run of `maxIters` steps in a new directory. */
async function finishedRun(maxIters: number, overrides = {}): Promise<string> {
  const out = outDir();
  await trainRun(prepareRun(tinyConfig(out, { maxIters, ...overrides }), { readText: () => TEXT }));
  return out;
}

const resume = (out: string, overrides = {}) =>
  prepareRun(tinyConfig(out), { resume: true, overrides, readText: () => TEXT });

describe("prepareRun on --resume", () => {
  it("refuses a --block-size longer than the model's context window, naming both", async () => {
    const out = await finishedRun(2); // blockSize 8: the new model's context is 8
    expect(() => resume(out, { blockSize: 16 })).toThrow(
      "--resume: --block-size 16 exceeds the model's context window of 8",
    );
    expect(resume(out, { blockSize: 4 }).config.blockSize).toBe(4); // shorter windows are fine
  });

  it("refuses a new --seed, because the saved batch and dropout streams would ignore it", async () => {
    const out = await finishedRun(2);
    expect(() => resume(out, { seed: 7 })).toThrow(
      /^--resume: --seed cannot change \(the run in .* was started with 1337\): the batch and dropout streams/,
    );
    expect(resume(out, { seed: 1337 }).config.seed).toBe(1337);
  });

  it("calls a bias left to the architecture its default, and accepts that default given explicitly", async () => {
    const out = await finishedRun(2); // GPT-2, --bias not given
    expect(() => resume(out, { bias: false })).toThrow(
      `--resume: --bias cannot change (the run in ${out} was started with the architecture's default, true for gpt2)`,
    );
    expect(resume(out, { bias: true }).config.bias).toBe(null);
  });

  it("keeps the cosine of the run's start when --max-iters grows: min-lr after it, as nanoGPT", async () => {
    const out = await finishedRun(10);
    const state = JSON.parse(readFileSync(join(out, "training_state.json"), "utf8"));
    expect(state.config.lr_decay_iters).toBe(10); // resolved from max_iters and saved

    const longer = resume(out, { maxIters: 20 });
    expect(longer.config.lrDecayIters).toBe(10);
    await trainRun(longer);
    const steps = new MetricsLog(join(out, "metrics.jsonl")).read().filter((r) => !isEvalRecord(r));
    const lrs = (steps as StepRecord[]).map((r) => r.lr);
    // tinyConfig: lr 1e-2 -> min-lr 1e-3, warmup 2. Steps 0..9 followed the 10-step cosine; the
    // 10 new steps stay at min-lr instead of climbing back up a cosine stretched to 20 steps.
    const first = { learningRate: 1e-2, minLr: 1e-3, warmupIters: 2, lrDecayIters: 10 };
    expect(lrs).toHaveLength(20);
    expect(lrs.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, it) => getLr(it, first)));
    expect(lrs.slice(10)).toEqual(new Array(10).fill(1e-3));
  });

  it("stretches the cosine only when --lr-decay-iters is given", async () => {
    const out = await finishedRun(10);
    const stretched = resume(out, { maxIters: 20, lrDecayIters: 20 });
    expect(stretched.config.lrDecayIters).toBe(20);
    const schedule = { learningRate: 1e-2, minLr: 1e-3, warmupIters: 2, lrDecayIters: 20 };
    const result = await trainRun(stretched, {});
    expect(result.iter).toBe(20);
    const step10 = new MetricsLog(join(out, "metrics.jsonl"))
      .read()
      .find((r) => !isEvalRecord(r) && r.iter === 10)!;
    expect(step10.lr).toBe(getLr(10, schedule));
  });
});

describe("prepareRun with --init-from", () => {
  it("fine-tunes a checkpoint that has no tokenizer with the one --tokenizer names", async () => {
    const vocab = await finishedRun(1); // its tokenizer.json: the 14 characters of TEXT
    const run = prepareRun(
      tinyConfig(outDir(), { initFrom: FIXTURE, tokenizer: join(vocab, "tokenizer.json"), maxIters: 2 }),
      { readText: () => TEXT },
    );
    expect(run.tokenizer.vocabSize).toBe(14);
    expect(run.model.vocabSize).toBe(96);
    expect((await trainRun(run)).iter).toBe(2);
  });

  it("names --init-from when the checkpoint has no tokenizer and none is given", () => {
    expect(() => prepareRun(tinyConfig(outDir(), { initFrom: FIXTURE }), { readText: () => TEXT })).toThrow(
      new RegExp(
        `^--init-from ${FIXTURE}: tokenizer: .* has no tokenizer\\.json.*; pass --tokenizer PATH with at most 96 tokens$`,
      ),
    );
  });

  it("refuses a --tokenizer with more tokens than the model has embeddings", () => {
    const dir = outDir();
    const chars = Array.from({ length: 120 }, (_, i) => String.fromCodePoint(0x100 + i)).join("");
    saveTokenizer(CharTokenizer.fromText(chars), join(dir, "tokenizer.json"));
    expect(() =>
      prepareRun(tinyConfig(outDir(), { initFrom: FIXTURE, tokenizer: join(dir, "tokenizer.json") }), {
        readText: () => chars.repeat(4),
      }),
    ).toThrow(
      `--init-from ${FIXTURE}: --tokenizer ${join(dir, "tokenizer.json")} has 120 tokens but the model only 96`,
    );
  });
});

describe("training text", () => {
  it("refuses an empty file by name before building a vocabulary", () => {
    const dir = outDir();
    const empty = join(dir, "empty.txt");
    writeFileSync(empty, "");
    expect(() => prepareRun(tinyConfig(join(dir, "out"), { data: [empty] }))).toThrow(
      `data: ${empty} is empty: there is no text to train on`,
    );
  });

  it("names the empty one among several files, though joined they would not be empty", () => {
    const dir = outDir();
    const [full, empty] = [join(dir, "full.txt"), join(dir, "empty.txt")];
    writeFileSync(full, "some text");
    writeFileSync(empty, "");
    expect(() => readTextFiles([full, empty])).toThrow(
      `data: ${empty} is empty: there is no text to train on`,
    );
  });

  it("joins several files with a blank line, so words never fuse across files", () => {
    const dir = outDir();
    mkdirSync(join(dir, "d"));
    writeFileSync(join(dir, "d", "a.txt"), "the end");
    writeFileSync(join(dir, "d", "b.txt"), "Chapter 1");
    expect(readTextFiles([join(dir, "d", "a.txt"), join(dir, "d", "b.txt")])).toBe("the end\n\nChapter 1");
  });
});
