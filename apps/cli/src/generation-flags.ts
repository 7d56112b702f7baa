// @llmts/sample names its settings as Hugging Face's GenerationConfig does (max_new_tokens,
// crop_context, ...); `llmts generate` takes them as flags (--max-new-tokens, --crop-context).
// A GenerationError is rewritten here, at the CLI boundary, so that its one line names what the
// user typed:
//   generate: prompt (2 tokens) + max_new_tokens (200) = 202 exceeds ...      (library)
//   generate: prompt (2 tokens) + --max-new-tokens (200) = 202 exceeds ...    (what llmts prints)
// Not here: checking the settings (@llmts/sample resolveGenerationConfig does that, once).

import { CliError } from "./errors.ts";

/** Each GenerationConfig field that a flag of `llmts generate` sets, and that flag. */
export const FLAG_OF_SETTING: Readonly<Record<string, string>> = {
  max_new_tokens: "--max-new-tokens",
  temperature: "--temperature",
  top_k: "--top-k",
  top_p: "--top-p",
  min_p: "--min-p",
  repetition_penalty: "--repetition-penalty",
  seed: "--seed",
  stop_strings: "--stop",
  crop_context: "--crop-context",
};

const SETTING = new RegExp(`\\b(${Object.keys(FLAG_OF_SETTING).join("|")})\\b`, "g");

/** The message with every setting's field name replaced by its flag. */
export function withFlagNames(message: string): string {
  return message.replace(SETTING, (field) => FLAG_OF_SETTING[field] ?? field);
}

/** Runs fn; a GenerationError it throws becomes a CliError that names flags, not fields. */
export function withGenerationFlags<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof Error && error.name === "GenerationError")
      throw new CliError(withFlagNames(error.message));
    throw error;
  }
}
