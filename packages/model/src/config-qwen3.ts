// Qwen3's config.json (model_type "qwen3") -> Qwen3Config, and back.
//
// Llama's fields with Qwen3Config's defaults, of which one surprises: head_dim is a field of its
// own, default 128, not hidden_size / num_attention_heads (Qwen3-0.6B: 128 while 1024 / 16 = 64).
// attention_bias (default false) puts a bias on q, k, v and o alike.
// Required: hidden_size, num_hidden_layers, num_attention_heads, vocab_size, intermediate_size.
// Not here: use_sliding_window true (false in every released Qwen3; refused), rope scaling other
// than linear / llama3 (refused).
// Reference: transformers models/qwen3/configuration_qwen3.py (Qwen3Config and __post_init__).

import type { Fields } from "./config-fields.ts";
import { checkRotaryDim, checkSilu, decoderFieldsToJson, decoderShape, kvHeads } from "./config-llama.ts";
import { type FrequencyScaling, parseRope, ropeScalingToJson } from "./config-rope.ts";

export interface Qwen3Config {
  arch: "qwen3";
  modelType: "qwen3";
  vocabSize: number; // vocab_size
  contextLength: number; // max_position_embeddings, default 32768
  nLayer: number; // num_hidden_layers
  nHead: number; // num_attention_heads
  nKvHead: number; // num_key_value_heads, default 32 (null: num_attention_heads)
  hiddenSize: number; // hidden_size
  headDim: number; // head_dim, default 128
  intermediateSize: number; // intermediate_size
  rmsNormEps: number; // rms_norm_eps, default 1e-6 (also q_norm / k_norm)
  ropeTheta: number; // rope_theta, default 10000
  ropeScaling: FrequencyScaling | null; // rope_scaling: linear or llama3
  attentionBias: boolean; // attention_bias: biases on q_proj, k_proj, v_proj and o_proj
  attentionDropout: number;
  initializerRange: number;
  tieWordEmbeddings: boolean; // default false (Qwen3-0.6B .. 4B set true)
  bosTokenId: number | null;
  eosTokenId: number | number[] | null;
  hf: Record<string, unknown>;
}

export function parseQwen3(f: Fields): Qwen3Config {
  const { hiddenSize, nLayer, nHead, vocabSize, intermediateSize } = decoderShape(f);
  const nKvHead = kvHeads(f, nHead, 32);
  const headDim = f.int("head_dim", 128);
  checkRotaryDim(f, "head_dim", headDim);
  checkSilu(f);
  if (f.bool("use_sliding_window", false)) {
    f.fail("use_sliding_window", "true is not supported (no released Qwen3 uses a sliding window)");
  }
  const { theta, scaling } = parseRope(f, 10000);
  return {
    arch: "qwen3",
    modelType: "qwen3",
    vocabSize,
    contextLength: f.int("max_position_embeddings", 32768),
    nLayer,
    nHead,
    nKvHead,
    hiddenSize,
    headDim,
    intermediateSize,
    rmsNormEps: f.positive("rms_norm_eps", 1e-6),
    ropeTheta: theta,
    ropeScaling: scaling,
    attentionBias: f.bool("attention_bias", false),
    attentionDropout: f.probability("attention_dropout", 0),
    initializerRange: f.positive("initializer_range", 0.02),
    tieWordEmbeddings: f.bool("tie_word_embeddings", false),
    bosTokenId: f.tokenId("bos_token_id", null, vocabSize),
    eosTokenId: f.tokenIdOrList("eos_token_id", null, vocabSize),
    hf: f.raw,
  };
}

export function qwen3ConfigToJson(c: Qwen3Config): Record<string, unknown> {
  return {
    ...decoderFieldsToJson(c),
    architectures: ["Qwen3ForCausalLM"],
    model_type: "qwen3",
    num_key_value_heads: c.nKvHead,
    head_dim: c.headDim,
    hidden_act: "silu",
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    rope_scaling: ropeScalingToJson(c.ropeScaling, c.contextLength),
    attention_bias: c.attentionBias,
    attention_dropout: c.attentionDropout,
  };
}
