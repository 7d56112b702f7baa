// What the server serves: one model, loaded once by whoever starts the server (`llmts serve`
// loads a checkpoint directory), with everything a request needs to turn text into ids and back.
// Not here: loading files (apps/cli's serving-model.ts), HTTP (server.ts).

import type { ChatTemplate } from "@llmts/chat";
import type { SlotModel } from "@llmts/sample";
import type { Tokenizer } from "@llmts/tokenizer";

export interface ServedModel {
  /** The name clients use ("moby-dick"); Ollama clients may add ":latest". */
  id: string;
  /** The model with one KV-cache slot per sequence decoded together (slots = the batch size). */
  slots: SlotModel;
  tokenizer: Tokenizer;
  /** The model's chat template, or the plain default (ChatTemplate.plain()). */
  template: ChatTemplate;
  /** Generation ends at these ids (llmts generate's rule: generation_config.json, config.json, tokenizer). */
  eosIds: readonly number[];
  /** Prompt text -> ids as `llmts generate --prompt` encodes it (BOS first where the model expects it). */
  encodePrompt(text: string): number[];
  /** The cold start: reading the checkpoint and preparing the weights, in milliseconds. */
  loadDurationMs: number;
  /** When it was loaded, in Unix seconds (OpenAI's `created`). */
  created: number;
  /** For Ollama's /api/tags. */
  details: {
    /** "llama", "gpt2" */
    family: string;
    parameterCount: number;
    /** Bytes of the weights file(s). */
    sizeBytes: number;
    /** sha256 of config.json: a name for this exact architecture and size. */
    digest: string;
    /** ISO time of the weights file's last change. */
    modifiedAt: string;
  };
}
