// Tokenizers in GGUF metadata (tokenizer.ggml.*): read from files that llama.cpp's own Python
// package wrote, holding vocabularies trained by SentencePiece and by Hugging Face tokenizers
// (fixtures/gguf-models/generate.py), and checked against how those libraries encode and decode
// the same texts; then written by us and read back, for every kind of tokenizer we have.
import { readFileSync } from "node:fs";
import { type GgufMetadata, parseGguf, writeGguf } from "@llmts/gguf";
import { describe, expect, it } from "vitest";
import {
  CharTokenizer,
  fromTokenizerJson,
  gpt2FilesToJson,
  TOKEN_TYPE,
  type Tokenizer,
  tokenizerFromGguf,
  tokenizerToGguf,
} from "../src/index.ts";
import type { Json } from "../src/json-fields.ts";
import { gpt2Files } from "./gpt2-fixture.ts";
import { spTokenizerJson } from "./sp-fixture.ts";

const FIXTURES = new URL("../../../fixtures/gguf-models/", import.meta.url);
const expected = JSON.parse(readFileSync(new URL("tokenizers.json", FIXTURES), "utf8")) as {
  samples: string[];
  spm: { vocab_size: number; ids: number[][]; decoded: string[] };
  bpe: { vocab_size: number; ids: number[][]; decoded: string[] };
};
const metadataOf = (name: string) => parseGguf(readFileSync(new URL(name, FIXTURES)), name).metadata;

describe.each([
  ["SentencePiece", "tokenizer-spm.gguf", "spm", "sentencepiece-bpe"],
  ["Hugging Face tokenizers", "tokenizer-bpe.gguf", "bpe", "byte-level-bpe"],
] as const)("a GGUF vocabulary trained by %s", (_, file, key, kind) => {
  const tokenizer = tokenizerFromGguf(metadataOf(file), file);

  it(`loads as a ${kind} tokenizer of the library's size`, () => {
    expect(tokenizer.kind).toBe(kind);
    expect(tokenizer.vocabSize).toBe(expected[key].vocab_size);
  });

  expected.samples.forEach((text, i) => {
    it(`encodes and decodes ${JSON.stringify(text)} as the library does`, () => {
      expect(tokenizer.encode(text)).toEqual(expected[key].ids[i]);
      expect(tokenizer.decode(expected[key].ids[i]!)).toBe(expected[key].decoded[i]);
    });
  });
});

describe("the SentencePiece vocabulary's special tokens", () => {
  const tokenizer = tokenizerFromGguf(metadataOf("tokenizer-spm.gguf"), "tokenizer-spm.gguf");
  it("come from bos / eos ids and add_bos_token", () => {
    expect(tokenizer.idToToken(tokenizer.bosId!)).toBe("<s>");
    expect(tokenizer.idToToken(tokenizer.eosId!)).toBe("</s>");
    expect(tokenizer.addBos).toBe(true);
    expect(tokenizer.encode("a", { addSpecialTokens: true })[0]).toBe(tokenizer.bosId);
  });
});

/** Ours -> GGUF metadata -> bytes -> back. */
function roundTrip(t: Tokenizer, vocabSize?: number): { back: Tokenizer; md: GgufMetadata } {
  const md = tokenizerToGguf(t, { vocabSize });
  const back = tokenizerFromGguf(parseGguf(writeGguf({ metadata: md }), "t.gguf").metadata, "t.gguf");
  return { back, md };
}

const TEXT = "Hello wörld! It's 2024 — naïve café 😀 <s> the end\n\nLine two   spaced.";

describe("a tokenizer written as GGUF metadata and read back", () => {
  it("encodes and decodes as before: SentencePiece's vocabulary (llama, by score)", () => {
    const t = tokenizerFromGguf(metadataOf("tokenizer-spm.gguf"), "tokenizer-spm.gguf");
    const { back, md } = roundTrip(t);
    expect(md.get("tokenizer.ggml.model")?.value).toBe("llama");
    for (const text of [TEXT, ...expected.samples]) {
      expect(back.encode(text)).toEqual(t.encode(text));
      expect(back.decode(t.encode(text))).toBe(t.decode(t.encode(text)));
    }
    expect([back.bosId, back.eosId, back.addBos]).toEqual([t.bosId, t.eosId, t.addBos]);
  });

  it("encodes as before: a SentencePiece-style tokenizer.json (merges become scores)", () => {
    const json = spTokenizerJson(expected.samples.join(" "), { style: "legacy", mergeFormat: "string" });
    const t = fromTokenizerJson(json as Json, "tokenizer.json");
    const { back } = roundTrip(t);
    expect(back.encode(TEXT)).toEqual(t.encode(TEXT));
  });

  it("encodes and decodes as before: GPT-2's vocabulary (gpt2, by merges)", () => {
    const g = gpt2Files();
    const t = fromTokenizerJson(
      gpt2FilesToJson(g.vocabJson, "vocab.json", g.mergesTxt, "merges.txt"),
      "vocab.json",
    );
    const { back, md } = roundTrip(t);
    expect(md.get("tokenizer.ggml.pre")?.value).toBe("gpt2");
    expect(back.encode(TEXT)).toEqual(t.encode(TEXT));
    expect(back.eosId).toBe(50256);
  });

  it("encodes and decodes as before: a char vocabulary, spaces spelled ▁, no BOS", () => {
    const t = CharTokenizer.fromText("abc hello world\n");
    const { back, md } = roundTrip(t);
    expect(md.get("tokenizer.ggml.add_space_prefix")?.value).toBe(false);
    const ids = t.encode("hello world\nabc ");
    expect(back.encode("hello world\nabc ")).toEqual(ids);
    expect(back.decode(ids)).toBe("hello world\nabc ");
    expect(back.addBos).toBe(false);
  });

  it("pads the vocabulary to the model's with unused [PAD] tokens", () => {
    const { back, md } = roundTrip(CharTokenizer.fromText("ab"), 5);
    expect(back.vocabSize).toBe(5);
    const types = md.get("tokenizer.ggml.token_type")?.value as Int32Array;
    expect(Array.from(types)).toEqual([1, 1, TOKEN_TYPE.unused, TOKEN_TYPE.unused, TOKEN_TYPE.unused]);
    expect(back.idToToken(4)).toBe("[PAD4]");
  });
});

describe("GGUF tokenizer metadata that cannot be read", () => {
  const base = () => tokenizerToGguf(CharTokenizer.fromText("ab"));

  it("names an unknown tokenizer model", () => {
    const md = base();
    md.set("tokenizer.ggml.model", { type: "string", value: "bert" });
    expect(() => tokenizerFromGguf(md, "m.gguf")).toThrow(
      'tokenizer: m.gguf: tokenizer.ggml.model "bert" is not supported (supported: llama, gpt2)',
    );
  });

  it("names token types that do not match the tokens", () => {
    const md = base();
    md.set("tokenizer.ggml.token_type", { type: "array", itemType: "int32", value: new Int32Array(1) });
    expect(() => tokenizerFromGguf(md, "m.gguf")).toThrow(
      "tokenizer.ggml.token_type has 1 entries for 2 tokens",
    );
  });

  it("names a special token id outside the vocabulary", () => {
    const md = base();
    md.set("tokenizer.ggml.eos_token_id", { type: "uint32", value: 7 });
    expect(() => tokenizerFromGguf(md, "m.gguf")).toThrow("tokenizer.ggml.eos_token_id 7 is not a token id");
  });

  it("names an unknown pre-tokenizer", () => {
    const g = gpt2Files();
    const md = tokenizerToGguf(fromTokenizerJson(gpt2FilesToJson(g.vocabJson, "v", g.mergesTxt, "m"), "v"));
    md.set("tokenizer.ggml.pre", { type: "string", value: "deepseek-coder" });
    expect(() => tokenizerFromGguf(md, "m.gguf")).toThrow(
      'tokenizer.ggml.pre "deepseek-coder" is not supported',
    );
  });
});
