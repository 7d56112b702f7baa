// `llmts train --data FILE... [--out DIR] [nanoGPT's knobs]`: trains a model from scratch (or
// fine-tunes one with --init-from, or continues one with --resume) and leaves a Hugging Face
// checkpoint that `llmts generate` loads. The flags are nanoGPT's train.py settings in kebab-case,
// with the defaults of nanoGPT's CPU Shakespeare recipe.
//
// This file only composes: flags -> TrainConfig -> train-session.ts (prepareRun + trainRun at the
// console: lock, progress, signals). Before anything is written it refuses to replace files in
// --out that this run did not write (unless --force) and to write over its own inputs
// (outputs.ts). Paths are stored absolute, so `--resume` works from any directory.
// Not here: anything about training itself (packages/train), the console side (train-session.ts).

import { existsSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { readConfig } from "@llmts/model/node";
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from "@llmts/train";
import { OPTIMIZER_FILE, STATE_FILE } from "@llmts/train/node";
import { type Command, Option } from "commander";
import { addBackendFlags, applyBackendFlags, type BackendFlags } from "../backend-flags.ts";
import { CliError, parseNumberFlag } from "../errors.ts";
import { refuseInputAsOutput, refuseToReplace } from "../outputs.ts";
import { trainWithProgress } from "../train-session.ts";
import { MOBY_DICK, readTrainingText } from "../training-text.ts";

/** The files a training run writes into --out. */
export const RUN_FILES = [
  "config.json",
  "model.safetensors",
  "tokenizer.json",
  "metrics.jsonl",
  "loss.svg",
  OPTIMIZER_FILE,
  STATE_FILE,
];

/** The file `llmts demo` leaves in its output directory; any other writer there removes it (demo.ts). */
export const DEMO_MARKER = ".llmts-demo";

const d = DEFAULT_TRAIN_CONFIG;

const int = (name: string, min: number) => (v: string) => parseNumberFlag(name, v, { integer: true, min });
const num = (name: string, min: number, max?: number) => (v: string) =>
  parseNumberFlag(name, v, { min, max });
const bool = (name: string) => (v: string) => {
  if (v === "true") return true;
  if (v === "false") return false;
  throw new CliError(`${name}: expected true or false, got "${v}"`);
};

export function registerTrain(program: Command): void {
  const command = program
    .command("train")
    .description(
      "train a transformer on text files (nanoGPT's knobs): writes a Hugging Face checkpoint, " +
        "optimizer state, metrics.jsonl and loss.svg to --out",
    )
    .option(
      "--data <files...>",
      `text files to train on, joined with a blank line between files (first 90% train, last 10% validation); "${MOBY_DICK}" is Moby-Dick from npm`,
    )
    .option(
      "--tokenizer <char|path>",
      '"char" builds a character vocabulary from the data (with --init-from: the checkpoint\'s own tokenizer); or a tokenizer.json (file or dir)',
      d.tokenizer,
    )
    .option("--out <dir>", "output directory (checkpoint, metrics.jsonl, loss.svg)", d.out)
    .option(
      "--resume",
      "continue the run saved in --out exactly where it stopped; flags given override its saved settings",
    )
    .option(
      "--init-from <dir>",
      "start from this checkpoint (fine-tuning): its architecture and sizes, and its tokenizer unless --tokenizer names one",
    )
    .addOption(
      new Option("--arch <arch>", "architecture of a new model").choices(["gpt2", "llama"]).default(d.arch),
    )
    .option("--n-layer <n>", "transformer blocks", int("--n-layer", 1), d.nLayer)
    .option("--n-head <n>", "attention heads", int("--n-head", 1), d.nHead)
    .option("--n-embd <n>", "embedding width", int("--n-embd", 1), d.nEmbd)
    .option(
      "--block-size <n>",
      "context length of training windows (and of a new model; with --init-from at most its window)",
      int("--block-size", 1),
      d.blockSize,
    )
    .option(
      "--dropout <p>",
      "dropout while training (gpt2: embeddings, residuals, attention; llama: attention)",
      num("--dropout", 0, 0.999),
      d.dropout,
    )
    .option(
      "--bias <true|false>",
      "biases in linear layers (default: the architecture's — gpt2 always has them, so false is refused; llama has none)",
      bool("--bias"),
    )
    .option("--batch-size <n>", "windows per micro-batch", int("--batch-size", 1), d.batchSize)
    .option(
      "--gradient-accumulation-steps <n>",
      "micro-batches per optimizer step",
      int("--gradient-accumulation-steps", 1),
      d.gradientAccumulationSteps,
    )
    .option(
      "--learning-rate <lr>",
      "peak learning rate (after warmup)",
      num("--learning-rate", 0),
      d.learningRate,
    )
    .option("--max-iters <n>", "optimizer steps in total", int("--max-iters", 0), d.maxIters)
    .option(
      "--lr-decay-iters <n>",
      "step where the cosine reaches --min-lr, then min-lr (nanoGPT's lr_decay_iters: set it to --max-iters for a schedule that ends with the run)",
      int("--lr-decay-iters", 0),
      d.lrDecayIters,
    )
    .option("--min-lr <lr>", "learning rate at the end of the cosine", num("--min-lr", 0), d.minLr)
    .option("--warmup-iters <n>", "linear warmup steps", int("--warmup-iters", 0), d.warmupIters)
    .option(
      "--weight-decay <wd>",
      "AdamW decoupled weight decay (2-D weights only)",
      num("--weight-decay", 0),
      d.weightDecay,
    )
    .option("--beta1 <b>", "AdamW β1", num("--beta1", 0, 0.999999), d.beta1)
    .option("--beta2 <b>", "AdamW β2", num("--beta2", 0, 0.999999), d.beta2)
    .option(
      "--grad-clip <norm>",
      "clip the global gradient norm (0 = off)",
      num("--grad-clip", 0),
      d.gradClip,
    )
    .option(
      "--data-parallel <n>",
      "threads that split each batch between them, each with a copy of the model (data parallelism; " +
        "its threads run single-threaded kernels) (default: the cores left by --threads, at most 4 and --batch-size)",
      int("--data-parallel", 1),
    )
    .option(
      "--eval-interval <n>",
      "evaluate and save a checkpoint every n steps",
      int("--eval-interval", 1),
      d.evalInterval,
    )
    .option("--eval-iters <n>", "batches per split in each evaluation", int("--eval-iters", 0), d.evalIters)
    .option(
      "--seed <n>",
      "random seed (init, batches, dropout; fixed once a run has started)",
      (v: string) => parseNumberFlag("--seed", v, { integer: true }),
      d.seed,
    )
    .option("--force", "replace the files of an earlier run or model in --out (default: refuse)");
  addBackendFlags(command, "threads for the kernels (default: the cores not used by --data-parallel)").action(
    async (opts: Record<string, unknown>, command: Command) => {
      const given = (key: string) => command.getOptionValueSource(key) === "cli";
      const config = configFromFlags(opts);
      const threads = given("threads")
        ? parseNumberFlag("--threads", String(opts.threads), { integer: true, min: 1 })
        : undefined;
      const split = shareCores(
        config.batchSize,
        threads,
        given("dataParallel") ? config.dataParallel : undefined,
      );
      config.dataParallel = split.dataParallel;
      applyBackendFlags({ ...(opts as unknown as BackendFlags), threads: String(split.threads) });
      if (config.initFrom !== null && !given("blockSize")) {
        // Fine-tuning a model with a shorter window than the default block: train on its window.
        // (An unreadable checkpoint is left to prepareRun, whose error names --init-from.)
        const context = contextOf(config.initFrom);
        if (context !== undefined) config.blockSize = Math.min(config.blockSize, context);
      }
      // This run claims --out: a later `llmts demo` must not replace it (demo.ts).
      rmSync(join(config.out, DEMO_MARKER), { force: true });
      if (opts.resume) {
        const overrides: Partial<TrainConfig> = {};
        for (const key of Object.keys(d) as (keyof TrainConfig)[]) {
          if (key !== "out" && given(key)) (overrides as Record<string, unknown>)[key] = config[key];
        }
        await trainWithProgress(
          config,
          { resume: true, overrides, readText: readTrainingText },
          { verbose: opts.verbose === true },
        );
      } else {
        if (config.data.length === 0)
          throw new CliError("train: --data FILE... is required (or --resume to continue a run)");
        checkOutputs(config, opts.force === true);
        await trainWithProgress(
          config,
          { readText: readTrainingText, overwrite: opts.force === true },
          { verbose: opts.verbose === true },
        );
      }
    },
  );
}

/**
 * How training shares the cores between data parallelism (whole shards of a batch per thread) and
 * the kernels' threads (each matrix product split): what is given is kept, and the rest of the
 * cores go to the other, so that dataParallel × threads stays within the cores. By default data
 * parallelism gets them (at most 4 shards, and no more than --batch-size rows): at these small
 * matrix sizes a whole shard per thread measured faster than splitting every product
 * (docs/benchmarks.md, training).
 */
export function shareCores(
  batchSize: number,
  threads: number | undefined,
  dataParallel: number | undefined,
  cores = availableParallelism(),
): { threads: number; dataParallel: number } {
  const dp = dataParallel ?? Math.max(1, Math.min(4, batchSize, Math.floor(cores / (threads ?? 1))));
  return { dataParallel: dp, threads: threads ?? Math.max(1, Math.floor(cores / dp)) };
}

/** The context window of the checkpoint in `dir`, or undefined when its config cannot be read. */
function contextOf(dir: string): number | undefined {
  try {
    return readConfig(dir).contextLength;
  } catch {
    return undefined;
  }
}

/**
 * The flags as a TrainConfig, paths made absolute: a run's saved settings then mean the same
 * files whatever directory `--resume` is started from.
 */
function configFromFlags(opts: Record<string, unknown>): TrainConfig {
  const config = { ...DEFAULT_TRAIN_CONFIG };
  for (const key of Object.keys(config) as (keyof TrainConfig)[]) {
    if (opts[key] !== undefined) (config as Record<string, unknown>)[key] = opts[key];
  }
  config.data = ((opts.data as string[] | undefined) ?? []).map((d) => (d === MOBY_DICK ? d : resolve(d)));
  config.out = resolve(config.out);
  if (config.initFrom !== null) config.initFrom = resolve(config.initFrom);
  if (config.tokenizer !== "char") config.tokenizer = resolve(config.tokenizer);
  return config;
}

/**
 * A new run writes RUN_FILES into --out: refused when any is there already (unless --force), and
 * always when --out is where the run reads its model, tokenizer or text from.
 */
function checkOutputs(config: TrainConfig, force: boolean): void {
  const outputs = RUN_FILES.map((name) => join(config.out, name));
  const inputs = [
    ...(config.initFrom !== null ? [{ flag: "--init-from", path: config.initFrom }] : []),
    ...(config.tokenizer !== "char" ? [{ flag: "--tokenizer", path: config.tokenizer }] : []),
    ...config.data.filter((d) => d !== MOBY_DICK).map((path) => ({ flag: "--data", path })),
  ];
  refuseInputAsOutput("--out", outputs, inputs);
  if (!force && existsSync(join(config.out, STATE_FILE))) {
    throw new CliError(
      `--out ${config.out} already holds a training run (${STATE_FILE}): pass --resume to continue it, ` +
        "--force to start over, or choose another --out",
    );
  }
  refuseToReplace("--out", outputs, force, ", or choose another --out");
}
