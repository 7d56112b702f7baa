// Everything a training run needs before its first step, in one of three ways:
//
//   fresh      --data ... [--tokenizer char|PATH] [--arch ... sizes]   random init from --seed
//   fine-tune  --init-from DIR --data ... [--tokenizer PATH]           weights of DIR, its tokenizer
//                                                                      (or PATH's)
//   resume     --resume (reads --out)                                  weights, tokenizer, AdamW
//                                                                      moments, RNG states, config
//
// A new run resolves lrDecayIters (null = maxIters) to a number and saves it, so that a resumed
// run given a larger --max-iters continues the same schedule (after lrDecayIters: minLr, as
// nanoGPT) instead of stretching the cosine and jumping the learning rate back up.
// Random streams: the model's init uses Rng(seed), batches Rng(seed + 1), dropout Rng(seed + 2),
// evaluation Rng(seed + 3) (loop.ts). A resumed run restores the batch and dropout streams from
// training_state.json instead.
// Not here: the loop (loop.ts), flag parsing and console output (apps/cli).

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildModel, type CausalLM, createModel, loadModel } from "@llmts/model";
import { writeFileAtomic } from "@llmts/safetensors/node";
import { Rng } from "@llmts/tensor";
import { CharTokenizer, type Tokenizer } from "@llmts/tokenizer";
import { loadTokenizer } from "@llmts/tokenizer/node";
import { AdamW } from "./adamw.ts";
import {
  hasCheckpoint,
  readOptimizerState,
  readTrainingState,
  recoverCheckpoint,
  STATE_FILE,
  type TrainingState,
} from "./checkpoint.ts";
import {
  flag,
  lrDecayItersOf,
  MODEL_SHAPE_KEYS,
  modelConfigFor,
  type TrainConfig,
  validateConfig,
  withDropout,
} from "./config.ts";
import { checkSplits, readTextFiles, splitTokens, type TokenSplits } from "./data.ts";
import { DataError, TrainError } from "./errors.ts";
import { isEvalRecord, MetricsLog } from "./metrics.ts";
import { shareParameters } from "./parallel.ts";
import { lossCurveSvg } from "./svg.ts";

export interface PreparedRun {
  config: TrainConfig;
  model: CausalLM;
  tokenizer: Tokenizer;
  splits: TokenSplits;
  optimizer: AdamW;
  /** Mutable: the loop advances it and saves it with every checkpoint. */
  state: TrainingState;
  dataRng: Rng;
  dropoutRng: Rng;
  /** How the run started. */
  mode: "fresh" | "fine-tune" | "resume";
}

export interface PrepareOptions {
  /** Continue the run saved in config.out; `overrides` are the settings given explicitly this time. */
  resume?: boolean;
  overrides?: Partial<TrainConfig>;
  /** Start over even if config.out already holds a run (its metrics.jsonl is replaced). */
  overwrite?: boolean;
  /**
   * Reads config.data into one string (default: readTextFiles). The CLI passes one that also knows
   * the built-in corpus "builtin:moby-dick"; tests pass a fixed text.
   */
  readText?: (data: readonly string[]) => string;
}

/** Builds or loads the model, tokenizer, data, optimizer and random streams of a run. */
export function prepareRun(given: TrainConfig, options: PrepareOptions = {}): PreparedRun {
  const readText = options.readText ?? readTextFiles;
  if (options.resume) return resumeRun(given.out, options.overrides ?? {}, readText);
  const config = { ...given };
  validateConfig(config);
  if (hasCheckpoint(config.out)) {
    if (!options.overwrite) {
      throw new TrainError(
        `${config.out} already holds a training run (${STATE_FILE}): pass --resume to continue it, or choose another --out`,
      );
    }
    // Starting over: the old state must not outlive its run (a later --resume would mix the two).
    recoverCheckpoint(config.out);
    rmSync(join(config.out, STATE_FILE), { force: true });
  }
  const text = readNonEmptyText(readText, config.data);

  let model: CausalLM;
  let tokenizer: Tokenizer;
  if (config.initFrom !== null) {
    // Fine-tuning: the checkpoint decides the architecture; the run's dropout applies.
    ({ model, tokenizer } = loadInitFrom(config));
    recordModelShape(config, model);
  } else {
    tokenizer = config.tokenizer === "char" ? CharTokenizer.fromText(text) : loadTokenizer(config.tokenizer);
    model = createModel(modelConfigFor(config, tokenizer.vocabSize), new Rng(config.seed));
  }
  checkBlockSize(config, model, "");
  // Resolved now and saved with the run: a --resume with more --max-iters keeps this schedule.
  config.lrDecayIters = lrDecayItersOf(config);
  const tokens = encodeText(tokenizer, text);
  const splits = splitTokens(tokens);
  checkSplits(splits, config.blockSize);

  if (config.threads > 1) model = shareParameters(model);
  const optimizer = newOptimizer(model, config);
  const state: TrainingState = {
    iter: 0,
    lastEvalIter: null,
    bestValLoss: null,
    rng: { data: [], dropout: [] },
    tokensSeen: 0,
    trainSeconds: 0,
    data: { tokens: tokens.length, sha256: hashTokens(tokens) },
    config,
  };
  // A new run starts a new log (an old one would interleave two runs' iterations).
  mkdirSync(config.out, { recursive: true });
  rmSync(join(config.out, "metrics.jsonl"), { force: true });
  return {
    config,
    model,
    tokenizer,
    splits,
    optimizer,
    state,
    dataRng: new Rng(config.seed + 1),
    dropoutRng: new Rng(config.seed + 2),
    mode: config.initFrom !== null ? "fine-tune" : "fresh",
  };
}

function resumeRun(
  out: string,
  overrides: Partial<TrainConfig>,
  readText: (data: readonly string[]) => string,
): PreparedRun {
  const state = readTrainingState(out);
  const saved = state.config;
  const changes = checkResumeOverrides(out, saved, overrides);
  // Runs saved before lrDecayIters was resolved at the start: resolve it from their own maxIters.
  const config: TrainConfig = { ...saved, lrDecayIters: lrDecayItersOf(saved), ...changes, out };
  validateConfig(config);
  state.config = config;

  const tokenizer = loadTokenizer(out);
  const loaded = loadModel(out).model;
  let model = buildModel(withDropout(loaded.config, config.dropout), loaded.parameters());
  checkBlockSize(config, model, "--resume: ");
  if (config.threads > 1) model = shareParameters(model);
  const tokens = encodeText(tokenizer, readNonEmptyText(readText, config.data));
  if (tokens.length !== state.data.tokens || hashTokens(tokens) !== state.data.sha256) {
    throw new DataError(
      `--resume: the training text is not the one the run in ${out} started with ` +
        `(${tokens.length} tokens now, ${state.data.tokens} then): resuming would not continue the same run`,
    );
  }
  const splits = splitTokens(tokens);
  checkSplits(splits, config.blockSize);

  const optimizer = newOptimizer(model, config);
  optimizer.loadState(readOptimizerState(out));
  // Drop log lines written after the checkpoint (the run that crashed got further than it saved).
  new MetricsLog(join(out, "metrics.jsonl")).filter((r) =>
    isEvalRecord(r) ? state.lastEvalIter !== null && r.iter <= state.lastEvalIter : r.iter < state.iter,
  );
  return {
    config,
    model,
    tokenizer,
    splits,
    optimizer,
    state,
    dataRng: Rng.fromState(state.rng.data),
    dropoutRng: Rng.fromState(state.rng.dropout),
    mode: "resume",
  };
}

/**
 * Settings a resumed run cannot change: the model's shape (the checkpoint has it) and the seed
 * (the batch and dropout streams continue from their saved states, so a new seed would only
 * change which batches the evaluations score — a silent half-change). Repeating a saved value is
 * fine; `--bias` given as the architecture's default counts as unchanged. Returns the overrides
 * without those repeats, so the saved values stay as they were written (bias: null stays null).
 */
function checkResumeOverrides(
  out: string,
  saved: TrainConfig,
  overrides: Partial<TrainConfig>,
): Partial<TrainConfig> {
  const changes = { ...overrides };
  for (const key of [...MODEL_SHAPE_KEYS, "seed"] as const) {
    if (!(key in changes)) continue;
    const given = changes[key];
    const same =
      key === "bias"
        ? given === (saved.bias ?? saved.arch === "gpt2")
        : JSON.stringify(given) === JSON.stringify(saved[key]);
    if (same) {
      delete changes[key];
      continue;
    }
    const why =
      key === "seed"
        ? ": the batch and dropout streams continue from the checkpoint, so a new seed would only change the evaluation batches"
        : "";
    throw new TrainError(
      `--resume: ${flag(key)} cannot change (the run in ${out} was started with ${savedValue(saved, key)})${why}`,
    );
  }
  return changes;
}

/** How a saved setting reads in a message: null means "the default", not the word null. */
function savedValue(saved: TrainConfig, key: keyof TrainConfig): string {
  if (key === "bias" && saved.bias === null)
    return `the architecture's default, ${saved.arch === "gpt2"} for ${saved.arch}`;
  if (key === "initFrom" && saved.initFrom === null) return "no --init-from";
  return JSON.stringify(saved[key]);
}

/** A training window longer than the model's context window cannot be run (positions run out). */
function checkBlockSize(config: TrainConfig, model: CausalLM, prefix: string): void {
  if (config.blockSize > model.contextLength) {
    throw new TrainError(
      `${prefix}--block-size ${config.blockSize} exceeds the model's context window of ${model.contextLength}`,
    );
  }
}

/**
 * --init-from DIR: its weights with this run's dropout, and its tokenizer — or --tokenizer PATH
 * when given (checkpoints such as the repository's fixtures ship without one). "char", the
 * default, means DIR's own: a new character vocabulary would not match the trained embeddings.
 */
function loadInitFrom(config: TrainConfig): { model: CausalLM; tokenizer: Tokenizer } {
  const dir = config.initFrom!;
  const source = config.tokenizer === "char" ? dir : config.tokenizer;
  let loaded: CausalLM;
  let tokenizer: Tokenizer;
  try {
    loaded = loadModel(dir).model;
  } catch (error) {
    throw new TrainError(`--init-from ${dir}: ${(error as Error).message}`);
  }
  try {
    tokenizer = loadTokenizer(source);
  } catch (error) {
    if (source !== dir) throw error; // --tokenizer PATH: the tokenizer's own message names it
    throw new TrainError(
      `--init-from ${dir}: ${(error as Error).message}; pass --tokenizer PATH with at most ${loaded.vocabSize} tokens`,
    );
  }
  if (tokenizer.vocabSize > loaded.vocabSize) {
    const what = source === dir ? "its tokenizer" : `--tokenizer ${source}`;
    throw new TrainError(
      `--init-from ${dir}: ${what} has ${tokenizer.vocabSize} tokens but the model only ${loaded.vocabSize}`,
    );
  }
  return { model: buildModel(withDropout(loaded.config, config.dropout), loaded.parameters()), tokenizer };
}

function newOptimizer(model: CausalLM, c: TrainConfig): AdamW {
  return new AdamW(model.parameters(), { beta1: c.beta1, beta2: c.beta2, weightDecay: c.weightDecay });
}

/** Fine-tuning: record the loaded model's shape in the run config, for the record. */
function recordModelShape(config: TrainConfig, model: CausalLM): void {
  const m = model.config;
  config.arch = m.arch;
  config.nLayer = m.nLayer;
  config.nHead = m.nHead;
  config.nEmbd = m.arch === "gpt2" ? m.nEmbd : m.hiddenSize;
}

function encodeText(tokenizer: Tokenizer, text: string): Int32Array {
  return Int32Array.from(tokenizer.encode(text));
}

/**
 * The run's text, refused right away when there is none (an empty vocabulary helps nobody).
 * readTextFiles names an empty file itself; this catches a custom readText that returns "".
 */
function readNonEmptyText(readText: (data: readonly string[]) => string, data: readonly string[]): string {
  const text = readText(data);
  if (text.length === 0)
    throw new DataError("data: the training text is empty: there is no text to train on");
  return text;
}

function hashTokens(tokens: Int32Array): string {
  return createHash("sha256")
    .update(new Uint8Array(tokens.buffer, tokens.byteOffset, tokens.byteLength))
    .digest("hex");
}

/** Redraws DIR/loss.svg from DIR/metrics.jsonl (atomically, so a viewer never sees half a file). */
export function writeLossCurve(dir: string): void {
  const records = new MetricsLog(join(dir, "metrics.jsonl")).read();
  if (records.length === 0 && !existsSync(join(dir, "metrics.jsonl"))) return;
  writeFileAtomic(join(dir, "loss.svg"), [lossCurveSvg(records, `training loss — ${dir}`)]);
}
