// Oniguruma -> JavaScript regex translation: each construct against its documented meaning,
// and whole pre-tokenizer patterns against js-tiktoken's hand-translated JS versions.
import cl100k from "js-tiktoken/ranks/cl100k_base";
import { describe, expect, it } from "vitest";
import { translateRegex } from "../src/regex.ts";
import { mobyDickText, TRICKY } from "./corpus.ts";

const all = (pattern: string, text: string) =>
  [...text.matchAll(new RegExp(translateRegex(pattern), "gu"))].map((m) => m[0]);

/** Llama 3's Split pattern as written in its tokenizer.json (Oniguruma syntax). */
const LLAMA3 =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

describe("translateRegex", () => {
  it("expands a case-insensitive group into case classes, leaving the rest case-sensitive", () => {
    expect(all("(?i:'s|'re)x", "'sx 'Sx 'rEx 'REx 'sX")).toEqual(["'sx", "'Sx", "'rEx", "'REx"]);
    expect(all("(?i:[a-c])+", "aBcDx")).toEqual(["aBc"]);
  });

  it("lets (?i:s) match the long s, as Unicode case folding does", () => {
    expect(all("(?i:'s)", "'ſ")).toEqual(["'ſ"]);
  });

  it("makes ++, *+ and ?+ possessive: they never give back what they matched", () => {
    expect(all("a++a", "aaaa")).toEqual([]); // greedy a+a would match "aaaa"
    expect(all("a*+a", "aaa")).toEqual([]);
    expect(all("x?+x", "x")).toEqual([]); // x?x would match "x"
    expect(all("a++b", "aaab")).toEqual(["aaab"]);
    expect(all("[^\\s\\p{L}]++[\\r\\n]*", "!!?\n")).toEqual(["!!?\n"]);
  });

  it("reads X{n,m}+ as a stacked quantifier, (?:X{n,m})+, as Oniguruma does", () => {
    expect(all("\\d{1,3}+", "1234567")).toEqual(["1234567"]);
  });

  it("uses Oniguruma's \\s: NEL (U+0085) is a space, the BOM (U+FEFF) is not", () => {
    expect(all("\\s+", "a\u0085b\ufeffc")).toEqual(["\u0085"]);
    expect(all("\\S+", "a\u0085b\ufeffc")).toEqual(["a", "b\ufeffc"]);
  });

  it("lets . match \\r but not \\n, and ^ $ anchor at line ends", () => {
    expect(all(".+", "a\rb\nc")).toEqual(["a\rb", "c"]);
    expect(all("^x|x$", "x\nx ax\nx")).toEqual(["x", "x", "x", "x"]);
  });

  it("turns identity escapes of punctuation into literals", () => {
    expect(all("\\'s", "it's")).toEqual(["'s"]);
  });

  it("splits Moby-Dick and the tricky strings exactly like js-tiktoken's cl100k pattern (Llama 3's)", () => {
    const reference = new RegExp(cl100k.pat_str, "gu");
    for (const text of [mobyDickText(), ...TRICKY]) {
      const expected = [...text.matchAll(reference)].map((m) => m[0]);
      expect(all(LLAMA3, text)).toEqual(expected);
    }
  });

  it("gives the same splits for tiktoken's possessive spelling of the cl100k pattern", () => {
    // [^...]?+\p{L}++ and [^...]++ cannot differ from their greedy forms here (what follows never
    // matches what they would give back), so the splits must be equal: a check on the emulation.
    const possessive =
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    const text = mobyDickText().slice(0, 200_000) + TRICKY.join("\n");
    expect(all(possessive, text)).toEqual(all(LLAMA3, text));
  });
});
