// The response objects of the OpenAI routes, as the official clients parse them.
//
//   chat, whole:    {id: "chatcmpl-…", object: "chat.completion", created, model,
//                    choices: [{index: 0, message: {role: "assistant", content}, logprobs, finish_reason}],
//                    usage: {prompt_tokens, completion_tokens, total_tokens, prompt_tokens_details}}
//   chat, streamed: "chat.completion.chunk"s: first delta {role: "assistant", content: ""}, then
//                    {content: piece}, then {} with finish_reason; usage in a last chunk with
//                    choices [] when stream_options.include_usage
//   completions:    the same with object "text_completion" and choices[].text
//
// finish_reason: "stop" for an EOS token or a stop string, "length" for max_tokens (or the end of
// the context). usage counts every sampled token, a final EOS included; prompt_tokens_details.
// cached_tokens are prompt tokens a slot still held from an earlier request (not computed again).
// Not here: running the request (openai-routes.ts).
// Reference: OpenAI API reference, "The chat completion object", "The chat completion chunk
// object", "The completion object"; "Log probabilities".

import type { BatchFinishReason, BatchResult, TokenLogprob } from "@llmts/sample";
import type { Tokenizer } from "@llmts/tokenizer";

export function finishReason(reason: BatchFinishReason): "stop" | "length" {
  return reason === "length" ? "length" : "stop";
}

export function usage(r: BatchResult) {
  return {
    prompt_tokens: r.prompt_ids.length,
    completion_tokens: r.generated_ids.length,
    total_tokens: r.prompt_ids.length + r.generated_ids.length,
    prompt_tokens_details: { cached_tokens: r.cached_tokens },
  };
}

/** A token as text on its own ("▁the" -> " the"; a lone byte of a multi-byte character -> U+FFFD). */
function tokenText(tokenizer: Tokenizer, id: number): string {
  const bytes = tokenizer.idToBytes(id);
  return bytes ? new TextDecoder().decode(bytes) : tokenizer.decode([id]);
}

function tokenBytes(tokenizer: Tokenizer, id: number): number[] {
  const bytes = tokenizer.idToBytes(id);
  return bytes ? Array.from(bytes) : Array.from(new TextEncoder().encode(tokenizer.decode([id])));
}

/** Chat: {content: [{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}], refusal: null}. */
export function chatLogprobs(tokenizer: Tokenizer, tokens: readonly TokenLogprob[]) {
  const entry = (id: number, logprob: number) => ({
    token: tokenText(tokenizer, id),
    logprob,
    bytes: tokenBytes(tokenizer, id),
  });
  return {
    content: tokens.map((t) => ({
      ...entry(t.id, t.logprob),
      top_logprobs: t.top.map((a) => entry(a.id, a.logprob)),
    })),
    refusal: null,
  };
}

/** Completions (the legacy shape): {tokens, token_logprobs, top_logprobs: [{token: logprob}], text_offset}. */
export function completionLogprobs(tokenizer: Tokenizer, tokens: readonly TokenLogprob[], offset: number) {
  const texts = tokens.map((t) => tokenText(tokenizer, t.id));
  const textOffset: number[] = [];
  for (const text of texts) {
    textOffset.push(offset);
    offset += text.length;
  }
  return {
    tokens: texts,
    token_logprobs: tokens.map((t) => t.logprob),
    top_logprobs: tokens.map((t) =>
      Object.fromEntries(t.top.map((a) => [tokenText(tokenizer, a.id), a.logprob])),
    ),
    text_offset: textOffset,
  };
}
