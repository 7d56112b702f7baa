// Named model shapes for `llmts init --preset NAME`, as Hugging Face config.json objects, so
// real-size benchmarks and experiments need no download.
//
//   gpt2, gpt2-medium          OpenAI's GPT-2 124M / 350M (openai-community/gpt2 config.json)
//   stories260K .. stories110M  Karpathy's llama2.c TinyStories models (their ModelArgs: dim,
//                               n_layers, n_heads, n_kv_heads, vocab_size, max_seq_len; hidden_dim as
//                               llama2.c computes it: multiple_of rounding of 2/3 · 4 · dim)
//   qwen3-0.6b                  Qwen/Qwen3-0.6B
//   gemma3-270m                 google/gemma-3-270m
//   pythia-70m                  EleutherAI/pythia-70m
//   phi-3-mini-4k, phi-4-mini   microsoft/Phi-3-mini-4k-instruct, microsoft/Phi-4-mini-instruct
//                               (with its LongRoPE factors, as an mlx-community copy of its
//                               config.json lists them)
// each the fields of that checkpoint's config.json that the model reads, values as published.
//
// Only shapes: the weights are random. llama2.c shares the classifier with the token embedding,
// hence tie_word_embeddings (stories15M has 15M parameters only when tied).
// Not here: downloading the trained weights.

import type { Arch } from "./config.ts";

export interface Preset {
  arch: Arch;
  description: string;
  config: Record<string, unknown>;
}

function gpt2(nLayer: number, nHead: number, nEmbd: number): Record<string, unknown> {
  return {
    model_type: "gpt2",
    vocab_size: 50257,
    n_positions: 1024,
    n_layer: nLayer,
    n_head: nHead,
    n_embd: nEmbd,
    activation_function: "gelu_new",
    layer_norm_epsilon: 1e-5,
    initializer_range: 0.02,
    embd_pdrop: 0.1,
    resid_pdrop: 0.1,
    attn_pdrop: 0.1,
    tie_word_embeddings: true,
    bos_token_id: 50256,
    eos_token_id: 50256,
  };
}

function stories(
  dim: number,
  nLayer: number,
  nHead: number,
  nKvHead: number,
  vocab: number,
  seq: number,
  hidden: number,
) {
  return {
    model_type: "llama",
    vocab_size: vocab,
    hidden_size: dim,
    intermediate_size: hidden,
    num_hidden_layers: nLayer,
    num_attention_heads: nHead,
    num_key_value_heads: nKvHead,
    max_position_embeddings: seq,
    rms_norm_eps: 1e-5, // llama2.c's ModelArgs.norm_eps
    rope_theta: 10000,
    hidden_act: "silu",
    initializer_range: 0.02,
    tie_word_embeddings: true,
    bos_token_id: 1,
    eos_token_id: 2,
  };
}

// Phi-4-mini's 48 long factors (its short factors are all 1.0).
const PHI4_MINI_LONG_FACTOR = [
  1, 1.118320672, 1.250641126, 1.398617824, 1.564103225, 1.74916897, 1.956131817, 2.187582649, 2.446418898,
  2.735880826, 3.059592084, 3.421605075, 3.826451687, 4.279200023, 4.785517845, 5.351743533, 5.984965424,
  6.693110555, 7.485043894, 8.370679318, 9.36110372, 10.4687158, 11.70738129, 13.09260651, 14.64173252,
  16.37415215, 18.31155283, 20.47818807, 22.90118105, 25.61086418, 28.64115884, 32.03, 32.1, 32.13, 32.23,
  32.6, 32.61, 32.64, 32.66, 32.7, 32.71, 32.93, 32.97, 33.28, 33.49, 33.5, 44.16, 47.77,
];

export const PRESETS: Record<string, Preset> = {
  gpt2: {
    arch: "gpt2",
    description: "GPT-2 124M: 12 layers, 12 heads, 768 wide, vocab 50257, ctx 1024",
    config: gpt2(12, 12, 768),
  },
  "gpt2-medium": {
    arch: "gpt2",
    description: "GPT-2 350M: 24 layers, 16 heads, 1024 wide",
    config: gpt2(24, 16, 1024),
  },
  stories260K: {
    arch: "llama",
    description: "llama2.c stories260K: dim 64, 5 layers, 8 heads (4 KV), vocab 512, seq 512",
    config: stories(64, 5, 8, 4, 512, 512, 172),
  },
  stories15M: {
    arch: "llama",
    description: "llama2.c stories15M: dim 288, 6 layers, 6 heads, vocab 32000, seq 256, hidden 768",
    config: stories(288, 6, 6, 6, 32000, 256, 768),
  },
  stories42M: {
    arch: "llama",
    description: "llama2.c stories42M: dim 512, 8 layers, 8 heads, vocab 32000, seq 1024",
    config: stories(512, 8, 8, 8, 32000, 1024, 1376),
  },
  stories110M: {
    arch: "llama",
    description: "llama2.c stories110M: dim 768, 12 layers, 12 heads, vocab 32000, seq 1024",
    config: stories(768, 12, 12, 12, 32000, 1024, 2048),
  },
  "qwen3-0.6b": {
    arch: "qwen3",
    description: "Qwen3-0.6B: 28 layers, 16 heads (8 KV) of 128, 1024 wide, vocab 151936, tied, ctx 40960",
    config: {
      model_type: "qwen3",
      vocab_size: 151936,
      hidden_size: 1024,
      intermediate_size: 3072,
      num_hidden_layers: 28,
      num_attention_heads: 16,
      num_key_value_heads: 8,
      head_dim: 128,
      max_position_embeddings: 40960,
      rms_norm_eps: 1e-6,
      rope_theta: 1000000,
      hidden_act: "silu",
      attention_bias: false,
      tie_word_embeddings: true,
      bos_token_id: 151643,
      eos_token_id: 151645,
    },
  },
  "gemma3-270m": {
    arch: "gemma3",
    description:
      "Gemma 3 270M: 18 layers (every 6th global, window 512), 4 heads (1 KV) of 256, 640 wide, vocab 262144",
    config: {
      model_type: "gemma3_text",
      vocab_size: 262144,
      hidden_size: 640,
      intermediate_size: 2048,
      num_hidden_layers: 18,
      num_attention_heads: 4,
      num_key_value_heads: 1,
      head_dim: 256,
      query_pre_attn_scalar: 256,
      max_position_embeddings: 32768,
      sliding_window: 512,
      sliding_window_pattern: 6, // its layer_types (layers 5, 11, 17 global), and follows --n-layer
      rope_theta: 1000000,
      rope_local_base_freq: 10000,
      rms_norm_eps: 1e-6,
      hidden_activation: "gelu_pytorch_tanh",
      bos_token_id: 2,
      eos_token_id: 1,
      pad_token_id: 0,
    },
  },
  "pythia-70m": {
    arch: "gpt_neox",
    description:
      "Pythia 70M: 6 layers, 8 heads, 512 wide, a quarter of each head rotated, parallel residual, vocab 50304",
    config: {
      model_type: "gpt_neox",
      vocab_size: 50304,
      hidden_size: 512,
      intermediate_size: 2048,
      num_hidden_layers: 6,
      num_attention_heads: 8,
      max_position_embeddings: 2048,
      rotary_pct: 0.25,
      rotary_emb_base: 10000,
      use_parallel_residual: true,
      layer_norm_eps: 1e-5,
      hidden_act: "gelu",
      tie_word_embeddings: false,
      bos_token_id: 0,
      eos_token_id: 0,
    },
  },
  "phi-3-mini-4k": {
    arch: "phi3",
    description:
      "Phi-3-mini-4k: 32 layers, 32 heads, 3072 wide, window 2047, vocab 32064 (3.8B: 15 GB in f32)",
    config: {
      model_type: "phi3",
      vocab_size: 32064,
      hidden_size: 3072,
      intermediate_size: 8192,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 32,
      max_position_embeddings: 4096,
      original_max_position_embeddings: 4096,
      sliding_window: 2047,
      rope_theta: 10000,
      rope_scaling: null,
      rms_norm_eps: 1e-5,
      hidden_act: "silu",
      tie_word_embeddings: false,
      bos_token_id: 1,
      eos_token_id: 32000,
      pad_token_id: 32000,
    },
  },
  "phi-4-mini": {
    arch: "phi3",
    description:
      "Phi-4-mini: 32 layers, 24 heads (8 KV) of 128, 3/4 rotated, LongRoPE 4k -> 128k, vocab 200064, tied (3.8B: 15 GB in f32)",
    config: {
      model_type: "phi3",
      vocab_size: 200064,
      hidden_size: 3072,
      intermediate_size: 8192,
      num_hidden_layers: 32,
      num_attention_heads: 24,
      num_key_value_heads: 8,
      max_position_embeddings: 131072,
      original_max_position_embeddings: 4096,
      partial_rotary_factor: 0.75,
      rope_theta: 10000,
      rope_scaling: {
        type: "longrope",
        short_factor: new Array(48).fill(1),
        long_factor: PHI4_MINI_LONG_FACTOR,
      },
      sliding_window: 262144,
      rms_norm_eps: 1e-5,
      hidden_act: "silu",
      tie_word_embeddings: true,
      bos_token_id: 199999,
      eos_token_id: 200020,
      pad_token_id: 199999,
    },
  },
};
