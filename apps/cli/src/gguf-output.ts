// What `llmts quantize` and `llmts export` share: the --format / --quantize values, the tokenizer
// of a model path as GGUF metadata, and the one-line summary of a GGUF file written.
// Not here: the mapping to llama.cpp's layout (@llmts/model's gguf/), the tokenizer's keys
// (@llmts/tokenizer's gguf-write.ts), where files go (each command).

import { statSync } from "node:fs";
import type { CausalLM } from "@llmts/model";
import type { QuantType } from "@llmts/tensor";
import { tokenizerToGguf } from "@llmts/tokenizer";
import { hasTokenizer, loadTokenizer } from "@llmts/tokenizer/node";
import { warn } from "./errors.ts";

/** The block formats, as the flags spell them. */
export const QUANT_FORMATS = ["q8_0", "q4_0"] as const;
export const quantType = (format: string): QuantType => format.toUpperCase() as QuantType;

/**
 * The tokenizer found at `modelPath` as GGUF metadata, padded to the model's vocabulary, or an
 * empty map (with a warning) when there is none: llama.cpp cannot load a model without one.
 */
export function tokenizerMetadata(modelPath: string, model: CausalLM) {
  if (!hasTokenizer(modelPath)) {
    warn(
      `${modelPath} has no tokenizer: the GGUF file gets none, and llama.cpp / Ollama need one to load it`,
    );
    return new Map();
  }
  return tokenizerToGguf(loadTokenizer(modelPath), { vocabSize: model.vocabSize });
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** "wrote out.gguf: llama, Q8_0 (52 tensors: 36 Q8_0, 16 F32), 1.2 MB" */
export function describeWritten(file: string, model: CausalLM, types: Map<string, number>): string {
  const counts = [...types].map(([type, n]) => `${n} ${type}`).join(", ");
  const total = [...types.values()].reduce((a, b) => a + b, 0);
  return `wrote ${file}: ${model.config.arch === "gpt2" ? "gpt2" : model.config.modelType}, ${total} tensors (${counts}), ${mb(statSync(file).size)}`;
}

/** Tells which matrices stayed F32 although quantizing was asked (rows not whole blocks of 32). */
export function warnKeptFloat(kept: string[]): void {
  if (kept.length === 0) return;
  const shown = kept.slice(0, 3).join(", ") + (kept.length > 3 ? `, ... (${kept.length} in all)` : "");
  warn(`kept F32 (rows are not a multiple of the 32-value block): ${shown}`);
}
