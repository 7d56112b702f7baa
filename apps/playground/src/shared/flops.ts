// What a forward pass costs in floating-point operations, counted from the model's config, and
// what those operations cost in energy and money under an assumption the user can change.
//
// A matrix product [M, K] @ [K, N] is M·N·K multiply-adds = 2·M·N·K FLOPs. Per token and layer:
//   linear layers   2 · (weights of the block's linear layers)        (the "2N" of Kaplan et al.)
//   attention       4 · d_attn · (keys visible)   q·k for each key, then the weighted sum of values
// plus the lm_head, 2 · d · V, for each position whose logits are computed (generation asks for
// the last one only; training for all). Embedding lookups, norms, activations and softmax are a
// few operations per number, not per weight: left out, as in the usual estimate.
// Training: backward ≈ 2 × forward (each product's backward is two products of the same size),
// so a training step is 3 × the forward FLOPs of its batch.
// Not here: measuring time (the worker does), which kernels ran (worker/kernels.ts).
// Reference: Kaplan et al. 2020, "Scaling Laws for Neural Language Models", Table 1
// (C_forward ≈ 2N + 2·n_layer·n_ctx·d_attn).

import { type ModelConfig, parameterSpecs } from "@llmts/model";

/** The token and position tables and the output head: looked up or counted apart, not per block. */
const TABLES = /(^|\.)(wte|wpe|embed_tokens|embed_in|embed_out|lm_head)\.weight$/;

/**
 * Multiply-adds of one token through one block's linear layers: every weight matrix of the
 * architecture's parameter list but the tables, divided by the layers (so every family counts
 * its own q/k/v/o and MLP shapes, fused or not).
 */
function blockMacs(c: ModelConfig): number {
  let macs = 0;
  for (const s of parameterSpecs(c)) {
    if (s.shape.length === 2 && !TABLES.test(s.name)) macs += s.shape[0]! * s.shape[1]!;
  }
  return macs / c.nLayer;
}

function widths(c: ModelConfig): { d: number; dAttn: number } {
  return c.arch === "gpt2" ? { d: c.nEmbd, dAttn: c.nEmbd } : { d: c.hiddenSize, dAttn: c.nHead * c.headDim };
}

/**
 * FLOPs of one forward pass of one sequence: `tokens` new positions after `past` cached ones,
 * logits for the last `logitRows` of them.
 */
export function forwardFlops(c: ModelConfig, past: number, tokens: number, logitRows: number): number {
  const { d, dAttn } = widths(c);
  // Position p sees p + 1 keys: Σ over p = past .. past+tokens-1 of (p + 1).
  const keys = tokens * (past + 1) + (tokens * (tokens - 1)) / 2;
  const linear = 2 * tokens * blockMacs(c) * c.nLayer;
  const attention = 4 * dAttn * keys * c.nLayer;
  return linear + attention + 2 * logitRows * d * c.vocabSize;
}

/**
 * FLOPs of a generation as @llmts/sample's generate() runs it: a prefill of the `prompt` tokens it
 * fed (the last window, with crop_context), then one step per generated token but the last; once
 * the window of `contextLength` is full (crop_context only), each step re-runs the whole window.
 */
export function generationFlops(
  c: ModelConfig,
  prompt: number,
  generated: number,
  contextLength: number,
): number {
  let flops = forwardFlops(c, 0, prompt, 1);
  let inCache = prompt;
  for (let i = 1; i < generated; i++) {
    if (inCache < contextLength) {
      flops += forwardFlops(c, inCache, 1, 1);
      inCache++;
    } else {
      flops += forwardFlops(c, 0, contextLength, 1);
    }
  }
  return flops;
}

/** One optimizer step on `rows` windows of `T` tokens: forward with every position's logits, × 3. */
export function trainStepFlops(c: ModelConfig, rows: number, T: number): number {
  return 3 * rows * forwardFlops(c, 0, T, T);
}

/** The energy and price assumption behind "cost per query"; the page states it and lets it change. */
export interface CostAssumption {
  /** Useful FLOPs per joule of electricity, in units of 1e9 (GFLOP/J). */
  gflopPerJoule: number;
  /** Price of electricity, in dollars per kilowatt-hour. */
  dollarsPerKwh: number;
}

/**
 * Defaults: 1 GFLOP per joule — a laptop CPU running JavaScript and WebAssembly kernels does a few
 * GFLOP/s on a few tens of watts; a datacenter GPU does hundreds of times more per joule — and
 * $0.15 per kWh, a typical household price.
 */
export const DEFAULT_COST: CostAssumption = { gflopPerJoule: 1, dollarsPerKwh: 0.15 };

/** Dollars for `flops` operations: joules = flops / (GFLOP/J · 1e9), kWh = J / 3.6e6. */
export function dollarsFor(flops: number, a: CostAssumption): number {
  const joules = flops / (a.gflopPerJoule * 1e9);
  return (joules / 3.6e6) * a.dollarsPerKwh;
}
