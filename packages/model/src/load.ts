// Models from and to their parts, with no file system: a config plus a checkpoint's tensors in,
// a CausalLM out; a CausalLM in, config.json text plus named tensors out. Runs in a browser as in
// Node: a page that opened config.json and model.safetensors calls modelFromFiles() and gets the
// same checks and the same errors as `llmts` does through the Node adapter (node/directory.ts),
// which reads a directory and hands the same functions what it read.
//
//   createModel(config, rng)                              a fresh model (the references' init)
//   modelFromFiles({ "config.json": text, "model.safetensors": bytes })    a checkpoint in memory
//   modelFromWeights(config, source, name)                 any WeightSource (shards on disk, ...)
//   toCheckpoint(model)  -> { configJson, tensors }        what saving writes
//
// Not here: reading or writing files (node/directory.ts), tokenizers (@llmts/tokenizer),
// sharded checkpoints in memory (their index lives next to files: the Node adapter reads them).

import { fromFloat32, parseSafetensors, SafetensorsError, type Tensor as StTensor } from "@llmts/safetensors";
import { type Rng, Tensor } from "@llmts/tensor";
import { configToJson, type ModelConfig, parseConfigText } from "./config.ts";
import { ConfigError } from "./errors.ts";
import { type CreateOptions, familyOf } from "./families.ts";
import { gpt2PrefixOf } from "./gpt2.ts";
import type { CausalLM } from "./model.ts";
import { initParameters, type ParamSpec, type Weight } from "./params.ts";
import { type Allocate, loadWeights, type WeightSource } from "./weights.ts";

export interface LoadOptions {
  /**
   * Where each weight's values go (default: a Float32Array of its own). @llmts/kernels'
   * pinnedFloat32 puts them in the memory its kernels read, so decoding reads them in place.
   */
  allocate?: Allocate;
}

/** The parameter list of a config (HF names, shapes, init), as createModel and loading use it. */
export function parameterSpecs(config: ModelConfig, options: CreateOptions = {}): ParamSpec[] {
  return familyOf(config).parameterSpecs(config, options);
}

/** Wraps parameters (HF names -> tensors, or quantized matrices) in the architecture's model. */
export function buildModel(config: ModelConfig, params: Map<string, Weight>): CausalLM {
  return familyOf(config).build(config, params);
}

/** A freshly initialised model (the references' init; see gpt2ParameterSpecs / llamaParameterSpecs). */
export function createModel(config: ModelConfig, rng: Rng, options: CreateOptions = {}): CausalLM {
  return buildModel(config, initParameters(parameterSpecs(config, options), rng));
}

/**
 * The model of `config` over a checkpoint's tensors, every one checked against the parameter list
 * (all problems in one WeightLoadError naming `source`) and converted to f32.
 */
export function modelFromWeights(
  config: ModelConfig,
  weights: WeightSource,
  source: string,
  options: LoadOptions = {},
): CausalLM {
  const family = familyOf(config);
  const names = weights.tensors.map((t) => t.name);
  const specs = family.parameterSpecs(config, { gpt2Prefix: gpt2PrefixOf(names) });
  const params = loadWeights(
    weights,
    specs,
    (name) => family.isIgnored(name, config),
    source,
    options.allocate,
  );
  return family.build(config, params);
}

/** A checkpoint held in memory: config.json's text and model.safetensors's bytes. */
export interface ModelFiles {
  "config.json"?: string;
  "model.safetensors"?: Uint8Array | ArrayBuffer;
}

/**
 * Loads a model from the two files of a checkpoint directory, held in memory (a browser's file
 * picker or fetch()). `dir` names where they came from in error messages (default: none, so
 * messages name "config.json" and "model.safetensors").
 */
export function modelFromFiles(
  files: ModelFiles,
  dir?: string,
  options: LoadOptions = {},
): { config: ModelConfig; model: CausalLM } {
  const path = (name: string) => (dir === undefined ? name : `${dir}/${name}`);
  const text = files["config.json"];
  if (text === undefined) throw new ConfigError(`config: cannot read ${path("config.json")}`);
  const config = parseConfigText(text, path("config.json"));
  const bytes = files["model.safetensors"];
  if (bytes === undefined) {
    // The error the Node adapter gives for a directory without weights (@llmts/safetensors/node).
    const where = dir ?? "the files given";
    throw new SafetensorsError(
      `safetensors: found no model.safetensors or model.safetensors.index.json in ${where}`,
    );
  }
  const file = parseSafetensors(bytes, path("model.safetensors"));
  const weights: WeightSource = { tensors: file.tensors, has: file.has, read: file.get };
  // Weight problems name the checkpoint as the Node adapter does: by its directory.
  return { config, model: modelFromWeights(config, weights, dir ?? "model.safetensors", options) };
}

export interface SaveOptions {
  /** Storage dtype of model.safetensors (default F32). */
  dtype?: "F32" | "F16" | "BF16";
}

/**
 * What a checkpoint directory holds for `model`: config.json's text (every HF field, torch_dtype
 * set to the storage dtype) and the parameters under their HF names. Tied embeddings are stored
 * once, as HF does. serializeSafetensors(tensors) gives model.safetensors's bytes.
 */
export function toCheckpoint(
  model: CausalLM,
  options: SaveOptions = {},
): { configJson: string; tensors: Record<string, StTensor> } {
  const dtype = options.dtype ?? "F32";
  for (const [name, w] of model.weights()) {
    if (!(w instanceof Tensor)) {
      throw new ConfigError(
        `model: "${name}" is quantized (${w.type}); safetensors holds float tensors only: write quantized models as GGUF (llmts export, llmts quantize)`,
      );
    }
  }
  const json = configToJson(model.config);
  json.torch_dtype = { F32: "float32", F16: "float16", BF16: "bfloat16" }[dtype];
  const tensors: Record<string, StTensor> = {};
  for (const [name, t] of model.parameters()) {
    tensors[name] = fromFloat32(t.dataSync() as Float32Array, [...t.shape], dtype);
  }
  return { configJson: `${JSON.stringify(json, null, 2)}\n`, tensors };
}
