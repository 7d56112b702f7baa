// A run from files, in one of three ways:
//
//   fresh      --data ... [--tokenizer char|PATH] [--arch ... sizes]   random init from --seed
//   fine-tune  --init-from DIR --data ... [--tokenizer PATH]           weights of DIR, its tokenizer
//                                                                      (or PATH's)
//   resume     --resume (reads --out)                                  weights, tokenizer, AdamW
//                                                                      moments, RNG states, config
//
// Fresh and fine-tune runs are ../run.ts's newRun on the text and tokenizer read here; a resumed
// run is rebuilt from its checkpoint (checkpoint.ts). With data parallelism the parameters are
// moved into shared memory first (parallel.ts), before the optimizer holds them.
// Not here: the loop (train-run.ts, ../loop.ts), flag parsing and console output (apps/cli).

import { createHash } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { totalmem } from "node:os";
import { join } from "node:path";
import { buildModel, type CausalLM, toFloatModel } from "@llmts/model";
import { loadModel } from "@llmts/model/node";
import { Rng } from "@llmts/tensor";
import { CharTokenizer, type Tokenizer } from "@llmts/tokenizer";
import { loadTokenizer } from "@llmts/tokenizer/node";
import { lrDecayItersOf, modelConfigFor, type TrainConfig, validateConfig, withDropout } from "../config.ts";
import { checkSplits, splitTokens } from "../data.ts";
import { DataError, TrainError } from "../errors.ts";
import { checkRunFits } from "../footprint.ts";
import { isEvalRecord } from "../metrics.ts";
import { checkBlockSize, checkResumeOverrides, newOptimizer, newRun, type PreparedRun } from "../run.ts";
import {
  hasCheckpoint,
  readOptimizerState,
  readTrainingState,
  recoverCheckpoint,
  STATE_FILE,
} from "./checkpoint.ts";
import { MetricsLog } from "./metrics-log.ts";
import { shareParameters } from "./parallel.ts";
import { readTextFiles } from "./text.ts";

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
  validateConfig(given);
  if (hasCheckpoint(given.out)) {
    if (!options.overwrite) {
      throw new TrainError(
        `${given.out} already holds a training run (${STATE_FILE}): pass --resume to continue it, or choose another --out`,
      );
    }
    // Starting over: the old state must not outlive its run (a later --resume would mix the two).
    recoverCheckpoint(given.out);
    rmSync(join(given.out, STATE_FILE), { force: true });
  }
  const text = readText(given.data);
  const from = given.initFrom !== null ? loadInitFrom(given) : { tokenizer: tokenizerFor(given, text) };
  // Sizes that cannot fit are refused here, before the model or a batch is allocated.
  const modelConfig = "model" in from ? from.model.config : modelConfigFor(given, from.tokenizer.vocabSize);
  checkRunFits(modelConfig, given, totalmem());
  const run = share(newRun(given, text, from));
  run.state.data.sha256 = hashTokens(run);
  // A new run starts a new log (an old one would interleave two runs' iterations).
  mkdirSync(given.out, { recursive: true });
  rmSync(join(given.out, "metrics.jsonl"), { force: true });
  return run;
}

function tokenizerFor(config: TrainConfig, text: string): Tokenizer {
  if (config.tokenizer !== "char") return loadTokenizer(config.tokenizer);
  if (text.length === 0)
    throw new DataError("data: the training text is empty: there is no text to train on");
  return CharTokenizer.fromText(text);
}

function resumeRun(
  out: string,
  overrides: Partial<TrainConfig>,
  readText: (data: readonly string[]) => string,
): PreparedRun {
  const state = readTrainingState(out);
  const saved = state.config;
  const changes = checkResumeOverrides(out, saved, overrides);
  const config: TrainConfig = { ...saved, ...changes, out };
  validateConfig(config);
  config.lrDecayIters = lrDecayItersOf(config);
  state.config = config;

  const tokenizer = loadTokenizer(out);
  const loaded = loadModel(out).model;
  const model = buildModel(withDropout(loaded.config, config.dropout), loaded.parameters());
  checkBlockSize(config, model, "--resume: ");
  checkRunFits(model.config, config, totalmem());
  const text = readText(config.data);
  const tokens = Int32Array.from(tokenizer.encode(text));
  const splits = splitTokens(tokens);
  checkSplits(splits, config.blockSize);
  const run = share({
    config,
    model,
    tokenizer,
    splits,
    optimizer: newOptimizer(model, config), // replaced below, once the parameters are where they stay
    state,
    dataRng: Rng.fromState(state.rng.data),
    dropoutRng: Rng.fromState(state.rng.dropout),
    mode: "resume",
  });
  if (tokens.length !== state.data.tokens || hashTokens(run) !== state.data.sha256) {
    throw new DataError(
      `--resume: the training text is not the one the run in ${out} started with ` +
        `(${tokens.length} tokens now, ${state.data.tokens} then): resuming would not continue the same run`,
    );
  }
  run.optimizer.loadState(readOptimizerState(out));
  // Drop log lines written after the checkpoint (the run that crashed got further than it saved).
  new MetricsLog(join(out, "metrics.jsonl")).filter((r) =>
    isEvalRecord(r) ? state.lastEvalIter !== null && r.iter <= state.lastEvalIter : r.iter < state.iter,
  );
  return run;
}

/** With data parallelism, the parameters in shared memory (and the optimizer over those). */
function share(run: PreparedRun): PreparedRun {
  if (run.config.dataParallel <= 1) return run;
  const model = shareParameters(run.model);
  return { ...run, model, optimizer: newOptimizer(model, run.config) };
}

/**
 * --init-from DIR: its weights, and its tokenizer — or --tokenizer PATH when given (checkpoints
 * such as the repository's fixtures ship without one). "char", the default, means DIR's own: a
 * new character vocabulary would not match the trained embeddings.
 */
function loadInitFrom(config: TrainConfig): { model: CausalLM; tokenizer: Tokenizer } {
  const dir = config.initFrom!;
  const source = config.tokenizer === "char" ? dir : config.tokenizer;
  let model: CausalLM;
  let tokenizer: Tokenizer;
  try {
    model = toFloatModel(loadModel(dir).model); // a quantized checkpoint trains in float32
  } catch (error) {
    throw new TrainError(`--init-from ${dir}: ${(error as Error).message}`);
  }
  try {
    tokenizer = loadTokenizer(source);
  } catch (error) {
    if (source !== dir) throw error; // --tokenizer PATH: the tokenizer's own message names it
    throw new TrainError(
      `--init-from ${dir}: ${(error as Error).message}; pass --tokenizer PATH with at most ${model.vocabSize} tokens`,
    );
  }
  if (tokenizer.vocabSize > model.vocabSize) {
    const what = source === dir ? "its tokenizer" : `--tokenizer ${source}`;
    throw new TrainError(
      `--init-from ${dir}: ${what} has ${tokenizer.vocabSize} tokens but the model only ${model.vocabSize}`,
    );
  }
  return { model, tokenizer };
}

/** SHA-256 of the run's whole token stream (the train and validation splits are one array). */
function hashTokens(run: PreparedRun): string {
  const { train, val } = run.splits;
  const bytes = new Uint8Array(train.buffer, train.byteOffset, (train.length + val.length) * 4);
  return createHash("sha256").update(bytes).digest("hex");
}
