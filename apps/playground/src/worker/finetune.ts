// Fine-tuning, the fourth way to give a model new knowledge: a few optimizer steps on a short
// text, on a copy of the frozen weights (the frozen model stays as it was, so the other three ways
// keep running on it). The same @llmts/train run and loop as the forge — newRun with the model to
// start from, as `llmts train --init-from` does — so only this path writes weights, and the
// checksum after it differs.
//
// A short text cannot fill a training window and the 10% validation split, so it is repeated
// (joined by a blank line when the vocabulary has one) until both hold several windows; that is
// what a few steps on one fact amount to.
// Not here: the query afterwards (spark.ts), the page's comparison table (page/knowledge-panel.ts).

import { buildModel } from "@llmts/model";
import { Tensor } from "@llmts/tensor";
import { DEFAULT_TRAIN_CONFIG, newRun, type TrainConfig, trainLoop } from "@llmts/train";
import type { Frozen } from "./spark.ts";
import { weightsChecksum } from "./spark.ts";

const BLOCK_SIZE = 32;
const BATCH_SIZE = 4;
/** Windows the validation split must hold (it has 10% of the tokens). */
const VALIDATION_WINDOWS = 2;

export interface FineTuneStep {
  step: number;
  loss: number;
  checksum: string;
}

/** A copy of `frozen` trained `steps` steps on `text`; each step is reported with the copy's checksum. */
export async function fineTuneCopy(
  frozen: Frozen,
  text: string,
  steps: number,
  learningRate: number,
  onStep: (s: FineTuneStep) => void,
): Promise<Frozen> {
  if (text.trim() === "") throw new Error("fine-tuning: the text is empty; paste the text to learn");
  const original = frozen.model;
  const params = new Map<string, Tensor>();
  for (const [name, t] of original.parameters()) {
    params.set(name, Tensor.fromArray(t.toArray(), [...t.shape]).requiresGrad_());
  }
  const copy = buildModel(original.config, params);
  const blockSize = Math.min(BLOCK_SIZE, copy.contextLength);

  const separator = frozen.tokenizer.tokenToId("\n") !== undefined ? "\n\n" : "";
  const textTokens = frozen.tokenizer.encode(text).length; // also: every character must be in the vocabulary
  const needed = 10 * VALIDATION_WINDOWS * (blockSize + 1);
  const repeats = Math.max(1, Math.ceil(needed / Math.max(1, textTokens)));
  const corpus = Array.from({ length: repeats }, () => text).join(separator);

  const config: TrainConfig = {
    ...DEFAULT_TRAIN_CONFIG,
    maxIters: steps,
    learningRate,
    minLr: learningRate,
    warmupIters: 0,
    lrDecayIters: steps,
    batchSize: BATCH_SIZE,
    blockSize,
    dropout: 0,
    evalIters: 0,
    evalInterval: Math.max(1, steps),
  };
  const run = newRun(config, corpus, { tokenizer: frozen.tokenizer, model: copy });
  await trainLoop(run, {
    onStep: (record) =>
      onStep({ step: record.iter + 1, loss: record.train_loss, checksum: weightsChecksum(run.model) }),
  });
  return { ...frozen, model: run.model };
}
