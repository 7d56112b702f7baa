// Hugging Face config.json -> one typed config per architecture family, and back.
//
//   model_type "gpt2"                          -> Gpt2Config     (config-gpt2.ts)
//   model_type "llama" | "qwen2" | "mistral"   -> LlamaConfig    (config-llama.ts; one decoder layout,
//                                                 the variants differ in biases, defaults, window)
//   model_type "qwen3"                         -> Qwen3Config    (config-qwen3.ts)
//   model_type "gemma3_text"                   -> Gemma3Config   (config-gemma3.ts)
//   model_type "gpt_neox"                      -> GptNeoXConfig  (config-gpt-neox.ts)
//   model_type "phi3"                          -> Phi3Config     (config-phi3.ts)
//
// `arch` names the family (the model class of families.ts), `modelType` the config's own name.
// The shape fields are required (GPT-2: n_embd, n_layer, n_head, vocab_size, n_positions; every
// other family: hidden_size, num_hidden_layers, num_attention_heads, vocab_size,
// intermediate_size): every config.json in the wild carries them, and defaulting a missing one
// to a 4096-wide model only turns one clear error into dozens of wrong-shape weight errors. Other
// missing fields take the defaults of transformers' configuration classes. A field that is absent
// when required, or present but wrong (a string where a number belongs, heads that do not divide
// the width, a bos/eos id outside [0, vocab_size), an option we do not implement), is a
// ConfigError naming the file and the field. A special token id that only comes from a default
// (GPT-2's 50256) and falls outside a smaller vocabulary is null: that model has no such token.
// The original JSON is kept in `hf` so saving a loaded model writes back every field we ignored.
// Not here: reading the file (node/directory.ts readConfig; a browser passes the text).

import { Fields } from "./config-fields.ts";
import { type Gemma3Config, gemma3ConfigToJson, parseGemma3 } from "./config-gemma3.ts";
import { type GptNeoXConfig, gptNeoXConfigToJson, parseGptNeoX } from "./config-gpt-neox.ts";
import { type Gpt2Config, gpt2ConfigToJson, parseGpt2 } from "./config-gpt2.ts";
import { type LlamaConfig, llamaConfigToJson, parseLlama } from "./config-llama.ts";
import { type Phi3Config, parsePhi3, phi3ConfigToJson } from "./config-phi3.ts";
import { parseQwen3, type Qwen3Config, qwen3ConfigToJson } from "./config-qwen3.ts";
import { ConfigError } from "./errors.ts";

export type { Gemma3Config, LayerType } from "./config-gemma3.ts";
export type { GptNeoXConfig } from "./config-gpt-neox.ts";
export type { Gpt2Config } from "./config-gpt2.ts";
export type { LlamaConfig } from "./config-llama.ts";
export type { Phi3Config } from "./config-phi3.ts";
export type { Qwen3Config } from "./config-qwen3.ts";
export type { LongRopeScaling, RopeScaling, RopeSettings } from "./config-rope.ts";

export type ModelConfig = Gpt2Config | LlamaConfig | Qwen3Config | Gemma3Config | GptNeoXConfig | Phi3Config;

/** The families: one model class each (families.ts). */
export type Arch = ModelConfig["arch"];

export const SUPPORTED_MODEL_TYPES = [
  "gpt2",
  "llama",
  "qwen2",
  "mistral",
  "qwen3",
  "gemma3_text",
  "gpt_neox",
  "phi3",
] as const;

/** Parses the text of a config.json; `file` (its path or name) only appears in error messages. */
export function parseConfigText(text: string, file = "config.json"): ModelConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config: ${file} is not valid JSON (${(e as Error).message})`);
  }
  return parseConfig(json, file);
}

/** Parses a config.json object; `file` only appears in error messages. */
export function parseConfig(json: unknown, file = "config.json"): ModelConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ConfigError(`config: ${file} must hold a JSON object`);
  }
  const f = new Fields(json as Record<string, unknown>, file);
  const modelType = f.raw.model_type;
  if (modelType === undefined) throw new ConfigError(`config: ${file} has no "model_type"`);
  switch (modelType as (typeof SUPPORTED_MODEL_TYPES)[number]) {
    case "gpt2":
      return parseGpt2(f);
    case "llama":
    case "qwen2":
    case "mistral":
      return parseLlama(f, modelType as "llama" | "qwen2" | "mistral");
    case "qwen3":
      return parseQwen3(f);
    case "gemma3_text":
      return parseGemma3(f);
    case "gpt_neox":
      return parseGptNeoX(f);
    case "phi3":
      return parsePhi3(f);
  }
  throw new ConfigError(
    `config: ${file}: model_type ${JSON.stringify(modelType)} is not supported (supported: ${SUPPORTED_MODEL_TYPES.join(", ")})`,
  );
}

/**
 * The config.json to write for a config: every field we read, under Hugging Face's names, over
 * the original JSON (so fields we ignore survive a load/save round trip).
 */
export function configToJson(config: ModelConfig): Record<string, unknown> {
  switch (config.arch) {
    case "gpt2":
      return gpt2ConfigToJson(config);
    case "llama":
      return llamaConfigToJson(config);
    case "qwen3":
      return qwen3ConfigToJson(config);
    case "gemma3":
      return gemma3ConfigToJson(config);
    case "gpt_neox":
      return gptNeoXConfigToJson(config);
    case "phi3":
      return phi3ConfigToJson(config);
  }
}
