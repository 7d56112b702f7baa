// Shared pieces of the training tests: a tiny run configuration and a scratch directory.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from "../src/index.ts";

/** A short text with enough repetition for a tiny model to learn quickly. */
export const TEXT = "the cat sat on the mat. the dog sat on the log. ".repeat(8);

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), "llmts-train-"));
}

/** A model small enough that a step takes milliseconds. */
export function tinyConfig(out: string, overrides: Partial<TrainConfig> = {}): TrainConfig {
  return {
    ...DEFAULT_TRAIN_CONFIG,
    nLayer: 1,
    nHead: 2,
    nEmbd: 16,
    blockSize: 8,
    batchSize: 4,
    maxIters: 8,
    warmupIters: 2,
    evalInterval: 3,
    evalIters: 2,
    learningRate: 1e-2,
    minLr: 1e-3,
    lrDecayIters: null, // = maxIters: the tests' short runs finish their cosine
    out,
    ...overrides,
  };
}
