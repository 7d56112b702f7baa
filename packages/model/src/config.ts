// Hugging Face config.json -> one typed config per architecture family.
//
//   model_type "gpt2"                       -> Gpt2Config
//   model_type "llama" | "qwen2" | "mistral" -> LlamaConfig (one decoder layout; the variants differ
//                                              in biases, defaults and the sliding window)
//
// The shape fields are required (GPT-2: n_embd, n_layer, n_head, vocab_size, n_positions; the Llama
// family: hidden_size, num_hidden_layers, num_attention_heads, vocab_size, intermediate_size):
// every config.json in the wild carries them, and defaulting a missing one to a 4096-wide model
// only turns one clear error into dozens of wrong-shape weight errors. Other missing fields take
// the defaults of transformers' configuration_gpt2.py / configuration_llama.py /
// configuration_qwen2.py / configuration_mistral.py. A field that is absent when required, or
// present but wrong (a string where a number belongs, heads that do not divide the width, a
// bos/eos id outside [0, vocab_size)), is a ConfigError naming the file and the field. A special
// token id that only comes from a default (GPT-2's 50256) and falls outside a smaller vocabulary
// is null: that model has no such token.
// Not here: model types we do not implement (an error), rope scaling other than linear / llama3,
// GPT-2's scale_attn_by_inverse_layer_idx (an error), Qwen2's per-layer sliding window (an error).
// The original JSON is kept in `hf` so saving a loaded model writes back every field we ignored.
// Not here either: reading the file (node/directory.ts readConfig; a browser passes the text).

import { Fields, REQUIRED } from "./config-fields.ts";
import { ConfigError } from "./errors.ts";

export interface Gpt2Config {
  arch: "gpt2";
  modelType: "gpt2";
  vocabSize: number; // vocab_size
  contextLength: number; // n_positions: learned position embeddings
  nLayer: number; // n_layer
  nHead: number; // n_head
  nEmbd: number; // n_embd
  nInner: number; // n_inner, default 4 * n_embd
  activation: "gelu_new" | "gelu"; // activation_function: gelu_new = tanh approximation
  layerNormEps: number; // layer_norm_epsilon
  initializerRange: number; // initializer_range
  embdPdrop: number; // embd_pdrop: dropout on token + position embeddings
  residPdrop: number; // resid_pdrop: dropout on each block's two residual branches
  attnPdrop: number; // attn_pdrop: dropout on the attention probabilities
  scaleAttnWeights: boolean; // scale_attn_weights: divide scores by sqrt(headDim)
  tieWordEmbeddings: boolean; // tie_word_embeddings: lm_head shares wte
  bosTokenId: number | null;
  eosTokenId: number | null;
  /** The config.json this came from (every field, including those we ignore). */
  hf: Record<string, unknown>;
}

export type RopeScaling =
  | { type: "linear"; factor: number }
  | {
      type: "llama3";
      factor: number;
      lowFreqFactor: number;
      highFreqFactor: number;
      originalMaxPositionEmbeddings: number;
    };

export interface LlamaConfig {
  arch: "llama";
  modelType: "llama" | "qwen2" | "mistral";
  vocabSize: number; // vocab_size
  contextLength: number; // max_position_embeddings
  nLayer: number; // num_hidden_layers
  nHead: number; // num_attention_heads
  nKvHead: number; // num_key_value_heads (GQA: nHead / nKvHead query heads share one K/V head)
  hiddenSize: number; // hidden_size
  headDim: number; // head_dim, default hidden_size / num_attention_heads
  intermediateSize: number; // intermediate_size: width of the SwiGLU MLP
  rmsNormEps: number; // rms_norm_eps
  ropeTheta: number; // rope_theta (or rope_parameters.rope_theta)
  ropeScaling: RopeScaling | null; // rope_scaling (or rope_parameters)
  qkvBias: boolean; // llama: attention_bias; qwen2: always true
  oBias: boolean; // llama: attention_bias; qwen2: false
  mlpBias: boolean; // mlp_bias
  slidingWindow: number | null; // mistral: sliding_window (keys older than this are masked)
  attentionDropout: number; // attention_dropout
  initializerRange: number;
  tieWordEmbeddings: boolean;
  bosTokenId: number | null;
  eosTokenId: number | number[] | null;
  hf: Record<string, unknown>;
}

export type ModelConfig = Gpt2Config | LlamaConfig;

export const SUPPORTED_MODEL_TYPES = ["gpt2", "llama", "qwen2", "mistral"] as const;

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
  if (modelType === "gpt2") return parseGpt2(f);
  if (modelType === "llama" || modelType === "qwen2" || modelType === "mistral")
    return parseLlama(f, modelType);
  throw new ConfigError(
    `config: ${file}: model_type ${JSON.stringify(modelType)} is not supported (supported: ${SUPPORTED_MODEL_TYPES.join(", ")})`,
  );
}

// Defaults: transformers/models/gpt2/configuration_gpt2.py (GPT2Config.__init__).
function parseGpt2(f: Fields): Gpt2Config {
  // The shape: required, and read first so a missing one is the error reported.
  const nEmbd = f.int("n_embd", REQUIRED);
  const nLayer = f.int("n_layer", REQUIRED);
  const nHead = f.int("n_head", REQUIRED);
  const vocabSize = f.int("vocab_size", REQUIRED);
  const contextLength = f.int("n_positions", REQUIRED);
  if (nEmbd % nHead !== 0) f.fail("n_head", `must divide n_embd (${nEmbd}), got ${nHead}`);
  const activation = f.str("activation_function", "gelu_new");
  // gelu_new, gelu_pytorch_tanh and gelu_fast are all the tanh approximation of GELU.
  const tanhGelu = ["gelu_new", "gelu_pytorch_tanh", "gelu_fast"];
  if (!tanhGelu.includes(activation) && activation !== "gelu") {
    f.fail("activation_function", `must be gelu_new or gelu, got ${JSON.stringify(activation)}`);
  }
  if (f.bool("scale_attn_by_inverse_layer_idx", false)) {
    f.fail("scale_attn_by_inverse_layer_idx", "true is not supported");
  }
  const nInner =
    f.raw.n_inner === null || f.raw.n_inner === undefined ? 4 * nEmbd : f.int("n_inner", REQUIRED);
  return {
    arch: "gpt2",
    modelType: "gpt2",
    vocabSize,
    contextLength,
    nLayer,
    nHead,
    nEmbd,
    nInner,
    activation: activation === "gelu" ? "gelu" : "gelu_new",
    layerNormEps: f.positive("layer_norm_epsilon", 1e-5),
    initializerRange: f.positive("initializer_range", 0.02),
    embdPdrop: f.probability("embd_pdrop", 0.1),
    residPdrop: f.probability("resid_pdrop", 0.1),
    attnPdrop: f.probability("attn_pdrop", 0.1),
    scaleAttnWeights: f.bool("scale_attn_weights", true),
    tieWordEmbeddings: f.bool("tie_word_embeddings", true),
    bosTokenId: f.tokenId("bos_token_id", 50256, vocabSize),
    eosTokenId: f.tokenId("eos_token_id", 50256, vocabSize),
    hf: f.raw,
  };
}

// Defaults per model_type of the fields that are not required, from configuration_llama.py /
// configuration_qwen2.py / configuration_mistral.py.
const LLAMA_DEFAULTS = {
  llama: { ctx: 2048, kv: null, bos: 1, eos: 2 },
  qwen2: { ctx: 32768, kv: 32, bos: null, eos: null },
  mistral: { ctx: 4096 * 32, kv: 8, bos: 1, eos: 2 },
} as const;

function parseLlama(f: Fields, modelType: "llama" | "qwen2" | "mistral"): LlamaConfig {
  const d = LLAMA_DEFAULTS[modelType];
  // The shape: required, and read first so a missing one is the error reported.
  const hiddenSize = f.int("hidden_size", REQUIRED);
  const nLayer = f.int("num_hidden_layers", REQUIRED);
  const nHead = f.int("num_attention_heads", REQUIRED);
  const vocabSize = f.int("vocab_size", REQUIRED);
  const intermediateSize = f.int("intermediate_size", REQUIRED);
  const nKvHead =
    f.raw.num_key_value_heads == null ? (d.kv ?? nHead) : f.int("num_key_value_heads", REQUIRED);
  if (nHead % nKvHead !== 0) {
    f.fail("num_key_value_heads", `must divide num_attention_heads (${nHead}), got ${nKvHead}`);
  }
  let headDim: number;
  if (f.raw.head_dim == null) {
    if (hiddenSize % nHead !== 0)
      f.fail("num_attention_heads", `must divide hidden_size (${hiddenSize}), got ${nHead}`);
    headDim = hiddenSize / nHead;
  } else {
    headDim = f.int("head_dim", REQUIRED);
  }
  if (headDim % 2 !== 0) f.fail("head_dim", `must be even for rotary embeddings, got ${headDim}`);
  const act = f.str("hidden_act", "silu");
  if (act !== "silu") f.fail("hidden_act", `only "silu" (SwiGLU) is supported, got ${JSON.stringify(act)}`);

  const { theta, scaling } = parseRope(f);
  const attentionBias = f.bool("attention_bias", false);
  let slidingWindow: number | null = null;
  if (modelType === "mistral" && f.raw.sliding_window !== null) slidingWindow = f.int("sliding_window", 4096);
  if (modelType === "qwen2" && f.bool("use_sliding_window", false)) {
    f.fail("use_sliding_window", "true is not supported (Qwen2's per-layer sliding window)");
  }
  return {
    arch: "llama",
    modelType,
    vocabSize,
    contextLength: f.int("max_position_embeddings", d.ctx),
    nLayer,
    nHead,
    nKvHead,
    hiddenSize,
    headDim,
    intermediateSize,
    rmsNormEps: f.positive("rms_norm_eps", 1e-6),
    ropeTheta: theta,
    ropeScaling: scaling,
    // Qwen2Attention hard-codes bias=True on q/k/v and bias=False on o_proj.
    qkvBias: modelType === "qwen2" ? true : attentionBias,
    oBias: modelType === "qwen2" ? false : attentionBias,
    mlpBias: modelType === "llama" ? f.bool("mlp_bias", false) : false,
    slidingWindow,
    attentionDropout: f.probability("attention_dropout", 0),
    initializerRange: f.positive("initializer_range", 0.02),
    tieWordEmbeddings: f.bool("tie_word_embeddings", false),
    bosTokenId: f.tokenId("bos_token_id", d.bos, vocabSize),
    // Llama 3 style checkpoints list several end tokens ([128001, 128008, 128009]).
    eosTokenId: Array.isArray(f.raw.eos_token_id)
      ? f.tokenIdList("eos_token_id", vocabSize)
      : f.tokenId("eos_token_id", d.eos, vocabSize),
    hf: f.raw,
  };
}

/**
 * RoPE settings come in two spellings: older configs have `rope_theta` and `rope_scaling`
 * ({ type | rope_type, factor, ... }); newer ones one `rope_parameters` object holding both.
 */
function parseRope(f: Fields): { theta: number; scaling: RopeScaling | null } {
  const params = f.raw.rope_parameters;
  const scalingField = params != null ? "rope_parameters" : "rope_scaling";
  const s = (params ?? f.raw.rope_scaling) as Record<string, unknown> | null | undefined;
  if (s != null && (typeof s !== "object" || Array.isArray(s)))
    f.fail(scalingField, "must be an object or null");
  let theta = f.positive("rope_theta", 10000);
  if (s?.rope_theta !== undefined)
    theta = f.positive("rope_theta", REQUIRED, s, `${scalingField}.rope_theta`);
  const type = s == null ? "default" : (s.rope_type ?? s.type ?? "default");
  if (type === "default") return { theta, scaling: null };
  const sub = (k: string) => `${scalingField}.${k}`;
  if (s == null) return { theta, scaling: null };
  const factor = f.positive("factor", REQUIRED, s, sub("factor"));
  if (type === "linear") return { theta, scaling: { type: "linear", factor } };
  if (type === "llama3") {
    return {
      theta,
      scaling: {
        type: "llama3",
        factor,
        lowFreqFactor: f.positive("low_freq_factor", REQUIRED, s, sub("low_freq_factor")),
        highFreqFactor: f.positive("high_freq_factor", REQUIRED, s, sub("high_freq_factor")),
        originalMaxPositionEmbeddings: f.int(
          "original_max_position_embeddings",
          REQUIRED,
          s,
          sub("original_max_position_embeddings"),
        ),
      },
    };
  }
  return f.fail(
    sub("rope_type"),
    `${JSON.stringify(type)} is not supported (supported: default, linear, llama3)`,
  );
}

/**
 * The config.json to write for a config: every field we read, under Hugging Face's names, over
 * the original JSON (so fields we ignore survive a load/save round trip).
 */
export function configToJson(config: ModelConfig): Record<string, unknown> {
  if (config.arch === "gpt2") {
    return {
      ...config.hf,
      architectures: ["GPT2LMHeadModel"],
      model_type: "gpt2",
      vocab_size: config.vocabSize,
      n_positions: config.contextLength,
      n_embd: config.nEmbd,
      n_layer: config.nLayer,
      n_head: config.nHead,
      n_inner: config.nInner === 4 * config.nEmbd ? null : config.nInner,
      activation_function: config.activation,
      layer_norm_epsilon: config.layerNormEps,
      initializer_range: config.initializerRange,
      embd_pdrop: config.embdPdrop,
      resid_pdrop: config.residPdrop,
      attn_pdrop: config.attnPdrop,
      scale_attn_weights: config.scaleAttnWeights,
      tie_word_embeddings: config.tieWordEmbeddings,
      bos_token_id: config.bosTokenId,
      eos_token_id: config.eosTokenId,
      torch_dtype: "float32",
    };
  }
  const architecture = {
    llama: "LlamaForCausalLM",
    qwen2: "Qwen2ForCausalLM",
    mistral: "MistralForCausalLM",
  };
  const { rope_parameters: _dropped, ...rest } = config.hf;
  const s = config.ropeScaling;
  return {
    ...rest,
    architectures: [architecture[config.modelType]],
    model_type: config.modelType,
    vocab_size: config.vocabSize,
    max_position_embeddings: config.contextLength,
    hidden_size: config.hiddenSize,
    intermediate_size: config.intermediateSize,
    num_hidden_layers: config.nLayer,
    num_attention_heads: config.nHead,
    num_key_value_heads: config.nKvHead,
    head_dim: config.headDim,
    hidden_act: "silu",
    rms_norm_eps: config.rmsNormEps,
    rope_theta: config.ropeTheta,
    rope_scaling:
      s === null
        ? null
        : s.type === "linear"
          ? { rope_type: "linear", factor: s.factor }
          : {
              rope_type: "llama3",
              factor: s.factor,
              low_freq_factor: s.lowFreqFactor,
              high_freq_factor: s.highFreqFactor,
              original_max_position_embeddings: s.originalMaxPositionEmbeddings,
            },
    ...(config.modelType === "llama" ? { attention_bias: config.qkvBias, mlp_bias: config.mlpBias } : {}),
    ...(config.modelType === "mistral" ? { sliding_window: config.slidingWindow } : {}),
    attention_dropout: config.attentionDropout,
    initializer_range: config.initializerRange,
    tie_word_embeddings: config.tieWordEmbeddings,
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenId,
    torch_dtype: "float32",
  };
}
