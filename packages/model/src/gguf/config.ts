// A model's config between GGUF metadata (llama.cpp's keys) and Hugging Face's config.json.
//
//   GGUF key ({a} = general.architecture)      config.json (Llama family)   config.json (GPT-2)
//   {a}.context_length                          max_position_embeddings      n_positions
//   {a}.embedding_length                        hidden_size                  n_embd
//   {a}.block_count                             num_hidden_layers            n_layer
//   {a}.feed_forward_length                     intermediate_size            n_inner
//   {a}.attention.head_count                    num_attention_heads          n_head
//   {a}.attention.head_count_kv                 num_key_value_heads          —
//   {a}.attention.key_length                    head_dim                     —
//   {a}.rope.dimension_count                    head_dim (all of it rotates) —
//   {a}.rope.freq_base                          rope_theta                   —
//   {a}.rope.scaling.type / .factor             rope_scaling linear          —
//   {a}.attention.layer_norm_rms_epsilon            rms_norm_eps                 —
//   {a}.attention.layer_norm_epsilon            —                            layer_norm_epsilon
//   {a}.attention.sliding_window                sliding_window (mistral)     —
//   {a}.vocab_size                              vocab_size                   vocab_size
//   tokenizer.ggml.bos_token_id / eos_token_id  bos_token_id / eos_token_id
//   no output.weight tensor                     tie_word_embeddings: true
//
// Reading builds a config.json object and hands it to parseConfig, so a GGUF file's config gets
// the same checks and one-line errors as a config.json (naming the file). What llama.cpp's format
// cannot say is either implied by the tensors (biases: Llama's attention_bias / mlp_bias, Qwen2's
// q/k/v biases) or refused: a rotary dimension smaller than the head, YaRN or other rope scaling,
// Llama 3's rope_freqs table without a config.json beside the file.
// Not here: tensors (names.ts, read.ts, write.ts), the tokenizer's keys (@llmts/tokenizer).
// Reference: ggml docs/gguf.md "LLM" keys; llama.cpp convert_hf_to_gguf.py set_gguf_parameters,
// llama-model.cpp load_hparams.

import { type GgufMetadata, type GgufTensorInfo, type GgufValue, getNumber, getString } from "@llmts/gguf";
import type { ModelConfig } from "../config.ts";
import { ConfigError } from "../errors.ts";
import { GGUF_ARCHES, type GgufArch } from "./names.ts";

/**
 * The GGUF architecture a config is written as: GPT-2 "gpt2", Qwen2 "qwen2", Llama / Mistral
 * "llama". The newer families (Qwen3, Gemma 3, GPT-NeoX, Phi-3) have GGUF layouts of their own in
 * llama.cpp that this writer does not produce yet: refused in one line.
 */
export function ggufArchOf(config: ModelConfig): GgufArch {
  if (config.arch === "gpt2") return "gpt2";
  if (config.arch !== "llama") {
    throw new ConfigError(
      `gguf: model_type "${config.modelType}" cannot be written as GGUF yet (supported: gpt2, llama, qwen2, mistral)`,
    );
  }
  return config.modelType === "qwen2" ? "qwen2" : "llama";
}

/** general.architecture, checked to be one we read. */
export function ggufArchOfFile(md: GgufMetadata, file: string): GgufArch {
  const arch = getString(md, "general.architecture", file);
  if (!(GGUF_ARCHES as readonly string[]).includes(arch)) {
    throw new ConfigError(
      `gguf model: general.architecture "${arch}" is not supported (supported: ${GGUF_ARCHES.join(", ")}) (${file})`,
    );
  }
  return arch as GgufArch;
}

const u32 = (value: number): GgufValue => ({ type: "uint32", value });
const f32 = (value: number): GgufValue => ({ type: "float32", value });

/** The hyperparameter keys llama.cpp reads for `config` (general.architecture first). */
export function ggufConfigMetadata(config: ModelConfig): GgufMetadata {
  const a = ggufArchOf(config);
  const md: GgufMetadata = new Map([["general.architecture", { type: "string", value: a }]]);
  const set = (key: string, value: GgufValue) => md.set(`${a}.${key}`, value);
  set("vocab_size", u32(config.vocabSize));
  set("context_length", u32(config.contextLength));
  if (config.arch === "gpt2") {
    set("embedding_length", u32(config.nEmbd));
    set("block_count", u32(config.nLayer));
    set("feed_forward_length", u32(config.nInner));
    set("attention.head_count", u32(config.nHead));
    set("attention.layer_norm_epsilon", f32(config.layerNormEps));
    return md;
  }
  if (config.arch !== "llama") return md; // unreachable: ggufArchOf refused the other families
  set("embedding_length", u32(config.hiddenSize));
  set("block_count", u32(config.nLayer));
  set("feed_forward_length", u32(config.intermediateSize));
  set("attention.head_count", u32(config.nHead));
  set("attention.head_count_kv", u32(config.nKvHead));
  if (config.headDim !== config.hiddenSize / config.nHead) {
    set("attention.key_length", u32(config.headDim));
    set("attention.value_length", u32(config.headDim));
  }
  set("rope.dimension_count", u32(config.headDim));
  set("rope.freq_base", f32(config.ropeTheta));
  if (config.ropeScaling?.type === "linear") {
    set("rope.scaling.type", { type: "string", value: "linear" });
    set("rope.scaling.factor", f32(config.ropeScaling.factor));
  }
  set("attention.layer_norm_rms_epsilon", f32(config.rmsNormEps));
  if (config.slidingWindow !== null) set("attention.sliding_window", u32(config.slidingWindow));
  return md;
}

/** The tensors that decide what metadata cannot say. */
export interface TensorNames {
  has(name: string): boolean;
  tensors: readonly GgufTensorInfo[];
}

/** A config.json object for the model a GGUF file holds (parseConfig checks it). */
export function configJsonFromGguf(md: GgufMetadata, t: TensorNames, file: string): Record<string, unknown> {
  const a = ggufArchOfFile(md, file);
  const num = (key: string) => getNumber(md, `${a}.${key}`, file);
  const opt = (key: string) => (md.has(`${a}.${key}`) ? num(key) : undefined);
  const tokenId = (key: string) => (md.has(key) ? getNumber(md, key, file) : undefined);
  const embd = t.tensors.find((x) => x.name === "token_embd.weight");
  const vocab = opt("vocab_size") ?? embd?.shape[0];
  if (vocab === undefined)
    throw new ConfigError(`gguf model: no ${a}.vocab_size and no token_embd.weight (${file})`);
  const common = {
    vocab_size: vocab,
    tie_word_embeddings: !t.has("output.weight"),
    bos_token_id: tokenId("tokenizer.ggml.bos_token_id") ?? null,
    eos_token_id: tokenId("tokenizer.ggml.eos_token_id") ?? null,
  };
  if (a === "gpt2") {
    return {
      model_type: "gpt2",
      n_positions: num("context_length"),
      n_embd: num("embedding_length"),
      n_layer: num("block_count"),
      n_head: num("attention.head_count"),
      n_inner: num("feed_forward_length"),
      layer_norm_epsilon: num("attention.layer_norm_epsilon"),
      activation_function: "gelu_new", // ggml_gelu: the tanh approximation
      ...common,
    };
  }
  const heads = num("attention.head_count");
  const hidden = num("embedding_length");
  const headDim = opt("attention.key_length") ?? hidden / heads;
  const rotary = opt("rope.dimension_count") ?? headDim;
  if (rotary !== headDim || (opt("attention.value_length") ?? headDim) !== headDim) {
    throw new ConfigError(
      `gguf model: ${a}.rope.dimension_count ${rotary} (or value_length) differs from the head size ${headDim}: partial rotary embeddings are not supported (${file})`,
    );
  }
  if (t.has("rope_freqs.weight")) {
    throw new ConfigError(
      `gguf model: rope_freqs.weight (Llama 3 rope scaling) needs the config.json it was made from: put the file in a directory next to it (${file})`,
    );
  }
  const qBias = t.has("blk.0.attn_q.bias");
  const oBias = t.has("blk.0.attn_output.bias");
  const window = opt("attention.sliding_window");
  const modelType = a === "qwen2" || (qBias && !oBias) ? "qwen2" : window !== undefined ? "mistral" : "llama";
  return {
    model_type: modelType,
    max_position_embeddings: num("context_length"),
    hidden_size: hidden,
    num_hidden_layers: num("block_count"),
    num_attention_heads: heads,
    num_key_value_heads: opt("attention.head_count_kv") ?? heads,
    head_dim: headDim,
    intermediate_size: num("feed_forward_length"),
    rms_norm_eps: num("attention.layer_norm_rms_epsilon"),
    rope_theta: opt("rope.freq_base") ?? 10000,
    rope_scaling: ropeScaling(md, a, file),
    ...(modelType === "llama" ? { attention_bias: qBias, mlp_bias: t.has("blk.0.ffn_up.bias") } : {}),
    ...(modelType === "mistral" ? { sliding_window: window } : {}),
    ...common,
  };
}

function ropeScaling(md: GgufMetadata, a: GgufArch, file: string): Record<string, unknown> | null {
  const key = `${a}.rope.scaling.type`;
  const type = md.has(key) ? getString(md, key, file) : "none";
  if (type === "none") return null;
  if (type === "linear")
    return { rope_type: "linear", factor: getNumber(md, `${a}.rope.scaling.factor`, file) };
  throw new ConfigError(`gguf model: ${key} "${type}" is not supported (supported: none, linear) (${file})`);
}
