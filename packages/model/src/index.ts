// Public API of @llmts/model: configs, the GPT-2 and Llama architectures, the shared decoder, KV
// cache, and models from and to their parts in Hugging Face's layout. Runs in browsers: nothing
// here touches files. Checkpoint directories on disk: "@llmts/model/node". See README.md.
export { type AttentionOptions, attentionMask, causalSelfAttention } from "./attention.ts";
export {
  configToJson,
  type Gpt2Config,
  type LlamaConfig,
  type ModelConfig,
  parseConfig,
  parseConfigText,
  type RopeScaling,
  SUPPORTED_MODEL_TYPES,
} from "./config.ts";
export { ConfigError, WeightLoadError, type WrongShape } from "./errors.ts";
export type { CreateOptions } from "./families.ts";
export { Gpt2, type Gpt2Prefix, gpt2ParameterSpecs, gpt2PrefixOf, isGpt2Ignored } from "./gpt2.ts";
export { KVCache, type KVCacheShape, type StoredKV } from "./kv-cache.ts";
export type { Linear, Norm } from "./layers.ts";
export { isLlamaIgnored, Llama, llamaParameterSpecs } from "./llama.ts";
export {
  buildModel,
  createModel,
  type LoadOptions,
  type ModelFiles,
  modelFromFiles,
  modelFromWeights,
  parameterSpecs,
  type SaveOptions,
  toCheckpoint,
} from "./load.ts";
export { type CacheOptions, type CausalLM, checkIds, type ForwardOptions } from "./model.ts";
export { type Init, initParameters, type ParamSpec } from "./params.ts";
export { PRESETS, type Preset } from "./presets.ts";
export { applyRope, RopeTables, ropeInverseFrequencies } from "./rope.ts";
export { stepModel } from "./step.ts";
export type { TraceRecord } from "./trace.ts";
export { type Allocate, loadWeights, type WeightSource } from "./weights.ts";
