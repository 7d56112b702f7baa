// llama2.c's tokenizer.bin: a SentencePiece BPE vocabulary with scores and no merge list.
//
//   int32 max_token_length, then per token: float32 score, int32 byte length, the UTF-8 bytes.
//   Spaces are spelled " " (not "▁"); <s> and </s> are written "\n<s>\n" and "\n</s>\n".
//   The vocabulary size is not stored: tokens run to the end of the file.
//
// Merging "by score" (SentencePiece's BPE and llama2.c's encode): at each step, merge the
// adjacent pair whose concatenation is a vocabulary token with the highest score. We turn that
// into a rank table: every way to split a token t into two vocabulary tokens (a, b) is a merge
// whose rank is t's position in descending score order, and reuse the BPE merge loop.
//   "▁the" (score -5) -> merges ("▁", "the"), ("▁t", "he"), ("▁th", "e"), all with t's rank
// Reference: karpathy/llama2.c tokenizer.py (export) and run.c (encode); Hugging Face's
// SentencePieceExtractor (the same all-splits construction for tokenizer.json).

import { ID_SPACE, type MergeTable, pairKey } from "./bpe.ts";
import { mergesForJson } from "./gpt2-files.ts";
import type { JsonObject } from "./json-fields.ts";
import { SentencePieceBpeTokenizer } from "./sentencepiece-bpe.ts";
import { TokenizerError } from "./types.ts";

/** Parse tokenizer.bin into tokens (with "▁" for spaces) and scores. */
export function readLlama2cTokenizer(
  bytes: Uint8Array,
  file: string,
): { tokens: string[]; scores: number[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder("utf-8");
  const tokens: string[] = [];
  const scores: number[] = [];
  if (bytes.length < 4)
    throw new TokenizerError(`tokenizer: ${file} is too short for a llama2.c tokenizer.bin`);
  let offset = 4;
  while (offset < bytes.length) {
    if (offset + 8 > bytes.length) {
      throw new TokenizerError(
        `tokenizer: token ${tokens.length}: header cut off at byte ${offset} (${file})`,
      );
    }
    const score = view.getFloat32(offset, true);
    const length = view.getInt32(offset + 4, true);
    offset += 8;
    if (length < 0 || offset + length > bytes.length) {
      throw new TokenizerError(
        `tokenizer: token ${tokens.length}: length ${length} runs past the end of the file (${file})`,
      );
    }
    const text = utf8.decode(bytes.subarray(offset, offset + length));
    offset += length;
    tokens.push(text.startsWith("\n<") ? text.trim() : text.replaceAll(" ", "▁"));
    scores.push(score);
  }
  return { tokens, scores };
}

/** Every split of every token into two vocabulary tokens, ranked by the token's score. */
export function mergesFromScores(tokens: string[], scores: number[], vocab: Map<string, number>): MergeTable {
  const order = tokens.map((_, id) => id).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const table: MergeTable = new Map();
  order.forEach((id, rank) => {
    const chars = [...tokens[id]!];
    for (let k = 1; k < chars.length; k++) {
      const a = vocab.get(chars.slice(0, k).join(""));
      const b = vocab.get(chars.slice(k).join(""));
      if (a !== undefined && b !== undefined && !table.has(pairKey(a, b)))
        table.set(pairKey(a, b), rank * ID_SPACE + id);
    }
  });
  return table;
}

/** A Llama 2 tokenizer from llama2.c's tokenizer.bin: <unk>=0, <s>=1, </s>=2, byte fallback. */
export function fromLlama2cTokenizer(bytes: Uint8Array, file: string): SentencePieceBpeTokenizer {
  const { tokens, scores } = readLlama2cTokenizer(bytes, file);
  const vocab = new Map<string, number>();
  tokens.forEach((t, id) => {
    if (!vocab.has(t)) vocab.set(t, id);
  });
  const merges = mergesFromScores(tokens, scores, vocab);
  const specials = [0, 1, 2]
    .filter((id) => id < tokens.length)
    .map((id) => ({ id, content: tokens[id]!, special: true }));
  // The matching tokenizer.json, for save(): merges listed best first.
  const mergeList = [...merges]
    .sort((x, y) => x[1] - y[1])
    .map(([key]): [string, string] => [tokens[Math.floor(key / ID_SPACE)]!, tokens[key % ID_SPACE]!]);
  const json: JsonObject = {
    version: "1.0",
    added_tokens: specials.map((t) => ({
      ...t,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
    })),
    normalizer: {
      type: "Sequence",
      normalizers: [
        { type: "Prepend", prepend: "▁" },
        { type: "Replace", pattern: { String: " " }, content: "▁" },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
      pair: [],
      special_tokens: { "<s>": { id: "<s>", ids: [1], tokens: ["<s>"] } },
    },
    decoder: {
      type: "Sequence",
      decoders: [
        { type: "Replace", pattern: { String: "▁" }, content: " " },
        { type: "ByteFallback" },
        { type: "Fuse" },
        { type: "Strip", content: " ", start: 1, stop: 0 },
      ],
    },
    model: {
      type: "BPE",
      unk_token: tokens[0] ?? null,
      fuse_unk: true,
      byte_fallback: true,
      vocab: Object.fromEntries(vocab),
      merges: mergesForJson(mergeList),
    },
  };
  return new SentencePieceBpeTokenizer(
    {
      vocab,
      merges,
      addedTokens: specials,
      normalize: (text) => (text.length > 0 ? `▁${text.replaceAll(" ", "▁")}` : text),
      preTokenize: (pieces) => pieces,
      ignoreMerges: false,
      bosId: tokens.length > 1 ? 1 : undefined,
      eosId: tokens.length > 2 ? 2 : undefined,
      addBos: true,
      template: { prefix: tokens.length > 1 ? [1] : [], suffix: [] },
      json,
    },
    {
      byteFallback: true,
      decodeByteTokens: true,
      unkId: 0,
      fuseUnk: true,
      stripLeadingSpace: true,
      replacement: "▁",
    },
  );
}
