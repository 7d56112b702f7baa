// A run before its first step: model, tokenizer, token splits, optimizer, state and random streams,
// made from a config and a text held in memory. Works anywhere (a browser worker included);
// node/prepare.ts builds the same run from files, and resumes one from a checkpoint directory.
//
// A new run resolves lrDecayIters (null = maxIters) to a number and saves it, so that a resumed
// run given a larger --max-iters continues the same schedule (after lrDecayIters: minLr, as
// nanoGPT) instead of stretching the cosine and jumping the learning rate back up.
// Random streams: the model's init uses Rng(seed), batches Rng(seed + 1), dropout Rng(seed + 2),
// evaluation Rng(seed + 3) (loop.ts). A resumed run restores the batch and dropout streams from
// its training state instead.
// Not here: files, the loop (loop.ts), flag parsing and console output (apps/cli).

import { buildModel, type CausalLM, createModel } from "@llmts/model";
import { Rng } from "@llmts/tensor";
import type { Tokenizer } from "@llmts/tokenizer";
import { AdamW } from "./adamw.ts";
import {
  flag,
  hasBiasByDefault,
  lrDecayItersOf,
  MODEL_SHAPE_KEYS,
  modelConfigFor,
  type TrainConfig,
  validateConfig,
  withDropout,
} from "./config.ts";
import { checkSplits, splitTokens, type TokenSplits } from "./data.ts";
import { DataError, TrainError } from "./errors.ts";
import type { TrainingState } from "./state.ts";

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

/**
 * A new run on `text`: a fresh model from the config's sizes, or — fine-tuning — `from.model`
 * with this run's dropout. The tokenizer encodes the text (a character vocabulary built from the
 * text itself, or the fine-tuned model's own). state.data.sha256 is left empty: hashing the
 * token stream is the file-based caller's business (it is only used to refuse a wrong --resume).
 */
export function newRun(
  given: TrainConfig,
  text: string,
  from: { tokenizer: Tokenizer; model?: CausalLM },
): PreparedRun {
  const config = { ...given };
  validateConfig(config);
  if (text.length === 0)
    throw new DataError("data: the training text is empty: there is no text to train on");
  const { tokenizer } = from;
  let model: CausalLM;
  if (from.model !== undefined) {
    // Fine-tuning: the checkpoint decides the architecture; the run's dropout applies.
    if (tokenizer.vocabSize > from.model.vocabSize) {
      throw new TrainError(
        `--init-from: the tokenizer has ${tokenizer.vocabSize} tokens but the model only ${from.model.vocabSize}`,
      );
    }
    model = buildModel(withDropout(from.model.config, config.dropout), from.model.parameters());
    recordModelShape(config, model);
  } else {
    model = createModel(modelConfigFor(config, tokenizer.vocabSize), new Rng(config.seed));
  }
  checkBlockSize(config, model, "");
  // Resolved now and saved with the run: a --resume with more --max-iters keeps this schedule.
  config.lrDecayIters = lrDecayItersOf(config);
  const tokens = Int32Array.from(tokenizer.encode(text));
  const splits = splitTokens(tokens);
  checkSplits(splits, config.blockSize);
  return {
    config,
    model,
    tokenizer,
    splits,
    optimizer: newOptimizer(model, config),
    state: {
      iter: 0,
      lastEvalIter: null,
      bestValLoss: null,
      rng: { data: [], dropout: [] },
      tokensSeen: 0,
      trainSeconds: 0,
      data: { tokens: tokens.length, sha256: "" },
      config,
    },
    dataRng: new Rng(config.seed + 1),
    dropoutRng: new Rng(config.seed + 2),
    mode: from.model !== undefined ? "fine-tune" : "fresh",
  };
}

/**
 * Settings a resumed run cannot change: the model's shape (the checkpoint has it) and the seed
 * (the batch and dropout streams continue from their saved states, so a new seed would only
 * change which batches the evaluations score — a silent half-change). Repeating a saved value is
 * fine; `--bias` given as the architecture's default counts as unchanged. Returns the overrides
 * without those repeats, so the saved values stay as they were written (bias: null stays null).
 */
export function checkResumeOverrides(
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
        ? given === (saved.bias ?? hasBiasByDefault(saved.arch))
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
    return `the architecture's default, ${hasBiasByDefault(saved.arch)} for ${saved.arch}`;
  if (key === "initFrom" && saved.initFrom === null) return "no --init-from";
  return JSON.stringify(saved[key]);
}

/** A training window longer than the model's context window cannot be run (positions run out). */
export function checkBlockSize(config: TrainConfig, model: CausalLM, prefix: string): void {
  if (config.blockSize > model.contextLength) {
    throw new TrainError(
      `${prefix}--block-size ${config.blockSize} exceeds the model's context window of ${model.contextLength}`,
    );
  }
}

export function newOptimizer(model: CausalLM, c: TrainConfig): AdamW {
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
