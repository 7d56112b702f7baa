// Prompts: text to the ids a model is given, as `llmts generate --prompt` makes them, and the
// prompts of the four ways to give a model new knowledge.
//
//   as is               the question
//   context injection   the fact, a blank line, the question
//   retrieval (RAG)     the chunks retrieval found, each on its own line, a blank line, the question
//   fine-tuning         the question again — the knowledge is now in the weights
// Not here: finding the chunks (bm25.ts), fine-tuning (worker/finetune.ts).
// Reference: apps/cli's generate command (encodePrompt: BOS first when the tokenizer says so).

import type { Tokenizer } from "@llmts/tokenizer";

/**
 * Prompt text -> ids, with BOS first when the tokenizer says the model expects it (Llama 2), as
 * `llmts generate` does; no closing special tokens, so the model continues the text.
 */
export function encodePrompt(tokenizer: Tokenizer, prompt: string): number[] {
  const bos = tokenizer.addBos && tokenizer.bosId !== undefined ? [tokenizer.bosId] : [];
  return [...bos, ...tokenizer.encode(prompt)];
}

export type KnowledgeWay = "as-is" | "context" | "retrieval" | "fine-tune";
export const KNOWLEDGE_WAYS: KnowledgeWay[] = ["as-is", "context", "retrieval", "fine-tune"];

/** The prompt each way sends for `question`. */
export function knowledgePrompt(way: KnowledgeWay, question: string, fact: string, chunks: string[]): string {
  switch (way) {
    case "context":
      return `${fact.trim()}\n\n${question}`;
    case "retrieval":
      return chunks.length === 0 ? question : `${chunks.join("\n")}\n\n${question}`;
    default:
      return question;
  }
}
