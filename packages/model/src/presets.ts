// Named model shapes for `llmts init --preset NAME`, as Hugging Face config.json objects, so
// real-size benchmarks and experiments need no download.
//
//   gpt2, gpt2-medium          OpenAI's GPT-2 124M / 350M (openai-community/gpt2 config.json)
//   stories260K .. stories110M  Karpathy's llama2.c TinyStories models (their ModelArgs: dim,
//                               n_layers, n_heads, n_kv_heads, vocab_size, max_seq_len; hidden_dim as
//                               llama2.c computes it: multiple_of rounding of 2/3 · 4 · dim)
//
// Only shapes: the weights are random. llama2.c shares the classifier with the token embedding,
// hence tie_word_embeddings (stories15M has 15M parameters only when tied).
// Not here: downloading the trained weights.

export interface Preset {
  arch: "gpt2" | "llama";
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
};
