// How much memory a model, and a training run of it, will need — estimated from the config alone,
// before a single array is allocated, so that sizes that cannot fit (`--vocab-size 1e9`,
// `--batch-size 1e8`) are refused in one line instead of a RangeError stack trace or minutes of
// allocation. Used by `llmts init` (the weights) and by prepareRun (everything a step holds).
//
//   weights      parameters × 4 bytes (f32)
//   training     parameters × 16: weights, their gradients, and AdamW's two moments (m, v)
//   activations  what one micro-batch's forward pass keeps for the backward pass, at least:
//                per layer 8·B·T·C (norms, projections, residuals) + 2·B·T·F (the MLP's hidden
//                layer) + 2·B·H·T·T (attention scores and their softmax); then 2·B·T·V (the
//                logits and their softmax in the loss)
//   one step     B × T × gradient-accumulation-steps tokens
//
// The activation count is a lower bound (our autograd keeps more: transposed copies, dropout
// masks, the backward pass's own temporaries), so a refusal is certain, never a guess; a run that
// passes may still be tight. B = --batch-size, T = --block-size, C = width, F = MLP width,
// H = heads, V = vocabulary.
// Not here: measuring real memory (@llmts/sample/node residentSetBytes), choosing sizes.
// Reference: the memory accounting of "Reducing Activation Recomputation in Large Transformer
// Models" (Korthikanti et al. 2022, section 4), which counts per-layer activations the same way.

import { type ModelConfig, parameterSpecs } from "@llmts/model";
import type { TrainConfig } from "./config.ts";
import { TrainError } from "./errors.ts";

/** The most elements one Float32Array holds in Node 20 / V8 (2^32): a larger tensor cannot exist. */
export const MAX_TENSOR_ELEMENTS = 2 ** 32;

/**
 * The most tokens one optimizer step may read. A step cannot be interrupted (Ctrl-C and SIGTERM
 * wait for it to end), and 2^30 tokens — 300 times GPT-3's 3.2M-token batch — is already hours
 * of work on a laptop.
 */
export const MAX_TOKENS_PER_STEP = 2 ** 30;

export interface ParameterCount {
  /** Elements in all parameters. */
  parameters: number;
  /** The largest parameter tensor: its name, shape and elements. */
  largest: { name: string; shape: number[]; elements: number };
}

/** Parameters of `config`, counted from their shapes (nothing is allocated). */
export function countParameters(config: ModelConfig): ParameterCount {
  // Listing every tensor costs a few objects per layer; with a million layers (a typo away) that
  // listing would itself be the problem. Every layer has the same shapes, so beyond 64 layers two
  // are counted and the rest follow by difference.
  if (config.nLayer > 64) {
    const one = countParameters({ ...config, nLayer: 1 });
    const two = countParameters({ ...config, nLayer: 2 });
    const perLayer = two.parameters - one.parameters;
    return { parameters: one.parameters + (config.nLayer - 1) * perLayer, largest: two.largest };
  }
  let parameters = 0;
  let largest: ParameterCount["largest"] = { name: "", shape: [], elements: 0 };
  for (const spec of parameterSpecs(config)) {
    const elements = spec.shape.reduce((a, b) => a * b, 1);
    parameters += elements;
    if (elements > largest.elements) largest = { name: spec.name, shape: spec.shape, elements };
  }
  return { parameters, largest };
}

/** Bytes as people read them: 512.0 MB, 3.1 GB, 12.4 TB. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e12) return `${(bytes / 1e12).toLocaleString("en-US", { maximumFractionDigits: 1 })} TB`;
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

const count = (n: number) => n.toLocaleString("en-US");

/**
 * Refuses a model whose weights cannot exist here: a tensor larger than one array can hold, or
 * f32 weights larger than `memoryBytes` (the machine's memory). Returns the count otherwise.
 */
export function checkModelFits(config: ModelConfig, memoryBytes: number): ParameterCount {
  const counted = countParameters(config);
  const { parameters, largest } = counted;
  const size = `${count(parameters)} parameters (${formatBytes(parameters * 4)})`;
  if (largest.elements > MAX_TENSOR_ELEMENTS) {
    throw new TrainError(
      `model too large: ${size}; ${largest.name} [${largest.shape.join(", ")}] alone has ` +
        `${count(largest.elements)} values, more than one array can hold (${count(MAX_TENSOR_ELEMENTS)})`,
    );
  }
  if (parameters * 4 > memoryBytes) {
    throw new TrainError(
      `model too large: ${size}, more than this machine's ${formatBytes(memoryBytes)} of memory`,
    );
  }
  return counted;
}

/** Activation values one micro-batch keeps for the backward pass (a lower bound; see the header). */
export function activationValues(config: ModelConfig, batchSize: number, blockSize: number): number {
  const [C, F] =
    config.arch === "gpt2" ? [config.nEmbd, config.nInner] : [config.hiddenSize, config.intermediateSize];
  const B = batchSize;
  const T = blockSize;
  const perLayer = 8 * B * T * C + 2 * B * T * F + 2 * B * config.nHead * T * T;
  return config.nLayer * perLayer + 2 * B * T * config.vocabSize;
}

/**
 * Refuses a training run that cannot fit in `memoryBytes` or whose optimizer step could not end:
 * the model (checkModelFits), then weights + gradients + AdamW moments + one micro-batch's
 * activations, then the tokens of one step. Each message names the flags to lower.
 */
export function checkRunFits(
  config: ModelConfig,
  run: Pick<TrainConfig, "batchSize" | "blockSize" | "gradientAccumulationSteps">,
  memoryBytes: number,
): void {
  const { parameters } = checkModelFits(config, memoryBytes);
  const trainingBytes = parameters * 16;
  const memory = `this machine's ${formatBytes(memoryBytes)} of memory`;
  if (trainingBytes > memoryBytes) {
    throw new TrainError(
      `model too large to train: ${count(parameters)} parameters need ${formatBytes(trainingBytes)} ` +
        `(weights, gradients and AdamW's two moments), more than ${memory}`,
    );
  }
  const { batchSize: B, blockSize: T, gradientAccumulationSteps: A } = run;
  const activationBytes = activationValues(config, B, T) * 4;
  if (trainingBytes + activationBytes > memoryBytes) {
    throw new TrainError(
      `batch too large: --batch-size ${B} × --block-size ${T} needs at least ${formatBytes(activationBytes)} ` +
        `of activations per micro-batch, besides ${formatBytes(trainingBytes)} for the model and optimizer: ` +
        `more than ${memory} (lower --batch-size or --block-size; raise --gradient-accumulation-steps to keep the tokens per step)`,
    );
  }
  const tokens = B * T * A;
  if (tokens > MAX_TOKENS_PER_STEP) {
    throw new TrainError(
      `step too large: one optimizer step would read ${count(tokens)} tokens (--batch-size ${B} × ` +
        `--block-size ${T} × --gradient-accumulation-steps ${A}), more than the ${count(MAX_TOKENS_PER_STEP)} ` +
        "allowed (a step cannot be interrupted: Ctrl-C waits for it to end)",
    );
  }
}
