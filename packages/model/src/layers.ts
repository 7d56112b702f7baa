// The layers every architecture is built from, with their parameters as named records:
//
//   Linear = { weight, bias }     nn.Linear (weight [out, in]) or GPT-2's Conv1D (weight [in, out])
//   Norm   = { weight, bias }     LayerNorm (bias [C]) or RMSNorm (bias null)
//
// A Linear's weight may be a QuantizedMatrix (Q8_0 / Q4_0 blocks, always [out, in] as ggml
// stores it, for Conv1D too): linear() and conv1d() then run matmulQuantized, and embed() decodes
// the rows it looks up. Norms and biases are always float tensors.
//
// so model code reads `linear(x, attn.q_proj)` and `layerNorm(x, ln_1, eps)`, never a list of
// tensors whose order one has to remember.
// Not here: the ops themselves (matmul, layerNorm, rmsNorm in @llmts/tensor), attention
// (attention.ts), the parameter list of an architecture (gpt2.ts, llama.ts).
// Reference: torch.nn.Linear / nn.LayerNorm; transformers' pytorch_utils.Conv1D.

import {
  embedding,
  embeddingQuantized,
  layerNorm as layerNormOp,
  matmul,
  matmulQuantized,
  QuantizedMatrix,
  rmsNorm as rmsNormOp,
  type Tensor,
} from "@llmts/tensor";
import { take, takeWeight, type Weight } from "./params.ts";

/** A projection's parameters: weight (float, or quantized [out, in]), and a bias [out] or null. */
export interface Linear {
  weight: Weight;
  bias: Tensor | null;
}

/** A normalisation's per-feature gain [C], and its bias [C] (LayerNorm) or null (RMSNorm). */
export interface Norm {
  weight: Tensor;
  bias: Tensor | null;
}

/**
 * nn.Linear: y = x Wᵀ + b with W stored [out, in] (Llama's layout).
 * x: [..., in] -> [..., out]. Wᵀ is a transposed view: matmul reads it in place.
 */
export function linear(x: Tensor, { weight, bias }: Linear): Tensor {
  const y =
    weight instanceof QuantizedMatrix
      ? matmulQuantized(x, weight) // [..., in] @ W[out, in]ᵀ -> [..., out]
      : matmul(x, weight.transpose(0, 1)); // [..., in] @ [in, out] -> [..., out]
  return bias ? y.add(bias) : y;
}

/**
 * GPT-2's Conv1D: y = x W + b with W stored [in, out] (the transpose of nn.Linear's layout, kept
 * from the original TensorFlow checkpoint). x: [..., in] -> [..., out].
 */
export function conv1d(x: Tensor, { weight, bias }: Linear): Tensor {
  const y =
    weight instanceof QuantizedMatrix
      ? matmulQuantized(x, weight) // quantized weights are stored [out, in], as ggml stores them
      : matmul(x, weight); // [..., in] @ [in, out] -> [..., out]
  return bias ? y.add(bias) : y;
}

/** LayerNorm over the last dim: (x - mean) / sqrt(var + eps) * weight + bias. x: [..., C] -> [..., C] */
export function layerNorm(x: Tensor, { weight, bias }: Norm, eps: number): Tensor {
  if (bias === null) throw new Error("layerNorm: this Norm has no bias (an RMSNorm's parameters?)");
  return layerNormOp(x, weight, bias, eps);
}

/** RMSNorm over the last dim: x / sqrt(mean(x²) + eps) * weight. x: [..., C] -> [..., C] */
export function rmsNorm(x: Tensor, { weight }: Norm, eps: number): Tensor {
  return rmsNormOp(x, weight, eps);
}

/** Rows `ids` of an embedding table, float or quantized. ids [...] -> [..., C] */
export function embed(table: Weight, ids: Tensor): Tensor {
  return table instanceof QuantizedMatrix ? embeddingQuantized(table, ids) : embedding(table, ids);
}

/** The Linear stored as `${name}.weight` (and `${name}.bias` when it has one). */
export function paramsOf(params: ReadonlyMap<string, Weight>, name: string, hasBias: boolean): Linear {
  return {
    weight: takeWeight(params, `${name}.weight`),
    bias: hasBias ? take(params, `${name}.bias`) : null,
  };
}

/** The Norm stored as `${name}.weight` (and `${name}.bias` for a LayerNorm). */
export function normOf(params: ReadonlyMap<string, Weight>, name: string, hasBias: boolean): Norm {
  return { weight: take(params, `${name}.weight`), bias: hasBias ? take(params, `${name}.bias`) : null };
}
