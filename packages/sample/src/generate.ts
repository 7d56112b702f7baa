// The generation loop: one prefill of the prompt, then one model step per new token, until
// max_new_tokens, an EOS id, or a stop string. Text streams out through a callback as soon as
// it is complete (UTF-8 safe, stop strings never shown).
//
//   logits = model.prefill(prompt)                 // whole prompt in one pass, fills the KV cache
//   loop:  id = sampler.sample(logits)             // processors + seeded draw
//          stop if id is EOS / text hit a stop string / max_new_tokens reached
//          logits = model.step(id)                 // one position, reuses the KV cache
//
// With crop_context (nanoGPT sample.py: `idx_cond = idx[:, -block_size:]`) the model only ever
// sees the last contextLength tokens: a longer prompt is cropped before the prefill, and once
// the window is full each new token re-runs the whole window, model.prefill(last contextLength
// ids), instead of a step. Exactly nanoGPT's logits, at the cost of a full forward pass per token.
//
// Checked once, here: the settings (resolveGenerationConfig, the one place they are defaulted and
// validated). The prompt ids are checked where they enter the model (its prefill; @llmts/model
// forward's checkIds), before anything else reads them.
// Synchronous on purpose: it is a CPU loop, and a callback is the simplest way to stream.
// Not here: loading models or tokenizers, the CLI (apps/cli composes those with this), measuring
// memory (a platform's job: @llmts/sample/node has the Node one).
// Reference: llama2.c `generate()`; Hugging Face `GenerationMixin._sample` and TextStreamer.

import { type GenerationConfig, type ResolvedGenerationConfig, resolveGenerationConfig } from "./config.ts";
import { GenerationError } from "./errors.ts";
import type { Detokenizer, StepModel } from "./interfaces.ts";
import { Sampler } from "./sampler.ts";
import { StopStringFilter } from "./stop-strings.ts";
import { openTextStream } from "./stream-decoder.ts";

/** Why generation ended (the names text-generation-inference uses). */
export type FinishReason = "length" | "eos_token" | "stop_sequence";

export interface GenerateOptions {
  /** Needed for `text`, streaming and stop strings; without it only ids come back. */
  tokenizer?: Detokenizer;
  /** Called with each newly completed piece of text; the pieces concatenate to `text`. */
  onText?: (piece: string) => void;
  /** Called with each sampled id (before the stopping checks). */
  onToken?: (id: number) => void;
  /** Clock in milliseconds (tests may pass a fake). Default performance.now. */
  now?: () => number;
  /**
   * Resident memory in bytes, sampled once per token (in Node: residentSetBytes from
   * "@llmts/sample/node"). Without it peak_rss_mb is null.
   */
  memoryBytes?: () => number;
}

export interface GenerationResult {
  prompt_ids: number[];
  /** Every sampled id, including a final EOS id or the token that completed a stop string. */
  generated_ids: number[];
  /** Decoded continuation, without EOS and without the stop string and what followed it. */
  text: string;
  finish_reason: FinishReason;
  /** Start -> first new token sampled (prefill + one sampling step). */
  time_to_first_token_ms: number;
  /** Tokens of the first prefill / its time; null if the clock measured 0 ms. */
  prefill_tokens_per_second: number | null;
  /** Tokens after the first / time from the first to the last token; null if only one token. */
  decode_tokens_per_second: number | null;
  /** Largest resident set size seen during generation, in MiB; null without options.memoryBytes. */
  peak_rss_mb: number | null;
  /** How many times a full window was re-run because of crop_context (0 without it). */
  context_crops: number;
  /** The settings actually used (defaults filled in). */
  config: ResolvedGenerationConfig;
}

export function generate(
  model: StepModel,
  promptIds: readonly number[],
  config: GenerationConfig = {},
  options: GenerateOptions = {},
): GenerationResult {
  const V = model.vocabSize;
  const cfg = resolveGenerationConfig(config, promptIds.length, model.contextLength);
  const { tokenizer, onText, onToken } = options;
  if (cfg.stop_strings.length > 0 && !tokenizer) {
    throw new GenerationError("generate: stop_strings need a tokenizer to decode the generated text");
  }
  const now = options.now ?? (() => performance.now());
  const memoryBytes = options.memoryBytes ?? (() => 0);

  // The sampler rewrites logits in place; copy the model's output so its buffer stays intact.
  const logits = new Float32Array(V); // [V]
  const load = (out: Float32Array): void => {
    if (out.length !== V) {
      throw new GenerationError(`generate: the model returned ${out.length} logits, expected vocabSize ${V}`);
    }
    logits.set(out);
  };

  const window = model.contextLength;
  const sequence = [...promptIds]; // prompt + generated: what a cropped window is cut from
  const firstInput = cfg.crop_context ? promptIds.slice(-window) : promptIds;
  let inCache = firstInput.length; // tokens the model has seen since its last prefill
  let crops = 0;

  let peakBytes = memoryBytes();
  const tStart = now();
  load(model.prefill(firstInput)); // the model refuses ids outside its vocabulary here
  const tPrefill = now();

  const sampler = new Sampler(V, cfg);
  for (const id of promptIds) sampler.observe(id);
  const eos = new Set(cfg.eos_token_id);
  const decoder = tokenizer ? openTextStream(tokenizer, promptIds) : null;
  const stops = new StopStringFilter(cfg.stop_strings);
  let text = "";
  const emit = (piece: string): void => {
    if (piece === "") return;
    text += piece;
    onText?.(piece);
  };

  const generated: number[] = [];
  let finish: FinishReason = "length";
  let tFirst = tPrefill;
  let tLast = tPrefill;
  while (generated.length < cfg.max_new_tokens) {
    const id = sampler.sample(logits);
    tLast = now();
    if (generated.length === 0) tFirst = tLast;
    generated.push(id);
    sequence.push(id);
    sampler.observe(id);
    onToken?.(id);
    if (eos.has(id)) {
      finish = "eos_token";
      break;
    }
    if (decoder) {
      const out = stops.push(decoder.push(id));
      emit(out.text);
      if (out.stopped) {
        finish = "stop_sequence";
        break;
      }
    }
    peakBytes = Math.max(peakBytes, memoryBytes());
    // No forward pass after the last token: its logits would never be used.
    if (generated.length === cfg.max_new_tokens) break;
    if (inCache < window) {
      load(model.step(id));
      inCache++;
    } else {
      // Only with crop_context (otherwise resolveGenerationConfig made sure everything fits).
      load(model.prefill(sequence.slice(-window)));
      crops++;
    }
  }

  if (decoder && finish !== "stop_sequence") {
    // Bytes still waiting for the rest of a character, then text held back for stop strings.
    const out = stops.push(decoder.flush());
    emit(out.text);
    if (out.stopped) finish = "stop_sequence";
    else emit(stops.flush());
  }
  peakBytes = Math.max(peakBytes, memoryBytes());

  const prefillMs = tPrefill - tStart;
  const decodeMs = tLast - tFirst;
  return {
    prompt_ids: [...promptIds],
    generated_ids: generated,
    text,
    finish_reason: finish,
    time_to_first_token_ms: tFirst - tStart,
    prefill_tokens_per_second: prefillMs > 0 ? (firstInput.length * 1000) / prefillMs : null,
    decode_tokens_per_second:
      generated.length > 1 && decodeMs > 0 ? ((generated.length - 1) * 1000) / decodeMs : null,
    peak_rss_mb: options.memoryBytes ? peakBytes / 2 ** 20 : null,
    context_crops: crops,
    config: cfg,
  };
}
