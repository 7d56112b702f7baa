// Everything a training run needs before its first step, in one of three ways:
//
//   fresh      --data ... [--tokenizer char|PATH] [--arch ... sizes]   random init from --seed
//   fine-tune  --init-from DIR --data ...                              weights + tokenizer of DIR
//   resume     --resume (reads --out)                                  weights, tokenizer, AdamW
//                                                                      moments, RNG states, config
//
// Random streams: the model's init uses Rng(seed), batches Rng(seed + 1), dropout Rng(seed + 2),
// evaluation Rng(seed + 3) (loop.ts). A resumed run restores the batch and dropout streams from
// training_state.json instead.
// Not here: the loop (loop.ts), flag parsing and console output (apps/cli).

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildModel, type CausalLM, createModel, loadModel } from "@llmts/model";
import { Rng } from "@llmts/tensor";
import { CharTokenizer, loadTokenizer, type Tokenizer } from "@llmts/tokenizer";
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
  const text = readText(config.data);

  let model: CausalLM;
  let tokenizer: Tokenizer;
  if (config.initFrom !== null) {
    // Fine-tuning: the checkpoint decides the architecture and vocabulary; the run's dropout applies.
    tokenizer = loadTokenizer(config.initFrom);
    const loaded = loadModel(config.initFrom).model;
    model = buildModel(withDropout(loaded.config, config.dropout), loaded.parameters());
    if (tokenizer.vocabSize > model.vocabSize) {
      throw new TrainError(
        `--init-from ${config.initFrom}: its tokenizer has ${tokenizer.vocabSize} tokens but the model only ${model.vocabSize}`,
      );
    }
    recordModelShape(config, model);
  } else {
    tokenizer = config.tokenizer === "char" ? CharTokenizer.fromText(text) : loadTokenizer(config.tokenizer);
    model = createModel(modelConfigFor(config, tokenizer.vocabSize), new Rng(config.seed));
  }
  if (config.blockSize > model.contextLength) {
    throw new TrainError(
      `--block-size ${config.blockSize} exceeds the model's context window of ${model.contextLength}`,
    );
  }
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
  for (const key of MODEL_SHAPE_KEYS) {
    if (key in overrides && JSON.stringify(overrides[key]) !== JSON.stringify(state.config[key])) {
      throw new TrainError(
        `--resume: ${flag(key)} cannot change (the run in ${out} was started with ${JSON.stringify(state.config[key])})`,
      );
    }
  }
  const config: TrainConfig = { ...state.config, ...overrides, out };
  validateConfig(config);
  state.config = config;

  const tokenizer = loadTokenizer(out);
  const loaded = loadModel(out).model;
  let model = buildModel(withDropout(loaded.config, config.dropout), loaded.parameters());
  if (config.threads > 1) model = shareParameters(model);
  const tokens = encodeText(tokenizer, readText(config.data));
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
  if (text.length === 0) throw new DataError("data: the training text is empty");
  return Int32Array.from(tokenizer.encode(text));
}

function hashTokens(tokens: Int32Array): string {
  return createHash("sha256")
    .update(new Uint8Array(tokens.buffer, tokens.byteOffset, tokens.byteLength))
    .digest("hex");
}

/** Redraws DIR/loss.svg from DIR/metrics.jsonl (temp + rename, so a viewer never sees half a file). */
export function writeLossCurve(dir: string): void {
  const records = new MetricsLog(join(dir, "metrics.jsonl")).read();
  if (records.length === 0 && !existsSync(join(dir, "metrics.jsonl"))) return;
  const path = join(dir, "loss.svg");
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, lossCurveSvg(records, `training loss — ${dir}`));
  renameSync(temp, path);
}
