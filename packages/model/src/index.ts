// Public API of @llmts/model: configs, the GPT-2 and Llama architectures, KV cache, loading,
// saving and initialising checkpoints in Hugging Face's layout. See README.md.
export { attentionMask, causalSelfAttention } from "./attention.ts";
export {
  buildModel,
  type CreateOptions,
  createModel,
  loadModel,
  parameterSpecs,
  type SaveOptions,
  saveModel,
} from "./checkpoint.ts";
export {
  configToJson,
  type Gpt2Config,
  type LlamaConfig,
  type ModelConfig,
  parseConfig,
  type RopeScaling,
  readConfig,
  SUPPORTED_MODEL_TYPES,
} from "./config.ts";
export { ConfigError, WeightLoadError, type WrongShape } from "./errors.ts";
export { Gpt2, type Gpt2Prefix, gpt2ParameterSpecs, gpt2PrefixOf, isGpt2Ignored } from "./gpt2.ts";
export { KVCache, type KVCacheShape } from "./kv-cache.ts";
export { isLlamaIgnored, Llama, llamaParameterSpecs } from "./llama.ts";
export { type CacheOptions, type CausalLM, checkIds, type ForwardOptions } from "./model.ts";
export { type Init, initParameters, type ParamSpec } from "./params.ts";
export { PRESETS, type Preset } from "./presets.ts";
export { applyRope, RopeTables, ropeInverseFrequencies } from "./rope.ts";
export { type StepModel, stepModel } from "./step.ts";
export { type ModuleRunner, moduleRunner, type TraceRecord } from "./trace.ts";
export { loadWeights } from "./weights.ts";
