// Test models for the server: tiny random Llamas over a char vocabulary, wrapped as the
// ServedModel `llmts serve` builds from a checkpoint directory. Small enough that a request takes
// milliseconds; their output is checked against generate() on the same weights.
import { ChatTemplate } from "@llmts/chat";
import { type CausalLM, createModel, parseConfig, slotModel } from "@llmts/model";
import { Rng } from "@llmts/tensor";
import { CharTokenizer } from "@llmts/tokenizer";
import type { ServedModel } from "../src/index.ts";

export const tokenizer = CharTokenizer.fromText(
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;!?'\"-\n<|>/",
);

export function tinyModel(contextLength = 96, seed = 21): CausalLM {
  const config = parseConfig({
    model_type: "llama",
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    hidden_size: 32,
    intermediate_size: 64,
    vocab_size: tokenizer.vocabSize,
    max_position_embeddings: contextLength,
  });
  return createModel(config, new Rng(seed));
}

/** A ChatML-style template written in the char vocabulary ("<|user|>" is plain text here). */
export const CHAT_TEMPLATE =
  "{% for m in messages %}{{ '<|' + m['role'] + '|>' + m['content'] + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";

export function served(
  model: CausalLM,
  options: { slots?: number; template?: ChatTemplate; eosIds?: number[]; id?: string } = {},
): ServedModel & { steps: () => number } {
  const slots = slotModel(model, { slots: options.slots ?? 4 });
  let steps = 0;
  const counted = {
    ...slots,
    step(s: readonly number[], ids: readonly number[]) {
      steps++;
      return slots.step(s, ids);
    },
  };
  return {
    id: options.id ?? "tiny",
    slots: counted,
    tokenizer,
    template: options.template ?? ChatTemplate.plain(),
    eosIds: options.eosIds ?? [],
    encodePrompt: (text) => tokenizer.encode(text),
    loadDurationMs: 12.5,
    created: 1_700_000_000,
    details: {
      family: "llama",
      parameterCount: 20_000,
      sizeBytes: 80_000,
      digest: "sha256:0",
      modifiedAt: "2026-01-01T00:00:00.000Z",
    },
    steps: () => steps,
  };
}
