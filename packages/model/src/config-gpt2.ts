// GPT-2's config.json (model_type "gpt2") -> Gpt2Config, and back.
//
// Required: n_embd, n_layer, n_head, vocab_size, n_positions. Every other field takes the default
// of transformers' GPT2Config.__init__ (configuration_gpt2.py) when absent.
// Not here: scale_attn_by_inverse_layer_idx (refused), reorder_and_upcast_attn (numerically the
// same in float32), the other families (config-*.ts), the dispatch on model_type (config.ts).
// Reference: transformers models/gpt2/configuration_gpt2.py (GPT2Config.__init__).

import { type Fields, REQUIRED } from "./config-fields.ts";

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

/** Activation names that all mean the tanh approximation of GELU. */
export const TANH_GELU = ["gelu_new", "gelu_pytorch_tanh", "gelu_fast"];

export function parseGpt2(f: Fields): Gpt2Config {
  // The shape: required, and read first so a missing one is the error reported.
  const nEmbd = f.int("n_embd", REQUIRED);
  const nLayer = f.int("n_layer", REQUIRED);
  const nHead = f.int("n_head", REQUIRED);
  const vocabSize = f.int("vocab_size", REQUIRED);
  const contextLength = f.int("n_positions", REQUIRED);
  if (nEmbd % nHead !== 0) f.fail("n_head", `must divide n_embd (${nEmbd}), got ${nHead}`);
  const activation = f.str("activation_function", "gelu_new");
  if (!TANH_GELU.includes(activation) && activation !== "gelu") {
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

export function gpt2ConfigToJson(config: Gpt2Config): Record<string, unknown> {
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
