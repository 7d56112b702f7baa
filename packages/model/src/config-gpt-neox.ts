// GPT-NeoX's config.json (model_type "gpt_neox": Pythia 70M .. 12B, GPT-NeoX-20B) -> GptNeoXConfig,
// and back.
//
// Its own names for the rotation: rotary_pct (the fraction of each head's dims that rotate,
// default 0.25) and rotary_emb_base (the theta, default 10000). transformers >= 4.45 also writes
// copies named partial_rotary_factor and rope_theta, but reads rotary_pct / rotary_emb_base and
// overwrites the copies with them, so those win when both appear; 5.x keeps both in one
// rope_parameters object, which wins over everything.
// Required: hidden_size, num_hidden_layers, num_attention_heads, vocab_size, intermediate_size.
// Other fields take GPTNeoXConfig's defaults (use_parallel_residual true, attention_bias true,
// layer_norm_eps 1e-5, hidden_act "gelu" = exact erf GELU, untied embed_out).
// Not here: rope scaling other than linear / llama3 (refused; null in every Pythia).
// Reference: transformers models/gpt_neox/configuration_gpt_neox.py (GPTNeoXConfig,
// convert_rope_params_to_dict) and its 4.45 __init__ (rotary_pct, rotary_emb_base).

import { type Fields, REQUIRED } from "./config-fields.ts";
import { TANH_GELU } from "./config-gpt2.ts";
import { checkRotaryDim, decoderFieldsToJson, decoderShape, evenHeads } from "./config-llama.ts";
import { type FrequencyScaling, frequencyScaling, ropeFields, ropeScalingToJson } from "./config-rope.ts";

export interface GptNeoXConfig {
  arch: "gpt_neox";
  modelType: "gpt_neox";
  vocabSize: number; // vocab_size
  contextLength: number; // max_position_embeddings, default 2048
  nLayer: number; // num_hidden_layers
  nHead: number; // num_attention_heads
  hiddenSize: number; // hidden_size
  headDim: number; // hidden_size / num_attention_heads (no head_dim field)
  intermediateSize: number; // intermediate_size: the MLP's width
  activation: "gelu" | "gelu_tanh"; // hidden_act, default "gelu" (erf)
  layerNormEps: number; // layer_norm_eps, default 1e-5
  /** rotary_pct: the first rotaryDim = floor(headDim · rotary_pct) dims of each head rotate. */
  rotaryPct: number;
  rotaryDim: number;
  ropeTheta: number; // rotary_emb_base, default 10000
  ropeScaling: FrequencyScaling | null; // rope_scaling: linear or llama3
  /** use_parallel_residual: x + attn(ln1(x)) + mlp(ln2(x)) (true, default) or sequential. */
  parallelResidual: boolean;
  attentionBias: boolean; // attention_bias: biases on query_key_value and dense (default true)
  attentionDropout: number; // attention_dropout: on the attention probabilities
  hiddenDropout: number; // hidden_dropout: on the embeddings and on each branch's output
  initializerRange: number;
  tieWordEmbeddings: boolean; // default false: the head is embed_out
  bosTokenId: number | null; // default 0
  eosTokenId: number | number[] | null; // default 2
  hf: Record<string, unknown>;
}

export function parseGptNeoX(f: Fields): GptNeoXConfig {
  const { hiddenSize, nLayer, nHead, vocabSize, intermediateSize } = decoderShape(f);
  const headDim = evenHeads(f, hiddenSize, nHead);
  const act = f.str("hidden_act", "gelu");
  if (!TANH_GELU.includes(act) && act !== "gelu") {
    f.fail("hidden_act", `must be gelu or gelu_new, got ${JSON.stringify(act)}`);
  }
  const { s, field } = ropeFields(f);
  const params = field === "rope_parameters" ? s : null;
  // The first name present wins: rope_parameters' own, then GPT-NeoX's, then the 4.45 copies.
  const first = (keys: [string, Record<string, unknown>, string][], fallback: number) => {
    for (const [key, from, shown] of keys)
      if (from[key] != null) return f.positive(key, REQUIRED, from, shown);
    return fallback;
  };
  const inParams = (key: string): [string, Record<string, unknown>, string] => [
    key,
    params ?? {},
    `rope_parameters.${key}`,
  ];
  const rotaryPct = first(
    [
      inParams("partial_rotary_factor"),
      ["rotary_pct", f.raw, "rotary_pct"],
      ["partial_rotary_factor", f.raw, "partial_rotary_factor"],
    ],
    0.25,
  );
  if (rotaryPct > 1) f.fail("rotary_pct", `must be in (0, 1], got ${rotaryPct}`);
  const rotaryDim = Math.floor(headDim * rotaryPct); // int(head_size * rotary_pct)
  checkRotaryDim(f, "rotary_pct", rotaryDim);
  return {
    arch: "gpt_neox",
    modelType: "gpt_neox",
    vocabSize,
    contextLength: f.int("max_position_embeddings", 2048),
    nLayer,
    nHead,
    hiddenSize,
    headDim,
    intermediateSize,
    activation: act === "gelu" ? "gelu" : "gelu_tanh",
    layerNormEps: f.positive("layer_norm_eps", 1e-5),
    rotaryPct,
    rotaryDim,
    ropeTheta: first(
      [
        inParams("rope_theta"),
        ["rotary_emb_base", f.raw, "rotary_emb_base"],
        ["rope_theta", f.raw, "rope_theta"],
      ],
      10000,
    ),
    ropeScaling: frequencyScaling(f, s, field),
    parallelResidual: f.bool("use_parallel_residual", true),
    attentionBias: f.bool("attention_bias", true),
    attentionDropout: f.probability("attention_dropout", 0),
    hiddenDropout: f.probability("hidden_dropout", 0),
    initializerRange: f.positive("initializer_range", 0.02),
    tieWordEmbeddings: f.bool("tie_word_embeddings", false),
    bosTokenId: f.tokenId("bos_token_id", 0, vocabSize),
    eosTokenId: f.tokenIdOrList("eos_token_id", 2, vocabSize),
    hf: f.raw,
  };
}

export function gptNeoXConfigToJson(c: GptNeoXConfig): Record<string, unknown> {
  return {
    ...decoderFieldsToJson(c),
    architectures: ["GPTNeoXForCausalLM"],
    model_type: "gpt_neox",
    hidden_act: c.activation === "gelu" ? "gelu" : "gelu_new",
    layer_norm_eps: c.layerNormEps,
    rotary_pct: c.rotaryPct,
    rotary_emb_base: c.ropeTheta,
    // the 4.45 copies, kept equal so that no reader sees two values
    partial_rotary_factor: c.rotaryPct,
    rope_theta: c.ropeTheta,
    rope_scaling: ropeScalingToJson(c.ropeScaling, c.contextLength),
    use_parallel_residual: c.parallelResidual,
    attention_bias: c.attentionBias,
    attention_dropout: c.attentionDropout,
    hidden_dropout: c.hiddenDropout,
  };
}
