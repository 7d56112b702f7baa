// Char-level tokenizer: nanoGPT's sorted-character vocabulary, saved as a tokenizer.json that
// @huggingface/tokenizers reads with the same ids.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { afterAll, describe, expect, it } from "vitest";
import { CharTokenizer } from "../src/index.ts";
import { loadTokenizer, saveTokenizer } from "../src/node/index.ts";
import { mobyDickText } from "./corpus.ts";

const dir = mkdtempSync(join(tmpdir(), "llmts-char-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("CharTokenizer", () => {
  it("numbers the distinct characters in code point order", () => {
    const t = CharTokenizer.fromText("hello");
    expect(t.chars).toEqual(["e", "h", "l", "o"]);
    expect(t.encode("hole")).toEqual([1, 3, 2, 0]);
    expect(t.decode([1, 3, 2, 0])).toBe("hole");
  });

  it("treats an emoji as one character and sorts by code point, not UTF-16 unit", () => {
    const t = CharTokenizer.fromText("😀\uffffa");
    expect(t.chars).toEqual(["a", "\uffff", "😀"]);
    expect(t.encode("😀")).toEqual([2]);
  });

  it("has Moby-Dick's 89 characters and round-trips the book", () => {
    const text = mobyDickText();
    const t = CharTokenizer.fromText(text);
    expect(t.vocabSize).toBe(89);
    expect(t.decode(t.encode(text))).toBe(text);
  });

  it("saves into a directory and loadTokenizer finds it there as a CharTokenizer", () => {
    const t = CharTokenizer.fromText(mobyDickText());
    saveTokenizer(t, join(dir, "ckpt"));
    const again = loadTokenizer(join(dir, "ckpt"));
    expect(again).toBeInstanceOf(CharTokenizer);
    expect((again as CharTokenizer).chars).toEqual(t.chars);
  });

  it("writes a tokenizer.json that @huggingface/tokenizers maps to the same ids", () => {
    const text = mobyDickText().slice(0, 50_000);
    const t = CharTokenizer.fromText(mobyDickText());
    const hf = new HfTokenizer(JSON.parse(t.toTokenizerJson()), {});
    expect(hf.encode(text, { add_special_tokens: false }).ids).toEqual(t.encode(text));
    expect(hf.decode(t.encode("Call me Ishmael.\n"), { clean_up_tokenization_spaces: false })).toBe(
      "Call me Ishmael.\n",
    );
  });

  it("rejects a character outside the vocabulary, naming it", () => {
    const t = CharTokenizer.fromText("abc");
    expect(() => t.encode("abz")).toThrow(/"z" \(U\+007A\) is not in the char vocabulary/);
  });
});
