// The tokenizer.json pipelines of the model families @llmts/model runs since issue 18, each in the
// exact shape its published file has (normalizer, pre-tokenizer, post-processor, decoder, model
// flags, added tokens and their flags), over a small vocabulary trained here. Each must load
// through the existing pipeline and give @huggingface/tokenizers' ids, and decode back.
//
//   Qwen3            NFC; Split(Qwen2's regex, Isolated) + ByteLevel(use_regex false); ByteLevel
//                    post-processor and decoder; <|im_start|> / <|im_end|> special, <think> not
//   Gemma 3          Replace " " -> "▁"; Split(" ", MergedWithPrevious) (a no-op after it, as
//                    GemmaConverter writes it); BPE with byte_fallback, unk <unk>, fuse_unk;
//                    TemplateProcessing <bos> $A; decoder Replace / ByteFallback / Fuse
//   GPT-NeoX/Pythia  NFC; ByteLevel(trim_offsets, use_regex); runs of spaces as added tokens that
//                    are neither special nor unnormalized (GPT-NeoX-20B's tokenizer)
//   Phi-3            Llama 2's SentencePiece layout (Prepend + Replace, Strip decoder) with
//                    <|end|>-style added tokens that strip the whitespace on their right
//   Phi-4-mini       GPT-4o's: Split(o200k regex) + ByteLevel(use_regex false)
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { describe, expect, it } from "vitest";
import { fromTokenizerJson, type Tokenizer, type TokenizerConfig, trainBpe } from "../src/index.ts";
import { mobyDickText, TRICKY } from "./corpus.ts";
import { spTokenizerJson } from "./sp-fixture.ts";

type Json = Record<string, unknown> & { model: Record<string, unknown>; added_tokens?: unknown[] };

const QWEN2_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const O200K_PATTERN =
  "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

const added = (id: number, content: string, extra: object = {}) => ({
  id,
  content,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special: true,
  ...extra,
});
const byteLevel = (extra: object = {}) => ({
  type: "ByteLevel",
  add_prefix_space: false,
  trim_offsets: false,
  use_regex: false,
  ...extra,
});
const template = (bos: string, id: number) => ({
  type: "TemplateProcessing",
  single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
  pair: [],
  special_tokens: { [bos]: { id: bos, ids: [id], tokens: [bos] } },
});

/** A byte-level BPE trained once (ids 0..299: bytes, then merges), copied and edited per family. */
const trained = JSON.parse(trainBpe(mobyDickText().slice(0, 30_000), 300).toTokenizerJson()) as Json;
const byteLevelJson = (edit: (json: Json) => void): Json => {
  const json = structuredClone(trained);
  edit(json);
  return json;
};

/** The SentencePiece-style vocabulary of sp-fixture.ts (<unk> <s> </s>, bytes, chars, merges), edited. */
const spJson = (edit: (json: Json, size: number) => void): Json => {
  const json = spTokenizerJson(mobyDickText().slice(0, 20_000), {
    style: "legacy",
    mergeFormat: "array",
  }) as Json;
  edit(json, Object.keys(json.model.vocab as object).length);
  return json;
};

const chat =
  "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n4<|im_end|>";
const texts = [
  ...TRICKY,
  mobyDickText().slice(3000, 6000),
  "  two leading spaces,   three inside and\ttabs\t\tand trailing   ",
  "digits 1234567 and ½ ² and ١٢٣",
  chat,
  "<start_of_turn>user\nhi<end_of_turn>\n<start_of_turn>model\n",
  "<|user|>\n  hello <|end|>\n <|assistant|>   hi<|end|>",
  "<|endoftext|>the end<|endoftext|>",
];

/**
 * Our tokenizer (with tokenizer_config.json's `config`) against @huggingface/tokenizers on every
 * text: the ids without special tokens, and with them unless the config sets add_bos_token /
 * add_eos_token (transformers applies those by rebuilding the template; the JS oracle ignores
 * them); decoding ids back.
 */
function expectSameAsHf(json: Json, config: TokenizerConfig = {}): Tokenizer {
  const ours = fromTokenizerJson(json as never, "family/tokenizer.json", config);
  const hf = new HfTokenizer(json, config as Record<string, unknown>);
  const flags = "add_bos_token" in config || "add_eos_token" in config;
  for (const text of texts) {
    for (const addSpecialTokens of flags ? [false] : [false, true]) {
      const want = hf.encode(text, { add_special_tokens: addSpecialTokens }).ids;
      expect(ours.encode(text, { addSpecialTokens }), JSON.stringify(text.slice(0, 40))).toEqual(want);
    }
    const ids = ours.encode(text);
    if (ids.length > 0)
      expect(ours.decode(ids)).toBe(hf.decode(ids, { clean_up_tokenization_spaces: false }));
  }
  return ours;
}

describe("the tokenizer.json of each newer model family", () => {
  it("Qwen3: NFC, Qwen2's Split + ByteLevel, special and non-special added tokens, no BOS", () => {
    const qwen3 = byteLevelJson((j) => {
      j.added_tokens = [
        added(300, "<|endoftext|>"),
        added(301, "<|im_start|>"),
        added(302, "<|im_end|>"),
        added(303, "<think>", { special: false }),
        added(304, "</think>", { special: false }),
      ];
      j.normalizer = { type: "NFC" };
      j.pre_tokenizer = {
        type: "Sequence",
        pretokenizers: [
          { type: "Split", pattern: { Regex: QWEN2_PATTERN }, behavior: "Isolated", invert: false },
          byteLevel(),
        ],
      };
      j.post_processor = byteLevel();
      j.decoder = byteLevel();
      Object.assign(j.model, {
        dropout: null,
        unk_token: null,
        fuse_unk: false,
        byte_fallback: false,
        ignore_merges: false,
      });
    });
    const tok = expectSameAsHf(qwen3, { bos_token: null, eos_token: "<|im_end|>" });
    expect([tok.kind, tok.addBos, tok.bosId, tok.eosId]).toEqual(["byte-level-bpe", false, undefined, 302]);
    expect(tok.encode(chat)).toContain(303); // <think> is matched in the text like the special tokens
  });

  it("Gemma 3: spaces to ▁, byte fallback with <unk>, <bos> from the template", () => {
    const gemma3 = spJson((j, n) => {
      const vocab = j.model.vocab as Record<string, number>;
      const names = ["<pad>", "<eos>", "<bos>", "<start_of_turn>", "<end_of_turn>"];
      names.forEach((name, k) => {
        vocab[name] = n + k;
      });
      j.added_tokens = [added(0, "<unk>"), ...names.map((name, k) => added(n + k, name))];
      j.normalizer = { type: "Replace", pattern: { String: " " }, content: "▁" };
      j.pre_tokenizer = {
        type: "Split",
        pattern: { String: " " },
        behavior: "MergedWithPrevious",
        invert: false,
      };
      j.post_processor = template("<bos>", n + 2);
      j.decoder = {
        type: "Sequence",
        decoders: [
          { type: "Replace", pattern: { String: "▁" }, content: " " },
          { type: "ByteFallback" },
          { type: "Fuse" },
        ],
      };
      Object.assign(j.model, {
        unk_token: "<unk>",
        fuse_unk: true,
        byte_fallback: true,
        ignore_merges: false,
      });
    });
    const n = gemma3.added_tokens!.length;
    const tok = expectSameAsHf(gemma3, { bos_token: "<bos>", eos_token: "<eos>" });
    const size = tok.vocabSize;
    expect([tok.kind, tok.addBos, tok.bosId, tok.eosId]).toEqual([
      "sentencepiece-bpe",
      true,
      size - 3,
      size - 4,
    ]);
    expect(n).toBe(6);
  });

  it("GPT-NeoX / Pythia: ByteLevel with its regex, runs of spaces as normalized, non-special added tokens", () => {
    const neox = byteLevelJson((j) => {
      const spaces = [8, 6, 4, 3, 2].map((k, i) =>
        added(302 + i, " ".repeat(k), { special: false, normalized: true }),
      );
      j.added_tokens = [added(300, "<|endoftext|>"), added(301, "<|padding|>"), ...spaces];
      j.normalizer = { type: "NFC" };
      j.pre_tokenizer = byteLevel({ trim_offsets: true, use_regex: true });
      j.post_processor = byteLevel({ trim_offsets: true, use_regex: true });
      j.decoder = byteLevel({ trim_offsets: true, use_regex: true });
    });
    const tok = expectSameAsHf(neox, { bos_token: "<|endoftext|>", eos_token: "<|endoftext|>" });
    expect([tok.kind, tok.addBos, tok.eosId]).toEqual(["byte-level-bpe", false, 300]);
    expect(tok.encode("a    b")).toContain(304); // four spaces: one added token
  });

  it("Phi-3: Llama 2's SentencePiece layout with chat tokens that strip the whitespace on their right", () => {
    const phi3 = spJson((j, n) => {
      const vocab = j.model.vocab as Record<string, number>;
      const names = ["<|endoftext|>", "<|assistant|>", "<|end|>", "<|user|>"];
      names.forEach((name, k) => {
        vocab[name] = n + k;
      });
      j.added_tokens = [
        ...(j.added_tokens as unknown[]),
        added(n, "<|endoftext|>"),
        ...names.slice(1).map((name, k) => added(n + 1 + k, name, { rstrip: true })),
      ];
    });
    const config = { bos_token: "<s>", eos_token: "<|endoftext|>", add_bos_token: false };
    const tok = expectSameAsHf(phi3, config); // Phi-3-mini's tokenizer_config.json: no BOS
    expect([tok.kind, tok.addBos, tok.encode("hi", { addSpecialTokens: true })[0]]).toEqual([
      "sentencepiece-bpe",
      false,
      tok.encode("hi")[0],
    ]);
    expect(expectSameAsHf(phi3, { bos_token: "<s>", eos_token: "<|endoftext|>" }).addBos).toBe(true); // its template's <s>
    expect(tok.encode("<|assistant|>   hi")).toEqual(tok.encode("<|assistant|>hi")); // rstrip
  });

  it("Phi-4-mini: GPT-4o's o200k Split + ByteLevel", () => {
    const phi4 = byteLevelJson((j) => {
      j.added_tokens = [added(300, "<|endoftext|>"), added(301, "<|end|>"), added(302, "<|user|>")];
      j.pre_tokenizer = {
        type: "Sequence",
        pretokenizers: [
          { type: "Split", pattern: { Regex: O200K_PATTERN }, behavior: "Isolated", invert: false },
          byteLevel(),
        ],
      };
      j.post_processor = byteLevel();
      j.decoder = byteLevel();
    });
    expectSameAsHf(phi4, { bos_token: "<|endoftext|>", eos_token: "<|endoftext|>" });
  });
});
