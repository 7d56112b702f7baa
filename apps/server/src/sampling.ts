// The part every generation route shares: prompt ids plus the sampling fields, checked against
// the model (ids in its vocabulary, prompt + max tokens within its context), as a request for the
// batcher. OpenAI's and Ollama's field names are mapped onto it by openai-request.ts and
// ollama-request.ts.
//
//   max tokens absent -> whatever room the context has left (OpenAI's and Ollama's behaviour)
//   seed absent       -> a random seed (OpenAI: sampling is not reproducible unless a seed is sent)
//   ignore_eos        -> generate past EOS (vLLM / llama.cpp's extension; the bench uses it)
//
// Not here: field types (fields.ts), running the request (engine.ts).

import { randomInt } from "node:crypto";
import type { GenerationConfig } from "@llmts/sample";
import { ApiError, badField } from "./api-error.ts";
import type { ServedModel } from "./served-model.ts";

/** A checked request, ready for the batcher. */
export interface GenerationJob {
  promptIds: number[];
  config: GenerationConfig;
  /** Log-probabilities: top alternatives per token; undefined = none. */
  logprobs?: number;
}

export interface Sampling {
  maxTokens?: number;
  /** The field max tokens came from, for messages ("max_tokens", "options.num_predict"). */
  maxTokensField: string;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  min_p?: number;
  repetition_penalty?: number;
  seed?: number;
  stop: string[];
  ignoreEos?: boolean;
  logprobs?: number;
}

export function generationJob(
  model: ServedModel,
  promptIds: number[],
  promptField: string,
  s: Sampling,
): GenerationJob {
  const V = model.slots.vocabSize;
  for (const id of promptIds) {
    if (!Number.isInteger(id) || id < 0 || id >= V) {
      throw badField(promptField, `${promptField}: token id ${id} is outside the vocabulary of ${V} ids`);
    }
  }
  if (promptIds.length === 0)
    throw badField(promptField, `${promptField} is empty: there is nothing to continue`);
  const context = model.slots.contextLength;
  const room = context - promptIds.length;
  if (room < 1) {
    throw new ApiError(
      400,
      `This model's maximum context length is ${context} tokens, and the prompt has ${promptIds.length}: ` +
        "no room is left for a reply; shorten the prompt.",
      { param: promptField, code: "context_length_exceeded" },
    );
  }
  if (s.maxTokens !== undefined && s.maxTokens > room) {
    throw new ApiError(
      400,
      `This model's maximum context length is ${context} tokens. However, you requested ` +
        `${promptIds.length + s.maxTokens} tokens (${promptIds.length} in the prompt, ${s.maxTokens} for the ` +
        `completion). Please reduce the prompt or ${s.maxTokensField}.`,
      { param: s.maxTokensField, code: "context_length_exceeded" },
    );
  }
  const config: GenerationConfig = {
    max_new_tokens: s.maxTokens ?? room,
    temperature: s.temperature,
    top_p: s.top_p,
    top_k: s.top_k,
    min_p: s.min_p,
    repetition_penalty: s.repetition_penalty,
    seed: s.seed ?? randomInt(2 ** 31),
    eos_token_id: s.ignoreEos ? [] : [...model.eosIds],
    stop_strings: s.stop,
  };
  return { promptIds, config, logprobs: s.logprobs };
}

/** presence/frequency penalty: accepted at 0 (off); our sampler has no additive equivalent. */
export function refusePenalty(name: string, value: number | undefined): void {
  if (value !== undefined && value !== 0) {
    throw badField(
      name,
      `${name} is not supported: the sampler has no additive penalty; send repetition_penalty ` +
        "(multiplicative, > 1 discourages tokens already seen) instead",
    );
  }
}
