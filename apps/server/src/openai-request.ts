// OpenAI request bodies to checked generation jobs: POST /v1/completions and
// /v1/chat/completions. Every field is read with its type checked (fields.ts); what this server
// cannot do is refused with a 400 that says so, rather than ignored:
//   n other than 1, echo, best_of other than 1, suffix, logit_bias, tools,
//   presence_penalty / frequency_penalty other than 0 (the sampler's equivalent is repetition_penalty)
// Extensions other servers accept too: top_k, min_p, repetition_penalty, ignore_eos.
// Unknown fields are ignored (clients send their own extras), as llama.cpp and vLLM do.
// Reference: OpenAI API reference, "Completions" and "Chat Completions" (request bodies).

import { ApiError, badField } from "./api-error.ts";
import type { JsonObject } from "./body.ts";
import { Fields, shown } from "./fields.ts";
import { chatIds, parseMessages, textIds } from "./prompts.ts";
import { type GenerationJob, generationJob, refusePenalty, type Sampling } from "./sampling.ts";
import type { ServedModel } from "./served-model.ts";

export interface OpenAiRequest {
  job: GenerationJob;
  stream: boolean;
  /** stream_options.include_usage: a last chunk with usage and no choices. */
  includeUsage: boolean;
}

/** The `model` field must name the model this server holds. */
export function checkModel(f: Fields, model: ServedModel): void {
  const name = f.string("model", { required: true })!;
  if (name !== model.id && name !== `${model.id}:latest`) {
    throw new ApiError(404, `The model '${name}' does not exist; this server serves '${model.id}'`, {
      param: "model",
      code: "model_not_found",
    });
  }
}

/** Fields both routes share, plus the refusals. */
function common(
  f: Fields,
  maxTokens: number | undefined,
  maxTokensField: string,
): Omit<Sampling, "logprobs"> {
  const n = f.integer("n");
  if (n !== undefined && n !== 1) throw badField("n", `n: only 1 choice per request is supported, got ${n}`);
  refusePenalty("presence_penalty", f.number("presence_penalty"));
  refusePenalty("frequency_penalty", f.number("frequency_penalty"));
  const bias = f.raw("logit_bias");
  if (bias !== undefined && (typeof bias !== "object" || Object.keys(bias as object).length > 0)) {
    throw badField("logit_bias", "logit_bias is not supported");
  }
  return {
    maxTokens,
    maxTokensField,
    temperature: f.number("temperature", { min: 0 }),
    top_p: f.number("top_p", { min: 0, max: 1 }),
    top_k: f.integer("top_k", { min: 0 }),
    min_p: f.number("min_p", { min: 0, max: 1 }),
    repetition_penalty: positive(f, "repetition_penalty"),
    seed: f.integer("seed"),
    stop: f.stopStrings("stop"),
    ignoreEos: f.boolean("ignore_eos"),
  };
}

function positive(f: Fields, name: string): number | undefined {
  const x = f.number(name);
  if (x !== undefined && !(x > 0)) throw badField(name, `${name} must be greater than 0, got ${x}`);
  return x;
}

function streaming(f: Fields): { stream: boolean; includeUsage: boolean } {
  const stream = f.boolean("stream") ?? false;
  const includeUsage = f.object("stream_options")?.boolean("include_usage") ?? false;
  return { stream, includeUsage };
}

export function parseCompletion(body: JsonObject, model: ServedModel): OpenAiRequest {
  const f = new Fields(body);
  checkModel(f, model);
  if (f.boolean("echo")) throw badField("echo", "echo is not supported");
  const bestOf = f.integer("best_of");
  if (bestOf !== undefined && bestOf !== 1) throw badField("best_of", "best_of is not supported (only 1)");
  if (f.string("suffix") !== undefined) throw badField("suffix", "suffix is not supported");
  const logprobs = f.integer("logprobs", { min: 0, max: 5 });
  const sampling = { ...common(f, f.integer("max_tokens", { min: 1 }), "max_tokens"), logprobs };
  const promptIds = completionPrompt(f.raw("prompt"), model);
  return { job: generationJob(model, promptIds, "prompt", sampling), ...streaming(f) };
}

/** prompt: a string, a list of ids, or a list holding exactly one of either. */
function completionPrompt(prompt: unknown, model: ServedModel): number[] {
  if (typeof prompt === "string") return textIds(model, prompt, "prompt");
  if (Array.isArray(prompt) && prompt.length > 0 && prompt.every((x) => typeof x === "number")) {
    return prompt as number[];
  }
  if (Array.isArray(prompt) && prompt.length === 1) return completionPrompt(prompt[0], model);
  if (Array.isArray(prompt) && prompt.length > 1 && prompt.every((x) => typeof x !== "number")) {
    throw badField("prompt", `prompt: one prompt per request is supported, got ${prompt.length}`);
  }
  throw badField("prompt", `prompt must be a string or a list of token ids, got ${shown(prompt)}`);
}

export function parseChat(body: JsonObject, model: ServedModel): OpenAiRequest {
  const f = new Fields(body);
  checkModel(f, model);
  const tools = f.raw("tools");
  if (Array.isArray(tools) ? tools.length > 0 : tools !== undefined) {
    throw badField("tools", "tools are not supported");
  }
  const maxCompletion = f.integer("max_completion_tokens", { min: 1 });
  const maxTokens = f.integer("max_tokens", { min: 1 });
  const field = maxCompletion !== undefined ? "max_completion_tokens" : "max_tokens";
  const wantLogprobs = f.boolean("logprobs") ?? false;
  const top = f.integer("top_logprobs", { min: 0, max: 20 });
  if (top !== undefined && !wantLogprobs) {
    throw badField("top_logprobs", "top_logprobs needs logprobs: true");
  }
  const s = {
    ...common(f, maxCompletion ?? maxTokens, field),
    logprobs: wantLogprobs ? (top ?? 0) : undefined,
  };
  s.stop = [...s.stop, ...model.template.stopStrings];
  const messages = parseMessages(f.raw("messages"), "messages");
  return { job: generationJob(model, chatIds(model, messages, "messages"), "messages", s), ...streaming(f) };
}
