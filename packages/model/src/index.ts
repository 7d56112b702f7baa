// Public API of @llmts/model: configs, the architectures (GPT-2, Llama / Qwen2 / Mistral, Qwen3,
// Gemma 3, GPT-NeoX, Phi-3), the shared decoder, KV cache, and models from and to their parts in
// Hugging Face's layout. Runs in browsers: nothing here touches files. Checkpoint directories on
// disk: "@llmts/model/node". See README.md.
export { type AttentionOptions, attentionMask, causalSelfAttention } from "./attention.ts";
export {
  type Arch,
  configToJson,
  type Gemma3Config,
  type Gpt2Config,
  type GptNeoXConfig,
  type LayerType,
  type LlamaConfig,
  type LongRopeScaling,
  type ModelConfig,
  type Phi3Config,
  parseConfig,
  parseConfigText,
  type Qwen3Config,
  type RopeScaling,
  SUPPORTED_MODEL_TYPES,
} from "./config.ts";
export type { FrequencyScaling } from "./config-rope.ts";
export { ConfigError, WeightLoadError, type WrongShape } from "./errors.ts";
export type { CreateOptions } from "./families.ts";
export { toFloatModel } from "./float-model.ts";
export { Gemma3, gemma3ParameterSpecs, isGemma3Ignored } from "./gemma3.ts";
export { configJsonFromGguf, ggufArchOf, ggufConfigMetadata } from "./gguf/config.ts";
export { type GgufArch, ggufNameOf, hfNameOf } from "./gguf/names.ts";
export { type GgufSource, modelFromGguf } from "./gguf/read.ts";
export { type GgufExport, type GgufExportOptions, modelToGguf } from "./gguf/write.ts";
export { GptNeoX, gptNeoXParameterSpecs, isGptNeoXIgnored } from "./gpt-neox.ts";
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
export { LongRope, longRopeInverseFrequencies } from "./longrope.ts";
export { type CacheOptions, type CausalLM, checkIds, type ForwardOptions } from "./model.ts";
export { type Init, initParameters, type ParamSpec, type Weight } from "./params.ts";
export { isPhi3Ignored, Phi3, phi3ParameterSpecs } from "./phi3.ts";
export { PRESETS, type Preset } from "./presets.ts";
export { isQwen3Ignored, Qwen3, qwen3ParameterSpecs } from "./qwen3.ts";
export { applyRope, RopeTables, ropeInverseFrequencies } from "./rope.ts";
export { slotModel } from "./slot-model.ts";
export { stepModel } from "./step.ts";
export type { TraceRecord } from "./trace.ts";
export { type Allocate, loadWeights, type WeightSource } from "./weights.ts";
