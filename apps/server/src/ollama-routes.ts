// The Ollama-style routes:
//   GET  /api/version    {"version": "..."} (llm.ts's version)
//   GET  /api/tags       the one model served, with its family, size and parameter count
//   POST /api/generate   continue a prompt (or reply to it with the chat template)
//   POST /api/chat       reply to a conversation
// Streams are NDJSON and on by default (stream: false for one object). The last object has
// done: true, done_reason ("stop" | "length") and the measurements, in nanoseconds:
//   load_duration          the model's cold start when the server started (read + prepare weights)
//   prompt_eval_count      prompt tokens run through the model (those a slot still held are not)
//   prompt_eval_duration   that forward pass
//   eval_count             generated tokens
//   eval_duration          prompt done -> last token (each step shared with the batch)
//   total_duration         request arrived -> done (waiting for a slot included)
// Reference: ollama/docs/api.md.

import type { BatchResult, TokenEvent } from "@llmts/sample";
import { ApiError } from "./api-error.ts";
import { type OllamaRequest, parseChatRequest, parseGenerate } from "./ollama-request.ts";
import { finishReason } from "./openai-format.ts";
import type { Handler, RouteContext } from "./route.ts";
import { type EventStream, onClientGone, openNdjson, sendJson } from "./streams.ts";

export const version =
  (v: string): Handler =>
  async ({ res }) =>
    sendJson(res, 200, { version: v });

export const tags: Handler = async ({ model, res }) => {
  const d = model.details;
  sendJson(res, 200, {
    models: [
      {
        name: `${model.id}:latest`,
        model: `${model.id}:latest`,
        modified_at: d.modifiedAt,
        size: d.sizeBytes,
        digest: d.digest,
        details: {
          parent_model: "",
          format: "safetensors",
          family: d.family,
          families: [d.family],
          parameter_size: parameterSize(d.parameterCount),
          quantization_level: "F32",
        },
      },
    ],
  });
};

/** 15_200_000 -> "15.2M", as Ollama writes parameter counts. */
function parameterSize(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  return `${(n / 1e3).toFixed(1)}K`;
}

export const generate: Handler = async (ctx) => {
  await respond(ctx, parseGenerate(await ctx.body(), ctx.model), false);
};

export const chat: Handler = async (ctx) => {
  await respond(ctx, parseChatRequest(await ctx.body(), ctx.model), true);
};

const ns = (ms: number) => Math.round(ms * 1e6);

async function respond(ctx: RouteContext, request: OllamaRequest, isChat: boolean): Promise<void> {
  const { model, res } = ctx;
  const head = () => ({ model: model.id, created_at: new Date().toISOString() });
  const piece = (text: string) =>
    isChat ? { message: { role: "assistant", content: text } } : { response: text };

  if (request.job === null) {
    // Nothing to generate: Ollama uses such a request to load a model; ours is loaded.
    sendJson(res, 200, { ...head(), ...piece(""), done: true, done_reason: "load" });
    return;
  }
  let stream: EventStream | null = null;
  const job = ctx.engine.submit(request.job, (event: TokenEvent) => {
    if (stream && event.text !== "") stream.send({ ...head(), ...piece(event.text), done: false });
  });
  onClientGone(res, () => job.cancel());
  if (request.stream) stream = openNdjson(res);

  let result: BatchResult;
  try {
    result = await job.result;
  } catch (error) {
    if (!stream) throw error;
    console.error("llmts serve: a request failed:", error);
    stream.send(new ApiError(500, `generation failed: ${(error as Error).message}`).body());
    stream.end();
    return;
  }
  if (result.finish_reason === "cancelled") return;
  const final = {
    ...head(),
    ...piece(stream ? "" : result.text),
    done: true,
    done_reason: finishReason(result.finish_reason),
    ...(isChat ? {} : { context: [...result.prompt_ids, ...result.generated_ids] }),
    total_duration: Number(process.hrtime.bigint() - ctx.arrived),
    load_duration: ns(model.loadDurationMs),
    prompt_eval_count: result.prompt_ids.length - result.cached_tokens,
    prompt_eval_duration: ns(result.prefill_ms),
    eval_count: result.generated_ids.length,
    eval_duration: ns(result.generate_ms),
  };
  if (stream) {
    stream.send(final);
    stream.end();
  } else sendJson(res, 200, final);
}
