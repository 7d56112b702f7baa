// Models in and out of Hugging Face's directory layout:
//
//   DIR/config.json                                   model_type and sizes (config.ts)
//   DIR/model.safetensors  (or an index + shards)     parameters under HF names
//
// createModel() makes a randomly initialised model, loadModel() reads a directory, saveModel()
// writes one (config.json, then model.safetensors atomically via @llmts/safetensors). This is the
// one place that dispatches on the architecture; everything else talks to the CausalLM interface.
// Not here: tokenizers (tokenizer.json sits in the same directory; @llmts/tokenizer reads it),
// optimizer state (@llmts/train).

import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fromFloat32, type Tensor as StTensor } from "@llmts/safetensors";
import { openCheckpoint, writeFileAtomic, writeSafetensors } from "@llmts/safetensors/node";
import type { Rng, Tensor } from "@llmts/tensor";
import { configToJson, type ModelConfig, readConfig } from "./config.ts";
import { Gpt2, type Gpt2Prefix, gpt2ParameterSpecs, gpt2PrefixOf, isGpt2Ignored } from "./gpt2.ts";
import { isLlamaIgnored, Llama, llamaParameterSpecs } from "./llama.ts";
import type { CausalLM } from "./model.ts";
import { initParameters, type ParamSpec } from "./params.ts";
import { loadWeights } from "./weights.ts";

export interface CreateOptions {
  /** GPT-2 only: name parameters with GPT2LMHeadModel's "transformer." prefix (default) or without. */
  gpt2Prefix?: Gpt2Prefix;
}

/** The parameter list of a config (HF names, shapes, init), as createModel and loadModel use it. */
export function parameterSpecs(config: ModelConfig, options: CreateOptions = {}): ParamSpec[] {
  return config.arch === "gpt2"
    ? gpt2ParameterSpecs(config, options.gpt2Prefix ?? "transformer.")
    : llamaParameterSpecs(config);
}

/** Wraps parameters (HF names -> tensors) in the architecture's model. */
export function buildModel(config: ModelConfig, params: Map<string, Tensor>): CausalLM {
  if (config.arch === "gpt2") return new Gpt2(config, params, gpt2PrefixOf(params.keys()));
  return new Llama(config, params);
}

/** A freshly initialised model (the references' init; see gpt2ParameterSpecs / llamaParameterSpecs). */
export function createModel(config: ModelConfig, rng: Rng, options: CreateOptions = {}): CausalLM {
  return buildModel(config, initParameters(parameterSpecs(config, options), rng));
}

/** Reads DIR/config.json and the weights next to it (single file or sharded), converted to f32. */
export function loadModel(dir: string): { config: ModelConfig; model: CausalLM } {
  const config = readConfig(dir);
  const ckpt = openCheckpoint(dir);
  try {
    const names = ckpt.tensors.map((t) => t.name);
    const specs = parameterSpecs(config, { gpt2Prefix: gpt2PrefixOf(names) });
    const ignored =
      config.arch === "gpt2"
        ? (n: string) => isGpt2Ignored(n, config)
        : (n: string) => isLlamaIgnored(n, config);
    const params = loadWeights(ckpt, specs, ignored, resolve(dir));
    return { config, model: buildModel(config, params) };
  } finally {
    ckpt.close();
  }
}

export interface SaveOptions {
  /** Storage dtype of model.safetensors (default F32). */
  dtype?: "F32" | "F16" | "BF16";
}

/**
 * Writes DIR/config.json and DIR/model.safetensors (creating DIR). Tied embeddings are stored
 * once, as HF does; each file is replaced atomically and durably (writeFileAtomic: a uniquely
 * named temp file, fsync, rename, fsync of the directory).
 */
export function saveModel(dir: string, model: CausalLM, options: SaveOptions = {}): void {
  mkdirSync(dir, { recursive: true });
  const json = configToJson(model.config);
  const dtype = options.dtype ?? "F32";
  json.torch_dtype = { F32: "float32", F16: "float16", BF16: "bfloat16" }[dtype];
  writeFileAtomic(join(dir, "config.json"), [`${JSON.stringify(json, null, 2)}\n`]);

  const tensors: Record<string, StTensor> = {};
  for (const [name, t] of model.parameters()) {
    tensors[name] = fromFloat32(t.dataSync() as Float32Array, [...t.shape], dtype);
  }
  writeSafetensors(join(dir, "model.safetensors"), tensors, { format: "pt" });
}
