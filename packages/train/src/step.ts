// One training step, the heart of nanoGPT's train.py:
//
//   for each of gradientAccumulationSteps micro-batches:
//     x, y = get_batch("train")                      int32 [B, T] each (data.ts)
//     loss = cross_entropy(model(x), y) / steps      dropout on
//     loss.backward()                                gradients add up across micro-batches
//   clip_grad_norm_(params, grad_clip)               (clip.ts)
//   optimizer.step(lr); optimizer.zero_grad()        (adamw.ts)
//
// trainStep() is the forward and backward of one batch. It is the only place a training loss is
// computed and differentiated: the serial loop calls it once per micro-batch, and with data
// parallelism every thread calls it on its own rows of the batch (node/parallel.ts) — so the
// step a reader studies here is the step that runs either way.
// Not here: evaluation and checkpoints (loop.ts), splitting a batch over threads (node/parallel.ts).
// Reference: karpathy/nanoGPT train.py (the inner loop of `while True`).

import type { CausalLM } from "@llmts/model";
import { crossEntropy, type Rng, type Tensor } from "@llmts/tensor";
import { clipGradNorm } from "./clip.ts";
import { TrainError } from "./errors.ts";

/** Rows of token windows: x the context, y the next token at every position, both int32 [B, T]. */
export interface Batch {
  x: Tensor;
  y: Tensor;
}

/**
 * Forward and backward on one batch: adds scale · ∇(mean loss over the batch) into every
 * parameter's .grad and returns the mean loss. `scale` turns several micro-batches' (or shards')
 * gradients into the gradient of their mean; dropout masks come from `rng`.
 */
export function trainStep(model: CausalLM, batch: Batch, scale: number, rng: Rng): number {
  const logits = model.forward(batch.x, { training: true, rng }); // [B, T, V]
  const loss = crossEntropy(logits, batch.y); // mean over the B·T positions
  const value = loss.item();
  (scale === 1 ? loss : loss.mul(scale)).backward();
  return value;
}

/** What applies a step's summed gradients: AdamW (adamw.ts), or anything with the same two calls. */
export interface Optimizer {
  step(lr: number): void;
  zeroGrad(): void;
}

/**
 * After every micro-batch's trainStep: clip the global gradient norm (0 = no clipping), update the
 * weights, clear the gradients. Returns the norm before clipping (metrics.jsonl's grad_norm).
 * A norm that is NaN or infinite (the loss diverged) throws before the weights change, so they
 * stay as the last step left them — finite — and nothing trains on.
 */
export function applyGradients(
  params: readonly Tensor[],
  optimizer: Optimizer,
  lr: number,
  gradClip: number,
): number {
  const norm = clipGradNorm(params, gradClip > 0 ? gradClip : Number.POSITIVE_INFINITY);
  if (!Number.isFinite(norm)) throw new DivergedError("gradient norm", norm);
  optimizer.step(lr);
  optimizer.zeroGrad();
  return norm;
}

/** The loss or the gradients stopped being finite numbers (too high a learning rate, usually). */
export class DivergedError extends TrainError {
  constructor(what: string, value: number) {
    super(`the ${what} became ${value}`);
  }
}
