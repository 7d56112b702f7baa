// Tiny configs shared by the tests: small enough to run in milliseconds, with several heads and
// layers so head splitting, GQA and layer stacking are exercised.
import {
  type Gemma3Config,
  type Gpt2Config,
  type GptNeoXConfig,
  type LlamaConfig,
  type Phi3Config,
  parseConfig,
  type Qwen3Config,
} from "../src/index.ts";

export function tinyGpt2(extra: Record<string, unknown> = {}): Gpt2Config {
  return parseConfig({
    model_type: "gpt2",
    n_layer: 2,
    n_head: 4,
    n_embd: 16,
    vocab_size: 37,
    n_positions: 24,
    ...extra,
  }) as Gpt2Config;
}

export function tinyLlama(extra: Record<string, unknown> = {}): LlamaConfig {
  return parseConfig({
    model_type: "llama",
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    hidden_size: 16,
    intermediate_size: 24,
    vocab_size: 41,
    max_position_embeddings: 32,
    ...extra,
  }) as LlamaConfig;
}

/** Qwen3 with head_dim 6 ≠ 16 / 4 (as Qwen3-0.6B's 128 ≠ 1024 / 16), GQA 4 over 2. */
export function tinyQwen3(extra: Record<string, unknown> = {}): Qwen3Config {
  return parseConfig({
    model_type: "qwen3",
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    head_dim: 6,
    hidden_size: 16,
    intermediate_size: 24,
    vocab_size: 41,
    max_position_embeddings: 32,
    rope_theta: 1e6,
    ...extra,
  }) as Qwen3Config;
}

/** Gemma 3: layers sliding, full, sliding (pattern 2), a window of 3, MQA, its own head_dim. */
export function tinyGemma3(extra: Record<string, unknown> = {}): Gemma3Config {
  return parseConfig({
    model_type: "gemma3_text",
    num_hidden_layers: 3,
    num_attention_heads: 4,
    num_key_value_heads: 1,
    head_dim: 6,
    hidden_size: 16,
    intermediate_size: 24,
    vocab_size: 41,
    max_position_embeddings: 32,
    sliding_window: 3,
    sliding_window_pattern: 2,
    query_pre_attn_scalar: 10,
    ...extra,
  }) as Gemma3Config;
}

/** GPT-NeoX with a quarter of each head rotating (2 of 8 dims), parallel residual. */
export function tinyGptNeoX(extra: Record<string, unknown> = {}): GptNeoXConfig {
  return parseConfig({
    model_type: "gpt_neox",
    num_hidden_layers: 2,
    num_attention_heads: 2,
    hidden_size: 16,
    intermediate_size: 64,
    vocab_size: 41,
    max_position_embeddings: 32,
    ...extra,
  }) as GptNeoXConfig;
}

/** Phi-3 with GQA inside qkv_proj, 6 of 8 dims rotating, a sliding window of 4. */
export function tinyPhi3(extra: Record<string, unknown> = {}): Phi3Config {
  return parseConfig({
    model_type: "phi3",
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    hidden_size: 32,
    intermediate_size: 24,
    vocab_size: 41,
    max_position_embeddings: 32,
    original_max_position_embeddings: 32,
    partial_rotary_factor: 0.75,
    sliding_window: 4,
    ...extra,
  }) as Phi3Config;
}

/** Phi-3 with LongRoPE: short factors up to 6 tokens, long ones past them (Phi-4-mini style). */
export function tinyLongRopePhi3(extra: Record<string, unknown> = {}): Phi3Config {
  return tinyPhi3({
    sliding_window: null,
    original_max_position_embeddings: 6,
    rope_scaling: { type: "longrope", short_factor: [1, 1.2, 1.5], long_factor: [1, 4, 16] },
    ...extra,
  });
}
