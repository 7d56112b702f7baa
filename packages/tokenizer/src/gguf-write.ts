// A tokenizer as GGUF metadata (the keys of gguf-vocab.ts), for a model exported to llama.cpp /
// Ollama. Worked from the tokenizer.json each tokenizer saves as (toTokenizerJson), so every kind
// takes one path:
//
//   byte-level BPE (GPT-2, Llama 3, Qwen2)  -> "gpt2": tokens, merges, and the pre-tokenizer's
//                                              name (its regex must be one llama.cpp knows)
//   SentencePiece-style BPE (Llama 2)       -> "llama": tokens, and scores that give the merges'
//                                              order: a token made by merge k scores -k
//   char (the demo's)                       -> "llama": each character a token (" " spelled "▁"),
//                                              no merges, no space prefix, no BOS
// Token types: control for special added tokens, user-defined for other added tokens, byte for
// <0xNN>, unknown for the unknown token, normal for the rest. Ids past the tokenizer's up to the
// model's vocabulary size are padded with "[PAD{id}]" tokens of type unused, as llama.cpp's
// converter pads: llama.cpp needs one token per embedding row.
// Not here: reading (gguf-read.ts), the model's keys (@llmts/model).
// Reference: llama.cpp convert_hf_to_gguf.py (_set_vocab_gpt2, _set_vocab_sentencepiece);
// gguf-py vocab.py.

import type { GgufMetadata, GgufValue } from "@llmts/gguf";
import { PRE_TOKENIZER_PATTERNS, TOKEN_TYPE } from "./gguf-vocab.ts";
import type { JsonObject } from "./json-fields.ts";
import { type Tokenizer, TokenizerError } from "./types.ts";

const BYTE_TOKEN = /^<0x[0-9A-Fa-f]{2}>$/;

/** tokenizer.ggml.pre for a byte-level tokenizer.json's pre-tokenizer. */
function preTokenizerName(json: JsonObject): string {
  const pre = json.pre_tokenizer as JsonObject | null;
  if (pre?.type === "ByteLevel" && pre.use_regex !== false) return "gpt2";
  const parts = pre?.type === "Sequence" ? ((pre.pretokenizers ?? []) as JsonObject[]) : [];
  const split = parts[0];
  const regex =
    split?.type === "Split" ? ((split.pattern as JsonObject | undefined)?.Regex as string) : undefined;
  const name = Object.entries(PRE_TOKENIZER_PATTERNS).find(([, p]) => p === regex)?.[0];
  if (name === undefined || parts.length !== 2 || parts[1]?.type !== "ByteLevel") {
    throw new TokenizerError(
      `tokenizer: this byte-level pre-tokenizer (${JSON.stringify(pre).slice(0, 80)}...) has no llama.cpp name (known: GPT-2's, Llama 3's, Qwen2's)`,
    );
  }
  return name;
}

/** Whether a SentencePiece-style tokenizer.json puts "▁" before the text. */
function addsSpacePrefix(json: JsonObject): boolean {
  const text = JSON.stringify([json.normalizer, json.pre_tokenizer]);
  return (
    /"type":"Prepend"/.test(text) ||
    /"prepend_scheme":"(always|first)"/.test(text) ||
    /"add_prefix_space":true/.test(text)
  );
}

export function tokenizerToGguf(tokenizer: Tokenizer, options: { vocabSize?: number } = {}): GgufMetadata {
  const json = JSON.parse(tokenizer.toTokenizerJson()) as JsonObject;
  const model = json.model as JsonObject;
  const size = Math.max(tokenizer.vocabSize, options.vocabSize ?? 0);
  const tokens: (string | undefined)[] = new Array(size);
  const types = new Int32Array(size).fill(TOKEN_TYPE.normal);
  for (const [token, id] of Object.entries(model.vocab as Record<string, number>)) tokens[id] = token;
  for (const t of (json.added_tokens ?? []) as { id: number; content: string; special: boolean }[]) {
    tokens[t.id] = t.content;
    types[t.id] = t.special ? TOKEN_TYPE.control : TOKEN_TYPE.userDefined;
  }
  for (let i = 0; i < size; i++) {
    if (tokens[i] === undefined) {
      tokens[i] = `[PAD${i}]`;
      types[i] = TOKEN_TYPE.unused;
    } else if (BYTE_TOKEN.test(tokens[i]!) && types[i] === TOKEN_TYPE.normal) types[i] = TOKEN_TYPE.byte;
  }
  const unk = typeof model.unk_token === "string" ? tokenizer.tokenToId(model.unk_token) : undefined;
  if (unk !== undefined) types[unk] = TOKEN_TYPE.unknown;

  const md: GgufMetadata = new Map();
  const str = (value: string): GgufValue => ({ type: "string", value });
  const u32 = (value: number): GgufValue => ({ type: "uint32", value });
  const bool = (value: boolean): GgufValue => ({ type: "bool", value });
  let scores: Float32Array | null = null;
  let merges: string[] | null = null;
  let spacePrefix: boolean | null = null;
  if (tokenizer.kind === "byte-level-bpe") {
    md.set("tokenizer.ggml.model", str("gpt2"));
    md.set("tokenizer.ggml.pre", str(preTokenizerName(json)));
    merges = ((model.merges ?? []) as (string | string[])[]).map((m) =>
      typeof m === "string" ? m : m.join(" "),
    );
  } else if (tokenizer.kind === "sentencepiece-bpe") {
    md.set("tokenizer.ggml.model", str("llama"));
    md.set("tokenizer.ggml.pre", str("default"));
    scores = new Float32Array(size);
    const scored = new Set<number>();
    ((model.merges ?? []) as (string | string[])[]).forEach((m, k) => {
      const [a, b] = typeof m === "string" ? m.split(" ") : m;
      const id = tokenizer.tokenToId(`${a}${b}`);
      if (id !== undefined && !scored.has(id)) {
        scores![id] = -k; // the first (best) merge that makes this token
        scored.add(id);
      }
    });
    spacePrefix = addsSpacePrefix(json);
  } else {
    // char: one token per character, " " written "▁" as SentencePiece vocabularies spell it
    if (tokens.some((t) => t === "▁"))
      throw new TokenizerError(
        'tokenizer: a char vocabulary holding "▁" cannot be written as a llama.cpp vocabulary',
      );
    for (let i = 0; i < size; i++) if (tokens[i] === " ") tokens[i] = "▁";
    md.set("tokenizer.ggml.model", str("llama"));
    md.set("tokenizer.ggml.pre", str("default"));
    scores = new Float32Array(size);
    spacePrefix = false;
  }
  md.set("tokenizer.ggml.tokens", { type: "array", itemType: "string", value: tokens as string[] });
  if (scores !== null) md.set("tokenizer.ggml.scores", { type: "array", itemType: "float32", value: scores });
  md.set("tokenizer.ggml.token_type", { type: "array", itemType: "int32", value: types });
  if (merges !== null) md.set("tokenizer.ggml.merges", { type: "array", itemType: "string", value: merges });
  if (tokenizer.bosId !== undefined) md.set("tokenizer.ggml.bos_token_id", u32(tokenizer.bosId));
  if (tokenizer.eosId !== undefined) md.set("tokenizer.ggml.eos_token_id", u32(tokenizer.eosId));
  if (unk !== undefined) md.set("tokenizer.ggml.unknown_token_id", u32(unk));
  md.set("tokenizer.ggml.add_bos_token", bool(tokenizer.addBos));
  md.set("tokenizer.ggml.add_eos_token", bool(false));
  if (spacePrefix !== null) md.set("tokenizer.ggml.add_space_prefix", bool(spacePrefix));
  return md;
}
