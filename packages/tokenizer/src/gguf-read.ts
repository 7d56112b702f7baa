// A tokenizer from a GGUF file's metadata (gguf-vocab.ts lists the keys), so a GGUF file alone
// is enough to encode a prompt and decode what a model says. Like vocab.json + merges.txt, the
// keys are turned into a tokenizer.json first and loaded by fromTokenizerJson: one loading path.
//
//   "llama"  tokens + scores -> merges by score (llama2c.ts mergesFromScores: SentencePiece's
//            "merge the pair whose result scores highest"), "▁" for spaces, byte fallback
//            through <0xNN> tokens; add_space_prefix puts "▁" before the text
//   "gpt2"   tokens + merges -> GPT-2's byte-level BPE, with the pre-tokenizer tokenizer.ggml.pre
//            names (GPT-2's, Llama 3's or Qwen2's regex)
// Control and unknown tokens become special added tokens (matched in text, decoded as their
// content), user-defined tokens plain added ones; BOS is put first when add_bos_token says so
// (default: yes for "llama", no for "gpt2", as llama.cpp defaults).
// Not here: the file (node/load.ts reads the header), other tokenizer models ("bert", "rwkv", ...:
// refused, named).
// Reference: llama.cpp llama-vocab.cpp (load, tokenizer_st_partition); gguf-py vocab.py.

import type { GgufArrayItems, GgufMetadata, GgufValue, GgufValueType } from "@llmts/gguf";
import { ID_SPACE } from "./bpe.ts";
import { PRE_TOKENIZER_PATTERNS, PRE_TOKENIZERS, TOKEN_TYPE } from "./gguf-vocab.ts";
import { byteLevelBpeJson, mergesForJson } from "./gpt2-files.ts";
import type { JsonObject } from "./json-fields.ts";
import { mergesFromScores } from "./llama2c.ts";
import { fromTokenizerJson } from "./tokenizer-json.ts";
import { type Tokenizer, TokenizerError } from "./types.ts";

// Typed access to the keys, failing with a TokenizerError that names the key and the file. (Only
// types come from @llmts/gguf: the tokenizer's main entry bundles for browsers on its own.)
function lookup(md: GgufMetadata, key: string, file: string): GgufValue {
  const v = md.get(key);
  if (v === undefined) throw new TokenizerError(`tokenizer: ${file}: metadata key "${key}" is missing`);
  return v;
}
const wrongType = (key: string, v: GgufValue, expected: string, file: string) =>
  new TokenizerError(`tokenizer: ${file}: metadata "${key}" is ${v.type}, expected ${expected}`);
function getString(md: GgufMetadata, key: string, file: string): string {
  const v = lookup(md, key, file);
  if (v.type !== "string") throw wrongType(key, v, "a string", file);
  return v.value;
}
function getBoolean(md: GgufMetadata, key: string, file: string): boolean {
  const v = lookup(md, key, file);
  if (v.type !== "bool") throw wrongType(key, v, "a bool", file);
  return v.value;
}
function getNumber(md: GgufMetadata, key: string, file: string): number {
  const v = lookup(md, key, file);
  if (typeof v.value !== "number" && typeof v.value !== "bigint") throw wrongType(key, v, "a number", file);
  return Number(v.value);
}
function getArray<K extends GgufValueType>(
  md: GgufMetadata,
  key: string,
  itemType: K,
  file: string,
): GgufArrayItems[K] {
  const v = lookup(md, key, file);
  if (v.type !== "array" || v.itemType !== itemType) throw wrongType(key, v, `an array of ${itemType}`, file);
  return v.value as GgufArrayItems[K];
}

/** True when the metadata holds a tokenizer (tokenizer.ggml.model). */
export function hasGgufTokenizer(md: GgufMetadata): boolean {
  return md.has("tokenizer.ggml.model");
}

export function tokenizerFromGguf(md: GgufMetadata, file: string): Tokenizer {
  const model = getString(md, "tokenizer.ggml.model", file);
  const tokens = getArray(md, "tokenizer.ggml.tokens", "string", file);
  const n = tokens.length;
  const types = md.has("tokenizer.ggml.token_type")
    ? getArray(md, "tokenizer.ggml.token_type", "int32", file)
    : new Int32Array(n).fill(TOKEN_TYPE.normal);
  if (types.length !== n) {
    throw new TokenizerError(
      `tokenizer: ${file}: tokenizer.ggml.token_type has ${types.length} entries for ${n} tokens`,
    );
  }
  const id = (key: string): number | undefined => {
    if (!md.has(key)) return undefined;
    const v = getNumber(md, key, file);
    if (!Number.isInteger(v) || v < 0 || v >= n)
      throw new TokenizerError(`tokenizer: ${file}: ${key} ${v} is not a token id`);
    return v;
  };
  const flag = (key: string, fallback: boolean) => (md.has(key) ? getBoolean(md, key, file) : fallback);
  const bos = id("tokenizer.ggml.bos_token_id");
  const eos = id("tokenizer.ggml.eos_token_id");
  const unk = id("tokenizer.ggml.unknown_token_id");
  const added = tokens.flatMap((content, i) => {
    const t = types[i];
    const special = t === TOKEN_TYPE.control || t === TOKEN_TYPE.unknown || i === bos || i === eos;
    if (!special && t !== TOKEN_TYPE.userDefined) return [];
    return [
      { id: i, content, special, single_word: false, lstrip: false, rstrip: false, normalized: !special },
    ];
  });
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => {
    if (!Object.hasOwn(vocab, t)) vocab[t] = i;
  });
  let json: JsonObject;
  if (model === "llama") {
    const scores = md.has("tokenizer.ggml.scores")
      ? getArray(md, "tokenizer.ggml.scores", "float32", file)
      : new Float32Array(n);
    if (scores.length !== n) {
      throw new TokenizerError(
        `tokenizer: ${file}: tokenizer.ggml.scores has ${scores.length} entries for ${n} tokens`,
      );
    }
    const prefix = flag("tokenizer.ggml.add_space_prefix", true);
    const table = mergesFromScores([...tokens], Array.from(scores), new Map(Object.entries(vocab)));
    const merges = [...table]
      .sort((x, y) => x[1] - y[1])
      .map(([key]): [string, string] => [tokens[Math.floor(key / ID_SPACE)]!, tokens[key % ID_SPACE]!]);
    json = {
      version: "1.0",
      added_tokens: added,
      normalizer: {
        type: "Sequence",
        normalizers: [
          ...(prefix ? [{ type: "Prepend", prepend: "▁" }] : []),
          { type: "Replace", pattern: { String: " " }, content: "▁" },
        ],
      },
      pre_tokenizer: null,
      post_processor: null,
      decoder: {
        type: "Sequence",
        decoders: [
          { type: "Replace", pattern: { String: "▁" }, content: " " },
          { type: "ByteFallback" },
          { type: "Fuse" },
          ...(prefix ? [{ type: "Strip", content: " ", start: 1, stop: 0 }] : []),
        ],
      },
      model: {
        type: "BPE",
        unk_token: unk === undefined ? null : tokens[unk]!,
        fuse_unk: true,
        byte_fallback: true,
        vocab,
        merges: mergesForJson(merges),
      },
    };
  } else if (model === "gpt2") {
    const merges = getArray(md, "tokenizer.ggml.merges", "string", file).map((m, k): [string, string] => {
      const pair = m.split(" ");
      if (pair.length !== 2)
        throw new TokenizerError(
          `tokenizer: ${file}: tokenizer.ggml.merges[${k}] is not "a b": ${JSON.stringify(m)}`,
        );
      return pair as [string, string];
    });
    const pre = md.has("tokenizer.ggml.pre") ? getString(md, "tokenizer.ggml.pre", file) : "gpt2";
    const pattern = PRE_TOKENIZER_PATTERNS[pre];
    if (pattern === undefined && pre !== "gpt2" && pre !== "default") {
      throw new TokenizerError(
        `tokenizer: ${file}: tokenizer.ggml.pre "${pre}" is not supported (supported: ${PRE_TOKENIZERS.join(", ")})`,
      );
    }
    json = byteLevelBpeJson({ vocab, merges, specialTokens: [] });
    json.added_tokens = added;
    if (pattern !== undefined) {
      const byteLevel = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false };
      json.pre_tokenizer = {
        type: "Sequence",
        pretokenizers: [
          { type: "Split", pattern: { Regex: pattern }, behavior: "Isolated", invert: false },
          byteLevel,
        ],
      };
      (json.model as JsonObject).ignore_merges = pre === "llama-bpe"; // llama.cpp: Llama 3 takes whole-word tokens as they are
    }
  } else {
    throw new TokenizerError(
      `tokenizer: ${file}: tokenizer.ggml.model "${model}" is not supported (supported: llama, gpt2)`,
    );
  }
  return fromTokenizerJson(json, file, {
    bos_token: bos === undefined ? undefined : tokens[bos],
    eos_token: eos === undefined ? undefined : tokens[eos],
    add_bos_token: flag("tokenizer.ggml.add_bos_token", model === "llama"),
    add_eos_token: flag("tokenizer.ggml.add_eos_token", false),
  });
}
