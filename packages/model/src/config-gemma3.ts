// Gemma 3's text config.json (model_type "gemma3_text": gemma-3-270m, gemma-3-1b) -> Gemma3Config,
// and back.
//
// Which layers slide. Layer i is "sliding_attention" (a local window of sliding_window keys) or
// "full_attention" (causal over everything). Configs say so in one of two ways:
//   layer_types: ["sliding_attention", ..., "full_attention", ...]   transformers >= 4.53, authoritative
//   sliding_window_pattern: 6                                        4.50: layer i slides iff (i + 1) % 6 != 0
// (default pattern 6: layers 5, 11, 17, ... are global; layer 0 always slides.)
// Which rotation. Sliding layers rotate with rope_local_base_freq (default 10000) and no scaling;
// full layers with rope_theta (default 1e6) and rope_scaling (Gemma 3 4B+: linear, factor 8). In
// 5.x's layout one rope_parameters object holds both, keyed by layer type.
// Required: hidden_size, num_hidden_layers, num_attention_heads, vocab_size, intermediate_size.
// Other fields take Gemma3TextConfig's defaults (head_dim 256, num_key_value_heads 4,
// query_pre_attn_scalar 256, sliding_window 4096, tied embeddings).
// Not here: use_bidirectional_attention true (EmbeddingGemma, an encoder: refused), logit
// softcapping (Gemma 2's; null in every Gemma 3 config: refused when set), the vision model.
// Reference: transformers models/gemma3/configuration_gemma3.py (Gemma3TextConfig, __post_init__,
// convert_rope_params_to_dict).

import { type Fields, REQUIRED } from "./config-fields.ts";
import { TANH_GELU } from "./config-gpt2.ts";
import { checkRotaryDim, decoderFieldsToJson, decoderShape, evenHeads, kvHeads } from "./config-llama.ts";
import { frequencyScaling, type RopeSettings, ropeObject, ropeScalingToJson } from "./config-rope.ts";

export type LayerType = "sliding_attention" | "full_attention";

export interface Gemma3Config {
  arch: "gemma3";
  modelType: "gemma3_text";
  vocabSize: number; // vocab_size
  contextLength: number; // max_position_embeddings, default 131072
  nLayer: number; // num_hidden_layers
  nHead: number; // num_attention_heads
  nKvHead: number; // num_key_value_heads, default 4
  hiddenSize: number; // hidden_size
  headDim: number; // head_dim, default 256
  intermediateSize: number; // intermediate_size: width of the GeGLU MLP
  activation: "gelu_tanh" | "gelu"; // hidden_activation, default gelu_pytorch_tanh
  rmsNormEps: number; // rms_norm_eps, default 1e-6
  /** query_pre_attn_scalar: scores are scaled by its -1/2 power (not head_dim's). Default 256. */
  queryPreAttnScalar: number;
  /** Per layer: sliding (local window) or full attention. */
  layerTypes: LayerType[];
  slidingWindow: number | null; // sliding_window, default 4096: what a sliding layer sees
  /** The rotation of each layer type: sliding (rope_local_base_freq) and full (rope_theta). */
  rope: { sliding: RopeSettings; full: RopeSettings };
  attentionBias: boolean; // attention_bias, default false
  attentionDropout: number;
  initializerRange: number;
  tieWordEmbeddings: boolean; // default true
  bosTokenId: number | null; // default 2
  eosTokenId: number | number[] | null; // default 1
  hf: Record<string, unknown>;
}

const LAYER_TYPES: readonly LayerType[] = ["sliding_attention", "full_attention"];

export function parseGemma3(f: Fields): Gemma3Config {
  const { hiddenSize, nLayer, nHead, vocabSize, intermediateSize } = decoderShape(f);
  evenHeads(f, hiddenSize, nHead); // Gemma3TextConfig.validate_architecture, though head_dim is its own
  const nKvHead = kvHeads(f, nHead, 4);
  const headDim = f.int("head_dim", 256);
  checkRotaryDim(f, "head_dim", headDim);
  const act = f.str("hidden_activation", "gelu_pytorch_tanh");
  if (!TANH_GELU.includes(act) && act !== "gelu") {
    f.fail("hidden_activation", `must be gelu_pytorch_tanh or gelu, got ${JSON.stringify(act)}`);
  }
  if (f.bool("use_bidirectional_attention", false)) {
    f.fail("use_bidirectional_attention", "true is not supported (EmbeddingGemma is an encoder)");
  }
  for (const key of ["attn_logit_softcapping", "final_logit_softcapping"]) {
    if (f.raw[key] != null) f.fail(key, "is not supported (Gemma 2's softcapping; null in every Gemma 3)");
  }
  return {
    arch: "gemma3",
    modelType: "gemma3_text",
    vocabSize,
    contextLength: f.int("max_position_embeddings", 131072),
    nLayer,
    nHead,
    nKvHead,
    hiddenSize,
    headDim,
    intermediateSize,
    activation: act === "gelu" ? "gelu" : "gelu_tanh",
    rmsNormEps: f.positive("rms_norm_eps", 1e-6),
    queryPreAttnScalar: f.positive("query_pre_attn_scalar", 256),
    layerTypes: layerTypes(f, nLayer),
    slidingWindow: f.raw.sliding_window === null ? null : f.int("sliding_window", 4096),
    rope: gemmaRope(f),
    attentionBias: f.bool("attention_bias", false),
    attentionDropout: f.probability("attention_dropout", 0),
    initializerRange: f.positive("initializer_range", 0.02),
    tieWordEmbeddings: f.bool("tie_word_embeddings", true),
    bosTokenId: f.tokenId("bos_token_id", 2, vocabSize),
    eosTokenId: f.tokenIdOrList("eos_token_id", 1, vocabSize),
    hf: f.raw,
  };
}

/** layer_types when given; else 4.50's rule from sliding_window_pattern (default 6). */
function layerTypes(f: Fields, nLayer: number): LayerType[] {
  const given = f.raw.layer_types;
  if (given != null) {
    const ok = Array.isArray(given) && given.every((t) => LAYER_TYPES.includes(t as LayerType));
    if (!ok)
      f.fail("layer_types", `must list "sliding_attention" / "full_attention", got ${JSON.stringify(given)}`);
    if ((given as unknown[]).length !== nLayer)
      f.fail("layer_types", `has ${(given as unknown[]).length} entries for ${nLayer} layers`);
    return given as LayerType[];
  }
  const pattern = f.int("sliding_window_pattern", 6);
  return Array.from({ length: nLayer }, (_, i) =>
    (i + 1) % pattern !== 0 ? "sliding_attention" : "full_attention",
  );
}

/**
 * The two rotations. 4.x: rope_local_base_freq for sliding layers, rope_theta + rope_scaling for
 * full ones. 5.x: rope_parameters { sliding_attention: {...}, full_attention: {...} }, each with
 * its rope_theta and rope type (Gemma3TextConfig.convert_rope_params_to_dict).
 */
function gemmaRope(f: Fields): { sliding: RopeSettings; full: RopeSettings } {
  const local = f.positive("rope_local_base_freq", 10000);
  const global = f.positive("rope_theta", 1e6);
  const params = ropeObject(f, f.raw.rope_parameters, "rope_parameters");
  if (params == null) {
    const scaling = frequencyScaling(f, ropeObject(f, f.raw.rope_scaling, "rope_scaling"), "rope_scaling");
    return { sliding: { theta: local, scaling: null }, full: { theta: global, scaling } };
  }
  const one = (type: LayerType, theta: number): RopeSettings => {
    const field = `rope_parameters.${type}`;
    const s = ropeObject(f, params[type], field);
    if (s?.rope_theta != null) theta = f.positive("rope_theta", REQUIRED, s, `${field}.rope_theta`);
    return { theta, scaling: frequencyScaling(f, s, field) };
  };
  return { sliding: one("sliding_attention", local), full: one("full_attention", global) };
}

export function gemma3ConfigToJson(c: Gemma3Config): Record<string, unknown> {
  return {
    ...decoderFieldsToJson(c),
    architectures: ["Gemma3ForCausalLM"],
    model_type: "gemma3_text",
    num_key_value_heads: c.nKvHead,
    head_dim: c.headDim,
    hidden_activation: c.activation === "gelu" ? "gelu" : "gelu_pytorch_tanh",
    rms_norm_eps: c.rmsNormEps,
    query_pre_attn_scalar: c.queryPreAttnScalar,
    layer_types: c.layerTypes,
    sliding_window: c.slidingWindow,
    // 4.x's layout has no scaling for the local rotation: write 5.x's when it has one.
    ...(c.rope.sliding.scaling === null
      ? {
          rope_local_base_freq: c.rope.sliding.theta,
          rope_theta: c.rope.full.theta,
          rope_scaling: ropeScalingToJson(c.rope.full.scaling, c.contextLength),
        }
      : {
          rope_parameters: {
            sliding_attention: ropeParameters(c.rope.sliding, c.contextLength),
            full_attention: ropeParameters(c.rope.full, c.contextLength),
          },
        }),
    attention_bias: c.attentionBias,
    attention_dropout: c.attentionDropout,
  };
}

function ropeParameters(r: RopeSettings, contextLength: number): Record<string, unknown> {
  return { rope_type: "default", ...ropeScalingToJson(r.scaling, contextLength), rope_theta: r.theta };
}
