// The model sizes the forge offers, as @llmts/train run configs: a preset fixes the architecture,
// its shape and the batch, and the page shows its parameter count for the corpus's vocabulary.
//
//   tiny      a 1-layer character Llama that learns the letters of a corpus in seconds
//   small     2 layers, 64 wide: words after a few hundred steps (the first `llmts demo` model; the
//             demo now trains 4 layers, which the CLI's 2.5 minutes afford)
//   medium    4 layers, 128 wide: slower, better
//   nanogpt   nanoGPT's CPU recipe for Shakespeare (GPT-2, 4 layers, 128 wide, block 64, batch 12)
//
// Not here: training (worker/forge.ts), the learning-rate and iteration knobs (the page).
// Reference: apps/cli's DEMO_CONFIG (the small preset is its width, half its depth), nanoGPT's README (the nanogpt preset).

import { parameterSpecs } from "@llmts/model";
import { DEFAULT_TRAIN_CONFIG, modelConfigFor, type TrainConfig } from "@llmts/train";

export interface SizePreset {
  label: string;
  config: TrainConfig;
}

/** The run config of a preset; maxIters, learningRate and the rest are the page's knobs. */
function preset(shape: Partial<TrainConfig>): TrainConfig {
  return {
    ...DEFAULT_TRAIN_CONFIG,
    arch: "llama",
    learningRate: 6e-3,
    minLr: 6e-4,
    warmupIters: 20,
    evalIters: 5,
    evalInterval: 25,
    maxIters: 500,
    ...shape,
  };
}

export const SIZE_PRESETS = {
  tiny: {
    label: "tiny: Llama, 1 layer, 32 wide, block 64",
    config: preset({ nLayer: 1, nHead: 2, nEmbd: 32, blockSize: 64, batchSize: 8 }),
  },
  small: {
    label: "small: Llama, 2 layers, 64 wide, block 64",
    config: preset({ nLayer: 2, nHead: 4, nEmbd: 64, blockSize: 64, batchSize: 16 }),
  },
  medium: {
    label: "medium: Llama, 4 layers, 128 wide, block 128",
    config: preset({ nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 128, batchSize: 16 }),
  },
  nanogpt: {
    label: "nanoGPT CPU recipe: GPT-2, 4 layers, 128 wide, block 64",
    config: preset({
      arch: "gpt2",
      nLayer: 4,
      nHead: 4,
      nEmbd: 128,
      blockSize: 64,
      batchSize: 12,
      learningRate: 1e-3,
      minLr: 1e-4,
      warmupIters: 100,
    }),
  },
} satisfies Record<string, SizePreset>;

export type SizeName = keyof typeof SIZE_PRESETS;
export const SIZE_NAMES = Object.keys(SIZE_PRESETS) as SizeName[];

/** Parameters of the model a preset builds for a vocabulary of `vocabSize` (tied embeddings once). */
export function parameterCount(config: TrainConfig, vocabSize: number): number {
  let n = 0;
  for (const spec of parameterSpecs(modelConfigFor(config, vocabSize))) {
    n += spec.shape.reduce((a, b) => a * b, 1);
  }
  return n;
}
