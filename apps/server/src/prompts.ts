// Prompts as the routes receive them, to ids:
//   text               -> the model's encodePrompt (BOS where `llmts generate` adds it)
//   token ids          -> as given (checked against the vocabulary in sampling.ts)
//   chat messages      -> the chat template, then the tokenizer (@llmts/chat's chatPromptIds)
// A message list is checked here: roles system / user / assistant (OpenAI's "developer" is its
// newer name for system), content a string or a list of text parts.
// A character the tokenizer cannot encode, or a template that refuses the conversation, is a 400.
// Not here: sampling fields (sampling.ts).

import { type ChatMessage, chatPromptIds } from "@llmts/chat";
import { ApiError, badField } from "./api-error.ts";
import { shown } from "./fields.ts";
import type { ServedModel } from "./served-model.ts";

const ROLES = new Set(["system", "user", "assistant"]);

/** `messages` as ChatMessages; `field` names it in errors ("messages"). */
export function parseMessages(value: unknown, field: string): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw badField(field, `${field} must be a non-empty list of {role, content}, got ${shown(value)}`);
  }
  return value.map((m: unknown, i) => {
    const at = `${field}[${i}]`;
    if (m === null || typeof m !== "object" || Array.isArray(m)) {
      throw badField(at, `${at} must be an object {role, content}, got ${shown(m)}`);
    }
    const { role: rawRole, content, images } = m as Record<string, unknown>;
    const role = rawRole === "developer" ? "system" : rawRole;
    if (typeof role !== "string" || !ROLES.has(role)) {
      throw badField(
        `${at}.role`,
        `${at}.role must be "system", "user" or "assistant", got ${shown(rawRole)}`,
      );
    }
    if (images !== undefined && images !== null) {
      throw badField(`${at}.images`, `${at}.images: this server runs text-only models`);
    }
    return { role, content: messageText(content, `${at}.content`) };
  });
}

/** A string, or OpenAI's content parts [{type: "text", text}], joined. */
function messageText(content: unknown, at: string): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown, k) => {
        const p = part as { type?: unknown; text?: unknown } | null;
        if (p?.type !== "text" || typeof p.text !== "string") {
          throw badField(
            `${at}[${k}]`,
            `${at}[${k}] must be {"type": "text", "text": "..."} (text-only models), got ${shown(part)}`,
          );
        }
        return p.text;
      })
      .join("");
  }
  throw badField(at, `${at} must be a string or a list of text parts, got ${shown(content)}`);
}

export function chatIds(model: ServedModel, messages: ChatMessage[], field: string): number[] {
  return encoding(field, () => chatPromptIds(model.template, model.tokenizer, messages));
}

/** Text as `llmts generate --prompt` encodes it; after earlier ids (`continued`), without BOS. */
export function textIds(model: ServedModel, text: string, field: string, continued = false): number[] {
  return encoding(field, () => (continued ? model.tokenizer.encode(text) : model.encodePrompt(text)));
}

/** Runs an encoding step, turning the tokenizer's and template's own errors into a 400 on `field`. */
function encoding(field: string, encode: () => number[]): number[] {
  try {
    return encode();
  } catch (error) {
    const name = (error as Error).name;
    if (name === "TokenizerError" || name === "ChatTemplateError") {
      throw new ApiError(400, `${field}: ${(error as Error).message}`, { param: field });
    }
    throw error;
  }
}
