// Tiny configs shared by the tests: small enough to run in milliseconds, with several heads and
// layers so head splitting, GQA and layer stacking are exercised.
import { type Gpt2Config, type LlamaConfig, parseConfig } from "../src/index.ts";

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
