// What a command that runs a model reads from its directory besides the weights, shared by
// `llmts generate`, `llmts serve` and `llmts chat`: how a prompt is
// encoded (BOS first where the model expects it), and which ids end generation.
// Not here: loading the weights (@llmts/model/node), the tokenizer itself (@llmts/tokenizer/node).

import { existsSync } from "node:fs";
import { join } from "node:path";
import { MAX_JSON_BYTES, readLimitedText } from "@llmts/safetensors/node";
import { readEosTokenIds } from "@llmts/sample";
import type { Tokenizer } from "@llmts/tokenizer";
import { CliError } from "./errors.ts";

/**
 * Prompt text -> ids, with BOS first when the tokenizer says the model expects it (Llama 2), as
 * llama2.c does. Not encode(prompt, { addSpecialTokens: true }): a template's closing tokens (an
 * EOS with add_eos_token, BERT's [SEP]) would end the prompt before the model continues it.
 */
export function encodePrompt(tokenizer: Tokenizer, prompt: string): number[] {
  const bos = tokenizer.addBos && tokenizer.bosId !== undefined ? [tokenizer.bosId] : [];
  return [...bos, ...tokenizer.encode(prompt)];
}

/**
 * EOS ids: generation_config.json, else config.json (HF's precedence), plus the tokenizer's EOS.
 * HF's generate() would not add the tokenizer's; llama.cpp does, and a toy model trained here on a
 * BPE with <|endoftext|> may have no eos_token_id in its config at all, yet should stop there.
 */
export function eosIds(dir: string, tokenizer: Tokenizer | undefined): number[] {
  const ids = readEosTokenIds(
    ["generation_config.json", "config.json"].map((name) => {
      const file = join(dir, name);
      return { file, json: readJson(file) };
    }),
  );
  if (tokenizer?.eosId !== undefined && !ids.includes(tokenizer.eosId)) ids.push(tokenizer.eosId);
  return ids;
}

/** A small JSON file (generation_config.json, config.json): regular, at most MAX_JSON_BYTES. */
export function readJson(file: string): unknown {
  if (!existsSync(file)) return undefined;
  const text = readLimitedText(file, MAX_JSON_BYTES, (reason) => {
    throw new CliError(`${file} ${reason}`);
  });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}
