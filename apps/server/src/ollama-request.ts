// Ollama request bodies to checked generation jobs: POST /api/generate and /api/chat.
//
//   options.num_predict  max tokens; -1 (unlimited) and -2 (fill the context) both mean: until
//                        the context is full (or EOS / a stop string)
//   options.temperature, top_k, top_p, min_p, seed, stop      as in the sampler
//   options.repeat_penalty                                    -> repetition_penalty (CTRL's rule)
//   options.presence_penalty / frequency_penalty              only 0 (no additive equivalent)
// Other options (num_ctx, num_thread, mirostat, ...) are read by Ollama's runner, not here: they
// are ignored. format (JSON mode), images and tools are refused with a 400.
// /api/generate applies the chat template when the model has its own one (or a `system` is
// given), unless raw: true; otherwise the prompt is continued as text, as `llmts generate` does.
// `context` (the ids a previous /api/generate returned) is continued from.
// Reference: ollama/docs/api.md ("Generate a completion", "Generate a chat completion", "Valid
// Parameters and Values" in docs/modelfile.md).

import type { ChatMessage } from "@llmts/chat";
import { badField } from "./api-error.ts";
import type { JsonObject } from "./body.ts";
import { Fields, shown } from "./fields.ts";
import { checkModel } from "./openai-request.ts";
import { chatIds, parseMessages, textIds } from "./prompts.ts";
import { type GenerationJob, generationJob, refusePenalty, type Sampling } from "./sampling.ts";
import type { ServedModel } from "./served-model.ts";

export interface OllamaRequest {
  /** null: nothing to generate (Ollama answers done_reason "load": the model is loaded). */
  job: GenerationJob | null;
  stream: boolean;
}

function refuseUnsupported(f: Fields): void {
  if (f.has("format")) throw badField("format", "format (JSON output) is not supported");
  if (f.has("images")) throw badField("images", "images: this server runs text-only models");
  const tools = f.raw("tools");
  if (Array.isArray(tools) ? tools.length > 0 : tools !== undefined)
    throw badField("tools", "tools are not supported");
}

function sampling(f: Fields, extraStops: readonly string[]): Sampling {
  const o = f.object("options") ?? new Fields({}, "options.");
  const numPredict = o.integer("num_predict", { min: -2 });
  if (numPredict === 0)
    throw badField("options.num_predict", "options.num_predict must be at least 1, or -1 / -2");
  refusePenalty("options.presence_penalty", o.number("presence_penalty"));
  refusePenalty("options.frequency_penalty", o.number("frequency_penalty"));
  const repeat = o.number("repeat_penalty");
  if (repeat !== undefined && !(repeat > 0)) {
    throw badField("options.repeat_penalty", `options.repeat_penalty must be greater than 0, got ${repeat}`);
  }
  return {
    maxTokens: numPredict !== undefined && numPredict > 0 ? numPredict : undefined,
    maxTokensField: "options.num_predict",
    temperature: o.number("temperature", { min: 0 }),
    top_k: o.integer("top_k", { min: 0 }),
    top_p: o.number("top_p", { min: 0, max: 1 }),
    min_p: o.number("min_p", { min: 0, max: 1 }),
    seed: o.integer("seed"),
    repetition_penalty: repeat,
    stop: [...o.stopStrings("stop"), ...extraStops],
  };
}

export function parseGenerate(body: JsonObject, model: ServedModel): OllamaRequest {
  const f = new Fields(body);
  checkModel(f, model);
  refuseUnsupported(f);
  const stream = f.boolean("stream") ?? true;
  const prompt = f.string("prompt") ?? "";
  const system = f.string("system");
  const raw = f.boolean("raw") ?? false;
  const context = contextIds(f.raw("context"));
  if (prompt === "" && context.length === 0) return { job: null, stream };

  const templated = !raw && (!model.template.isDefault || system !== undefined);
  let ids: number[];
  let stops: readonly string[] = [];
  if (templated) {
    const messages: ChatMessage[] = [
      ...(system !== undefined ? [{ role: "system", content: system }] : []),
      { role: "user", content: prompt },
    ];
    ids = chatIds(model, messages, "prompt");
    stops = model.template.stopStrings;
  } else {
    ids = prompt === "" ? [] : textIds(model, prompt, "prompt", context.length > 0);
  }
  return { job: generationJob(model, [...context, ...ids], "prompt", sampling(f, stops)), stream };
}

function contextIds(value: unknown): number[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((x) => Number.isInteger(x))) {
    throw badField("context", `context must be a list of token ids, got ${shown(value)}`);
  }
  return value as number[];
}

export function parseChatRequest(body: JsonObject, model: ServedModel): OllamaRequest {
  const f = new Fields(body);
  checkModel(f, model);
  refuseUnsupported(f);
  const stream = f.boolean("stream") ?? true;
  const raw = f.raw("messages");
  if (raw === undefined || (Array.isArray(raw) && raw.length === 0)) return { job: null, stream };
  const messages = parseMessages(raw, "messages");
  const job = generationJob(
    model,
    chatIds(model, messages, "messages"),
    "messages",
    sampling(f, model.template.stopStrings),
  );
  return { job, stream };
}
