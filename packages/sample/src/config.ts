// Generation settings, named and defaulted as in Hugging Face's GenerationConfig, plus the check
// that turns user input into a complete, validated config.
//
// What it does not: read files (the CLI reads config.json / generation_config.json and hands us
// the parsed objects), or pick sampling defaults from a checkpoint's generation_config.json.
// Reference: transformers/generation/configuration_utils.py (field names, defaults, validation).
//
// Deliberate differences from HF: there is no `do_sample` flag, `temperature: 0` means greedy
// decoding (as in llama2.c and most CLIs) and any temperature > 0 samples; `crop_context` is
// nanoGPT's sliding window, which HF's generate() does not have.

import { GenerationError } from "./errors.ts";

export interface GenerationConfig {
  /** Tokens to generate at most. Default: 256, lowered to what fits in the context window. */
  max_new_tokens?: number;
  /** Divide logits by this before sampling; 0 = greedy (argmax). Default 1. */
  temperature?: number;
  /** Keep only the k highest logits (ties with the k-th are kept); 0 = off. Default 0. */
  top_k?: number;
  /**
   * Nucleus: keep the smallest set of most likely tokens whose probability reaches p; 1 = off.
   * In [0, 1] as HF's TopPLogitsWarper accepts; 0 keeps only the most likely token (and its ties).
   */
  top_p?: number;
  /** Keep tokens with probability >= min_p * (probability of the most likely token); 0 = off. */
  min_p?: number;
  /** > 1 discourages tokens already in prompt or output (CTRL, Keskar et al. 2019); 1 = off. */
  repetition_penalty?: number;
  /** Seed of the sampling PRNG: same seed + prompt + settings = same tokens. Default 0. */
  seed?: number;
  /** Generation ends right after one of these ids is sampled (HF: int or list of ints). */
  eos_token_id?: number | readonly number[] | null;
  /** Generation ends when the generated text contains one of these; the string is not output. */
  stop_strings?: readonly string[];
  /**
   * Past the model's window, keep going on the last contextLength tokens (nanoGPT sample.py's
   * `idx[:, -block_size:]`): each new token then re-runs that whole window. Default false: a
   * prompt + max_new_tokens longer than the window is an error.
   */
  crop_context?: boolean;
}

/** Every field present and checked; eos ids always a list. */
export interface ResolvedGenerationConfig {
  max_new_tokens: number;
  temperature: number;
  top_k: number;
  top_p: number;
  min_p: number;
  repetition_penalty: number;
  seed: number;
  eos_token_id: number[];
  stop_strings: string[];
  crop_context: boolean;
}

/** Defaults used when a field is missing; what `llmts generate --help` shows. */
export const GENERATION_DEFAULTS = {
  max_new_tokens: 256,
  temperature: 1,
  top_k: 0,
  top_p: 1,
  min_p: 0,
  repetition_penalty: 1,
  seed: 0,
  crop_context: false,
} as const;

function check(ok: boolean, field: string, rule: string, value: unknown): void {
  if (!ok) throw new GenerationError(`generate: ${field} must be ${rule}, got ${JSON.stringify(value)}`);
}

/**
 * Fills in defaults and validates ranges (HF's rules). `promptLength` and `contextLength` decide
 * the default max_new_tokens and reject a request that cannot fit:
 *   promptLength + max_new_tokens <= contextLength      (unless crop_context)
 */
export function resolveGenerationConfig(
  config: GenerationConfig,
  promptLength: number,
  contextLength: number,
): ResolvedGenerationConfig {
  const d = GENERATION_DEFAULTS;
  const temperature = config.temperature ?? d.temperature;
  const top_k = config.top_k ?? d.top_k;
  const top_p = config.top_p ?? d.top_p;
  const min_p = config.min_p ?? d.min_p;
  const repetition_penalty = config.repetition_penalty ?? d.repetition_penalty;
  const seed = config.seed ?? d.seed;
  const crop_context = config.crop_context ?? d.crop_context;
  check(
    Number.isFinite(temperature) && temperature >= 0,
    "temperature",
    "a number >= 0 (0 = greedy)",
    temperature,
  );
  check(Number.isInteger(top_k) && top_k >= 0, "top_k", "an integer >= 0 (0 = off)", top_k);
  check(top_p >= 0 && top_p <= 1, "top_p", "in [0, 1] (1 = off, 0 = the most likely token only)", top_p);
  check(min_p >= 0 && min_p <= 1, "min_p", "in [0, 1] (0 = off)", min_p);
  check(
    Number.isFinite(repetition_penalty) && repetition_penalty > 0,
    "repetition_penalty",
    "a number > 0 (1 = off)",
    repetition_penalty,
  );
  check(Number.isSafeInteger(seed), "seed", "an integer", seed);
  check(typeof crop_context === "boolean", "crop_context", "true or false", crop_context);

  const eos = config.eos_token_id ?? [];
  const eos_token_id = typeof eos === "number" ? [eos] : [...eos];
  for (const id of eos_token_id) check(Number.isInteger(id) && id >= 0, "eos_token_id", "integers >= 0", eos);
  const stop_strings = [...(config.stop_strings ?? [])];
  for (const s of stop_strings)
    check(typeof s === "string" && s.length > 0, "stop_strings", "non-empty strings", s);

  if (promptLength < 1) {
    throw new GenerationError(
      "generate: the prompt is empty; a model needs at least one token to condition on (e.g. BOS)",
    );
  }
  if (crop_context) {
    // The window slides: any length fits, and the default is not lowered.
    const max_new_tokens = config.max_new_tokens ?? d.max_new_tokens;
    check(
      Number.isInteger(max_new_tokens) && max_new_tokens >= 1,
      "max_new_tokens",
      "an integer >= 1",
      max_new_tokens,
    );
    const resolved = { max_new_tokens, temperature, top_k, top_p, min_p, repetition_penalty, seed };
    return { ...resolved, eos_token_id, stop_strings, crop_context };
  }
  const room = contextLength - promptLength;
  if (room < 1) {
    throw new GenerationError(
      `generate: the prompt has ${promptLength} tokens but the model's context length is ${contextLength}; ` +
        "there is no room for a new token (shorten the prompt, or let the window slide: crop_context)",
    );
  }
  const max_new_tokens = config.max_new_tokens ?? Math.min(d.max_new_tokens, room);
  check(
    Number.isInteger(max_new_tokens) && max_new_tokens >= 1,
    "max_new_tokens",
    "an integer >= 1",
    max_new_tokens,
  );
  if (max_new_tokens > room) {
    throw new GenerationError(
      `generate: prompt (${promptLength} tokens) + max_new_tokens (${max_new_tokens}) = ` +
        `${promptLength + max_new_tokens} exceeds the model's context length of ${contextLength}; ` +
        `lower max_new_tokens to at most ${room} or shorten the prompt, or let the window slide (crop_context)`,
    );
  }
  const resolved = { max_new_tokens, temperature, top_k, top_p, min_p, repetition_penalty, seed };
  return { ...resolved, eos_token_id, stop_strings, crop_context };
}

/** A parsed JSON file that may hold `eos_token_id`, and its path for error messages. */
export interface EosSource {
  file: string;
  json: unknown;
}

/**
 * The end-of-sequence ids of a checkpoint, from its generation_config.json and config.json (pass
 * them in that order; the first one with an `eos_token_id` wins, as in HF, where
 * generation_config.json overrides the model config). `eos_token_id` may be one id or a list
 * (Llama 3 has several). Returns [] when no source names one; a malformed value is an error
 * naming its file.
 */
export function readEosTokenIds(sources: readonly EosSource[]): number[] {
  for (const { file, json } of sources) {
    if (json === null || typeof json !== "object") continue;
    const value = (json as Record<string, unknown>).eos_token_id;
    if (value === undefined || value === null) continue;
    const ids = Array.isArray(value) ? value : [value];
    for (const id of ids) {
      if (!Number.isInteger(id) || (id as number) < 0) {
        throw new GenerationError(
          `generate: eos_token_id must be an integer >= 0 or a list of them, got ${JSON.stringify(value)} (${file})`,
        );
      }
    }
    return ids as number[];
  }
  return [];
}
