// GPT-2's tokenizer, loaded three ways, against two independent implementations:
// js-tiktoken's gpt2 encoding (OpenAI's ranks) and @huggingface/tokenizers (pure JS).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { getEncoding } from "js-tiktoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tokenizer } from "../src/index.ts";
import { loadTokenizer, saveTokenizer } from "../src/node/index.ts";
import { mobyDickText, TRICKY } from "./corpus.ts";
import { gpt2Files } from "./gpt2-fixture.ts";

const tiktoken = getEncoding("gpt2");
const reference = (text: string) => tiktoken.encode(text, "all");
const dir = mkdtempSync(join(tmpdir(), "llmts-gpt2-"));
let fromJson: Tokenizer;
let fromVocabMerges: Tokenizer;

beforeAll(() => {
  const files = gpt2Files();
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(files.tokenizerJson));
  writeFileSync(join(dir, "vocab.json"), files.vocabJson);
  writeFileSync(join(dir, "merges.txt"), files.mergesTxt);
  fromJson = loadTokenizer(join(dir, "tokenizer.json"));
  fromVocabMerges = loadTokenizer(join(dir, "merges.txt"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("GPT-2 byte-level BPE", () => {
  it("loads tokenizer.json and vocab.json + merges.txt as the same 50257-token byte-level BPE", () => {
    for (const t of [fromJson, fromVocabMerges]) {
      expect(t.kind).toBe("byte-level-bpe");
      expect(t.vocabSize).toBe(50257);
      expect(t.eosId).toBe(50256);
      expect(t.addBos).toBe(false);
      expect(t.tokenToId("Ġthe")).toBe(262);
      expect(t.idToToken(262)).toBe("Ġthe");
    }
  });

  it("gives js-tiktoken's ids on all of Moby-Dick", () => {
    const text = mobyDickText();
    const expected = reference(text);
    expect(fromJson.encode(text)).toEqual(expected);
    expect(fromVocabMerges.encode(text)).toEqual(expected);
  });

  it("gives @huggingface/tokenizers' ids on all of Moby-Dick", () => {
    const text = mobyDickText();
    const hf = new HfTokenizer(gpt2Files().tokenizerJson, {});
    expect(fromJson.encode(text)).toEqual(hf.encode(text, { add_special_tokens: false }).ids);
  }, 30_000);

  it("gives js-tiktoken's ids on emoji, CJK, combining marks, contractions, spaces, digits and code", () => {
    for (const text of TRICKY) expect(fromJson.encode(text), JSON.stringify(text)).toEqual(reference(text));
  });

  it("matches <|endoftext|> as one special token, even glued to words", () => {
    expect(fromJson.encode("a<|endoftext|>b")).toEqual([64, 50256, 65]);
  });

  it("decodes Moby-Dick and every tricky string back to the exact text", () => {
    for (const text of [mobyDickText(), ...TRICKY]) expect(fromJson.decode(fromJson.encode(text))).toBe(text);
  });

  it("decodes the well-known ids of 'Hello world'", () => {
    expect(fromJson.encode("Hello world")).toEqual([15496, 995]);
    expect(fromJson.decode([15496, 995])).toBe("Hello world");
  });

  it("streams an emoji split across tokens only once its last byte arrives", () => {
    const ids = fromJson.encode("😀");
    expect(ids.length).toBeGreaterThan(1);
    const stream = fromJson.createStreamDecoder();
    const pieces = ids.map((id) => stream.push(id));
    expect(pieces.slice(0, -1).join("")).toBe("");
    expect(pieces.at(-1)).toBe("😀");
    expect(stream.flush()).toBe("");
  });

  it("saves the tokenizer.json it was loaded from, and loads back identical", () => {
    const copy = join(dir, "copy");
    saveTokenizer(fromVocabMerges, copy);
    const again = loadTokenizer(copy);
    const text = TRICKY.join(" ");
    expect(again.encode(text)).toEqual(reference(text));
  });
});
