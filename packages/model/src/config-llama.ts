// The Llama family's config.json (model_type "llama", "qwen2", "mistral") -> LlamaConfig, and
// back; plus the field readers every later family shares, because they all kept Llama's names
// (hidden_size, num_hidden_layers, num_attention_heads, num_key_value_heads, head_dim, ...).
//
// Required: hidden_size, num_hidden_layers, num_attention_heads, vocab_size, intermediate_size.
// Other fields take the defaults of configuration_llama.py / configuration_qwen2.py /
// configuration_mistral.py when absent (they differ per model_type: see LLAMA_DEFAULTS).
// Not here: Qwen2's per-layer sliding window (refused), rope scaling other than linear / llama3
// (config-rope.ts refuses it), the dispatch on model_type (config.ts).
// Reference: transformers models/llama/configuration_llama.py, models/qwen2/configuration_qwen2.py,
// models/mistral/configuration_mistral.py.

import { type Fields, REQUIRED } from "./config-fields.ts";
import { type FrequencyScaling, parseRope, ropeScalingToJson } from "./config-rope.ts";

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
  ropeScaling: FrequencyScaling | null; // rope_scaling (or rope_parameters): linear or llama3
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

/** The five shape fields, required, read first so that a missing one is the error reported. */
export function decoderShape(f: Fields) {
  return {
    hiddenSize: f.int("hidden_size", REQUIRED),
    nLayer: f.int("num_hidden_layers", REQUIRED),
    nHead: f.int("num_attention_heads", REQUIRED),
    vocabSize: f.int("vocab_size", REQUIRED),
    intermediateSize: f.int("intermediate_size", REQUIRED),
  };
}

/**
 * num_key_value_heads, which must divide the query heads: absent, the config class's default
 * (`absent`); null, one K/V head per query head (every config class maps None to
 * num_attention_heads).
 */
export function kvHeads(f: Fields, nHead: number, absent: number): number {
  const v = f.raw.num_key_value_heads;
  const nKvHead = v === undefined ? absent : v === null ? nHead : f.int("num_key_value_heads", REQUIRED);
  if (nHead % nKvHead !== 0) {
    f.fail("num_key_value_heads", `must divide num_attention_heads (${nHead}), got ${nKvHead}`);
  }
  return nKvHead;
}

/** hidden_size / num_attention_heads, which must be a whole number. */
export function evenHeads(f: Fields, hiddenSize: number, nHead: number): number {
  if (hiddenSize % nHead !== 0)
    f.fail("num_attention_heads", `must divide hidden_size (${hiddenSize}), got ${nHead}`);
  return hiddenSize / nHead;
}

/** A rotation needs pairs: the rotated dims must be even (and at least one pair). */
export function checkRotaryDim(f: Fields, field: string, rotaryDim: number): void {
  if (rotaryDim < 2 || rotaryDim % 2 !== 0)
    f.fail(field, `gives ${rotaryDim} rotated dims; rotary embeddings need an even number >= 2`);
}

/** hidden_act of a SwiGLU family: only silu. */
export function checkSilu(f: Fields): void {
  const act = f.str("hidden_act", "silu");
  if (act !== "silu") f.fail("hidden_act", `only "silu" (SwiGLU) is supported, got ${JSON.stringify(act)}`);
}

// Defaults per model_type of the fields that are not required.
const LLAMA_DEFAULTS = {
  llama: { ctx: 2048, kv: null, bos: 1, eos: 2 },
  qwen2: { ctx: 32768, kv: 32, bos: null, eos: null },
  mistral: { ctx: 4096 * 32, kv: 8, bos: 1, eos: 2 },
} as const;

export function parseLlama(f: Fields, modelType: "llama" | "qwen2" | "mistral"): LlamaConfig {
  const d = LLAMA_DEFAULTS[modelType];
  const { hiddenSize, nLayer, nHead, vocabSize, intermediateSize } = decoderShape(f);
  const nKvHead = kvHeads(f, nHead, d.kv ?? nHead);
  const headDim = f.raw.head_dim == null ? evenHeads(f, hiddenSize, nHead) : f.int("head_dim", REQUIRED);
  checkRotaryDim(f, "head_dim", headDim);
  checkSilu(f);
  const { theta, scaling } = parseRope(f, 10000);
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
    eosTokenId: f.tokenIdOrList("eos_token_id", d.eos, vocabSize),
    hf: f.raw,
  };
}

/** The config.json fields the Llama-style families share, under HF's names. */
export function decoderFieldsToJson(c: {
  vocabSize: number;
  contextLength: number;
  hiddenSize: number;
  intermediateSize: number;
  nLayer: number;
  nHead: number;
  initializerRange: number;
  tieWordEmbeddings: boolean;
  bosTokenId: number | null;
  eosTokenId: number | number[] | null;
  hf: Record<string, unknown>;
}): Record<string, unknown> {
  // A 5.x rope_parameters object is written back as 4.x's rope_theta / rope_scaling.
  const { rope_parameters: _dropped, ...rest } = c.hf;
  return {
    ...rest,
    vocab_size: c.vocabSize,
    max_position_embeddings: c.contextLength,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.nLayer,
    num_attention_heads: c.nHead,
    initializer_range: c.initializerRange,
    tie_word_embeddings: c.tieWordEmbeddings,
    bos_token_id: c.bosTokenId,
    eos_token_id: c.eosTokenId,
    torch_dtype: "float32",
  };
}

export function llamaConfigToJson(config: LlamaConfig): Record<string, unknown> {
  const architecture = {
    llama: "LlamaForCausalLM",
    qwen2: "Qwen2ForCausalLM",
    mistral: "MistralForCausalLM",
  };
  return {
    ...decoderFieldsToJson(config),
    architectures: [architecture[config.modelType]],
    model_type: config.modelType,
    num_key_value_heads: config.nKvHead,
    head_dim: config.headDim,
    hidden_act: "silu",
    rms_norm_eps: config.rmsNormEps,
    rope_theta: config.ropeTheta,
    rope_scaling: ropeScalingToJson(config.ropeScaling, config.contextLength),
    ...(config.modelType === "llama" ? { attention_bias: config.qkvBias, mlp_bias: config.mlpBias } : {}),
    ...(config.modelType === "mistral" ? { sliding_window: config.slidingWindow } : {}),
    attention_dropout: config.attentionDropout,
  };
}
