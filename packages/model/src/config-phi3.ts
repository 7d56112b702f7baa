// Phi-3's config.json (model_type "phi3": Phi-3-mini / medium, Phi-3.5-mini, Phi-4-mini) -> Phi3Config,
// and back.
//
// Llama's fields plus:
//   partial_rotary_factor             the fraction of each head's dims that rotate (Phi-4-mini 0.75)
//   original_max_position_embeddings  the pretraining context, the threshold of LongRoPE
//   rope_scaling {"type": "longrope", "short_factor": [...], "long_factor": [...]}
//                                     the 128k models' rotation (4.x also reads "su" and "yarn" as
//                                     longrope); the only scaling Phi3Config accepts
//   sliding_window                    Phi-3-mini-4k: 2047 (null: none)
// head_dim is hidden_size / num_attention_heads (4.x has no head_dim field).
// Required: hidden_size, num_hidden_layers, num_attention_heads, vocab_size, intermediate_size.
// Other fields take Phi3Config's defaults (rms_norm_eps 1e-5, max_position_embeddings and
// original_max_position_embeddings 4096, bos 1, eos 32000, untied).
// Not here: the LongRoPE rule itself (longrope.ts), biases (Phi-3 has none; attention_bias is ignored
// as transformers ignores it).
// Reference: transformers models/phi3/configuration_phi3.py (Phi3Config, convert_rope_params_to_dict,
// validate_rope), modeling_rope_utils.py (_compute_longrope_parameters).

import { type Fields, REQUIRED } from "./config-fields.ts";
import {
  checkRotaryDim,
  checkSilu,
  decoderFieldsToJson,
  decoderShape,
  evenHeads,
  kvHeads,
} from "./config-llama.ts";
import {
  type LongRopeScaling,
  longRopeScaling,
  ropeFields,
  ropeScalingToJson,
  ropeTheta,
} from "./config-rope.ts";

export interface Phi3Config {
  arch: "phi3";
  modelType: "phi3";
  vocabSize: number; // vocab_size
  contextLength: number; // max_position_embeddings, default 4096
  /** original_max_position_embeddings: longrope uses its long factors past this many tokens. */
  originalContextLength: number;
  nLayer: number; // num_hidden_layers
  nHead: number; // num_attention_heads
  nKvHead: number; // num_key_value_heads (null: num_attention_heads)
  hiddenSize: number; // hidden_size
  headDim: number; // hidden_size / num_attention_heads
  intermediateSize: number; // intermediate_size: width of the SwiGLU MLP (gate_up_proj is twice it)
  rmsNormEps: number; // rms_norm_eps, default 1e-5
  /** partial_rotary_factor: the first rotaryDim = floor(headDim · factor) dims of each head rotate. */
  partialRotaryFactor: number;
  rotaryDim: number;
  ropeTheta: number; // rope_theta, default 10000
  ropeScaling: LongRopeScaling | null; // rope_scaling: null or longrope
  slidingWindow: number | null; // sliding_window, default null
  attentionDropout: number; // attention_dropout: on the attention probabilities
  residPdrop: number; // resid_pdrop: on each branch's output before the residual add
  initializerRange: number;
  tieWordEmbeddings: boolean; // default false (Phi-4-mini: true)
  bosTokenId: number | null; // default 1
  eosTokenId: number | number[] | null; // default 32000
  hf: Record<string, unknown>;
}

export function parsePhi3(f: Fields): Phi3Config {
  const { hiddenSize, nLayer, nHead, vocabSize, intermediateSize } = decoderShape(f);
  const nKvHead = kvHeads(f, nHead, nHead);
  const headDim = f.raw.head_dim == null ? evenHeads(f, hiddenSize, nHead) : f.int("head_dim", REQUIRED);
  checkSilu(f);
  const { s, field } = ropeFields(f);
  const partialRotaryFactor =
    field === "rope_parameters" && s?.partial_rotary_factor != null
      ? f.positive("partial_rotary_factor", REQUIRED, s, "rope_parameters.partial_rotary_factor")
      : f.positive("partial_rotary_factor", 1);
  if (partialRotaryFactor > 1)
    f.fail("partial_rotary_factor", `must be in (0, 1], got ${partialRotaryFactor}`);
  const rotaryDim = Math.floor(headDim * partialRotaryFactor); // int(head_dim * partial_rotary_factor)
  checkRotaryDim(f, "partial_rotary_factor", rotaryDim);
  const contextLength = f.int("max_position_embeddings", 4096);
  const originalContextLength = f.int("original_max_position_embeddings", 4096);
  const scaling = longRopeScaling(f, s, field, {
    rotaryDim,
    contextLength,
    originalMaxPositionEmbeddings: originalContextLength,
  });
  return {
    arch: "phi3",
    modelType: "phi3",
    vocabSize,
    contextLength,
    originalContextLength,
    nLayer,
    nHead,
    nKvHead,
    hiddenSize,
    headDim,
    intermediateSize,
    rmsNormEps: f.positive("rms_norm_eps", 1e-5),
    partialRotaryFactor,
    rotaryDim,
    ropeTheta: ropeTheta(f, 10000, s, field),
    ropeScaling: scaling,
    slidingWindow: f.raw.sliding_window == null ? null : f.int("sliding_window", REQUIRED),
    attentionDropout: f.probability("attention_dropout", 0),
    residPdrop: f.probability("resid_pdrop", 0),
    initializerRange: f.positive("initializer_range", 0.02),
    tieWordEmbeddings: f.bool("tie_word_embeddings", false),
    bosTokenId: f.tokenId("bos_token_id", 1, vocabSize),
    eosTokenId: f.tokenIdOrList("eos_token_id", 32000, vocabSize),
    hf: f.raw,
  };
}

export function phi3ConfigToJson(c: Phi3Config): Record<string, unknown> {
  return {
    ...decoderFieldsToJson(c),
    architectures: ["Phi3ForCausalLM"],
    model_type: "phi3",
    original_max_position_embeddings: c.originalContextLength,
    num_key_value_heads: c.nKvHead,
    ...(c.headDim === c.hiddenSize / c.nHead ? {} : { head_dim: c.headDim }),
    hidden_act: "silu",
    rms_norm_eps: c.rmsNormEps,
    partial_rotary_factor: c.partialRotaryFactor,
    rope_theta: c.ropeTheta,
    rope_scaling: ropeScalingToJson(c.ropeScaling, c.contextLength),
    sliding_window: c.slidingWindow,
    attention_dropout: c.attentionDropout,
    resid_pdrop: c.residPdrop,
  };
}
