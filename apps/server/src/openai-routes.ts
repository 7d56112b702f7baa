// The OpenAI-style routes:
//   GET  /v1/models             the one model served
//   POST /v1/completions        continue a prompt (text or token ids)
//   POST /v1/chat/completions   reply to a conversation (the model's chat template)
// A generation route checks its body (openai-request.ts), queues the job (engine.ts), and
// answers with one JSON object or, with stream: true, server-sent events (openai-format.ts). A
// client that disconnects cancels its job: the slot is free at the next step.
// Reference: OpenAI API reference; llama.cpp's tools/server (the same routes over a local model).

import { randomUUID } from "node:crypto";
import type { BatchResult, TokenEvent, TokenLogprob } from "@llmts/sample";
import { ApiError } from "./api-error.ts";
import { chatLogprobs, completionLogprobs, finishReason, usage } from "./openai-format.ts";
import { type OpenAiRequest, parseChat, parseCompletion } from "./openai-request.ts";
import type { Handler, RouteContext } from "./route.ts";
import { type EventStream, onClientGone, openSse, sendJson } from "./streams.ts";

export const listModels: Handler = async ({ model, res }) => {
  sendJson(res, 200, { object: "list", data: [modelObject(model.id, model.created)] });
};

export function modelObject(id: string, created: number) {
  return { id, object: "model", created, owned_by: "llmts" };
}

export const completions: Handler = async (ctx) => {
  const request = parseCompletion(await ctx.body(), ctx.model);
  await generateResponse(ctx, request, "completion");
};

export const chatCompletions: Handler = async (ctx) => {
  const request = parseChat(await ctx.body(), ctx.model);
  await generateResponse(ctx, request, "chat");
};

/** Runs one request; streams it (SSE) or answers once at the end. */
async function generateResponse(
  ctx: RouteContext,
  request: OpenAiRequest,
  kind: "chat" | "completion",
): Promise<void> {
  const { model, res } = ctx;
  const chat = kind === "chat";
  const id = `${chat ? "chatcmpl" : "cmpl"}-${randomUUID().replaceAll("-", "")}`;
  const created = Math.floor(Date.now() / 1000);
  const head = { id, object: chat ? "chat.completion.chunk" : "text_completion", created, model: model.id };
  const wantLogprobs = request.job.logprobs !== undefined;
  const logprobs: TokenLogprob[] = [];
  let sentText = 0; // characters streamed so far (text_offset of the next completion token)
  let stream: EventStream | null = null;
  const usageNull = request.includeUsage ? { usage: null } : {};

  /** One chunk: a piece of text (and its token's log-probability) or the finish. */
  const chunk = (text: string | null, lp: TokenLogprob | null, finish: string | null) => {
    const lps = lp
      ? chat
        ? chatLogprobs(model.tokenizer, [lp])
        : completionLogprobs(model.tokenizer, [lp], sentText)
      : null;
    const choice = chat
      ? { index: 0, delta: text === null ? {} : { content: text }, logprobs: lps, finish_reason: finish }
      : { text: text ?? "", index: 0, logprobs: lps, finish_reason: finish };
    stream!.send({ ...head, choices: [choice], ...usageNull });
    sentText += text?.length ?? 0;
  };

  const job = ctx.engine.submit(request.job, (event: TokenEvent) => {
    if (event.logprob) logprobs.push(event.logprob);
    if (stream && (event.text !== "" || (wantLogprobs && event.logprob)))
      chunk(event.text, event.logprob ?? null, null);
  });
  onClientGone(res, () => job.cancel());
  if (request.stream) {
    stream = openSse(res);
    if (chat) {
      stream.send({
        ...head,
        choices: [
          { index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null },
        ],
        ...usageNull,
      });
    }
  }

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
  if (result.finish_reason === "cancelled") return; // the client is gone

  if (stream) {
    chunk(null, null, finishReason(result.finish_reason));
    if (request.includeUsage) stream.send({ ...head, choices: [], usage: usage(result) });
    stream.end();
    return;
  }
  const lps = wantLogprobs
    ? chat
      ? chatLogprobs(model.tokenizer, logprobs)
      : completionLogprobs(model.tokenizer, logprobs, 0)
    : null;
  const finish = finishReason(result.finish_reason);
  const choice = chat
    ? {
        index: 0,
        message: { role: "assistant", content: result.text, refusal: null },
        logprobs: lps,
        finish_reason: finish,
      }
    : { text: result.text, index: 0, logprobs: lps, finish_reason: finish };
  sendJson(res, 200, {
    id,
    object: chat ? "chat.completion" : "text_completion",
    created,
    model: model.id,
    choices: [choice],
    usage: usage(result),
  });
}
