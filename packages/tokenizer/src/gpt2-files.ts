// GPT-2's original files -> a tokenizer.json, so there is one loading path for byte-level BPE.
//   vocab.json   {"!": 0, "\"": 1, ..., "Ġthe": 262, ..., "<|endoftext|>": 50256}
//   merges.txt   "#version: 0.2" then one merge per line, best first: "Ġ t", "Ġ a", "h e", ...
// The tokenizer.json we build is the one Hugging Face uses for gpt2: BPE model, ByteLevel
// pre-tokenizer (GPT-2's regex) and decoder, "<|endoftext|>" as a special added token.
// Reference: openai/gpt-2 src/encoder.py (get_encoder); huggingface/transformers GPT2Tokenizer.

import { type Json, type JsonObject, JsonSource } from "./json-fields.ts";

export interface ByteLevelJsonParts {
  vocab: Record<string, number>;
  merges: [string, string][];
  /** Added special tokens, e.g. [{content: "<|endoftext|>", id: 50256}]. */
  specialTokens: { content: string; id: number }[];
}

const BYTE_LEVEL = { add_prefix_space: false, trim_offsets: true, use_regex: true };

/**
 * Merges as written into a tokenizer.json: "a b" strings, the form every version of Hugging Face
 * tokenizers reads ([a, b] pairs need tokenizers >= 0.20, transformers >= 4.45). A string is
 * unambiguous only if no token contains a space; byte-level and SentencePiece tokens never do
 * (a space is "Ġ" or "▁"), but if one did we would keep the pairs.
 */
export function mergesForJson(merges: readonly (readonly [string, string])[]): Json[] {
  const spaced = merges.some(([a, b]) => a.includes(" ") || b.includes(" "));
  return merges.map(([a, b]) => (spaced ? [a, b] : `${a} ${b}`));
}

/** A GPT-2-style tokenizer.json. */
export function byteLevelBpeJson({ vocab, merges, specialTokens }: ByteLevelJsonParts): JsonObject {
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: specialTokens.map((t) => ({
      id: t.id,
      content: t.content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", ...BYTE_LEVEL },
    post_processor: { type: "ByteLevel", ...BYTE_LEVEL, trim_offsets: false },
    decoder: { type: "ByteLevel", ...BYTE_LEVEL },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: mergesForJson(merges),
    },
  };
}

/** Well-known special tokens that GPT-2-style vocab.json files carry inside the vocabulary. */
const KNOWN_SPECIALS = ["<|endoftext|>"];

/** Parse vocab.json + merges.txt; errors name the file and line. */
export function gpt2FilesToJson(
  vocabText: string,
  vocabFile: string,
  mergesText: string,
  mergesFile: string,
): JsonObject {
  const source = new JsonSource(vocabFile);
  const vocabJson = source.object(source.parse(vocabText) as Json, "(top level)");
  const vocab: Record<string, number> = {};
  for (const [token, id] of Object.entries(vocabJson)) vocab[token] = source.id(id, JSON.stringify(token));

  const merges: [string, string][] = [];
  const lines = mergesText.split(/\r?\n/);
  lines.forEach((line, k) => {
    if (line === "" || (k === 0 && line.startsWith("#version"))) return;
    const where = new JsonSource(mergesFile);
    const parts = line.split(" ");
    if (parts.length !== 2)
      where.fail(`line ${k + 1}`, `expected two tokens separated by one space, got ${JSON.stringify(line)}`);
    const [a, b] = parts as [string, string];
    for (const token of [a, b, a + b]) {
      if (vocab[token] === undefined)
        where.fail(`line ${k + 1}`, `token ${JSON.stringify(token)} is not in ${vocabFile}`);
    }
    merges.push([a, b]);
  });
  const specialTokens = KNOWN_SPECIALS.filter((t) => vocab[t] !== undefined).map((t) => ({
    content: t,
    id: vocab[t]!,
  }));
  return byteLevelBpeJson({ vocab, merges, specialTokens });
}
