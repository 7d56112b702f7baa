// Parameters described as data: each architecture lists its tensors as { HF name, shape, init },
// and this file turns such a list into tensors — random ones for a new model, or checks a
// checkpoint against it (weights.ts). One list per architecture is the single place where
// Hugging Face names meet our modules.
// Not here: checking a checkpoint (weights.ts), the architectures themselves (gpt2.ts, llama.ts),
// the layers the tensors become (layers.ts).
// Reference: the `_init_weights` methods of HF's GPT2PreTrainedModel / LlamaPreTrainedModel.

import { type QuantizedMatrix, type Rng, Tensor } from "@llmts/tensor";

/** What a weight is held as: a float tensor, or (inference only) a quantized matrix. */
export type Weight = Tensor | QuantizedMatrix;

/** How a parameter starts out in a fresh model. */
export type Init = { normal: number } | "zeros" | "ones";

export interface ParamSpec {
  /** The Hugging Face state-dict name, e.g. "transformer.h.0.attn.c_attn.weight". */
  name: string;
  shape: number[];
  init: Init;
}

/** Fresh tensors for every spec, in order, drawing normals from `rng` (requiresGrad set). */
export function initParameters(specs: readonly ParamSpec[], rng: Rng): Map<string, Tensor> {
  const params = new Map<string, Tensor>();
  for (const spec of specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const init = spec.init;
    if (init === "ones") data.fill(1);
    else if (init !== "zeros") for (let i = 0; i < n; i++) data[i] = rng.normal() * init.normal;
    params.set(spec.name, Tensor.fromArray(data, spec.shape).requiresGrad_());
  }
  return params;
}

/** Looks up a weight the architecture needs; a missing one is a bug (the loader checked). */
export function takeWeight(params: ReadonlyMap<string, Weight>, name: string): Weight {
  const t = params.get(name);
  if (t === undefined) throw new Error(`model: parameter "${name}" was not provided`);
  return t;
}

/** A weight that must be a float tensor (norms, biases, position embeddings). */
export function take(params: ReadonlyMap<string, Weight>, name: string): Tensor {
  const t = takeWeight(params, name);
  if (!(t instanceof Tensor))
    throw new Error(`model: parameter "${name}" must be a float tensor, got ${t.type}`);
  return t;
}
