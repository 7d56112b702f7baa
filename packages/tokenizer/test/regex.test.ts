// Oniguruma -> JavaScript regex translation: each construct against its documented meaning,
// whole pre-tokenizer patterns against js-tiktoken's hand-translated JS versions, and the
// Unicode-aware escapes (\w \b [^\S\r\n] ...) against @huggingface/tokenizers' Split.
// Expected values written out by hand below were checked against Hugging Face tokenizers 0.22.2
// (Rust, Oniguruma): `pre_tokenizers.Split(Regex(p), "isolated").pre_tokenize_str(text)`.
import { SplitPreTokenizer } from "@huggingface/tokenizers";
import cl100k from "js-tiktoken/ranks/cl100k_base";
import { describe, expect, it } from "vitest";
import { splitIsolated } from "../src/pipeline.ts";
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

  it("reads \\w and \\W as Unicode word characters: letters, marks, digits, connectors, Ⅷ; not ①", () => {
    expect(all("\\w+", "héllo wörld_1 日本語 Ⅷ ① ² x‿y")).toEqual([
      "héllo",
      "wörld_1",
      "日本語",
      "Ⅷ",
      "²",
      "x‿y",
    ]);
    expect(all("\\W+", "a²b ½")).toEqual([" "]);
    // Inside a class Oniguruma leaves out the Latin-1 extras ² ³ ¹ ¼ ½ ¾.
    expect(all("[\\w]+", "a²b ½")).toEqual(["a", "b"]);
    expect(all("[^\\W\\d_]+", "ab_c1déf")).toEqual(["ab", "c", "déf"]);
  });

  it("puts \\b and \\B between Unicode word and non-word characters", () => {
    expect(all("\\b\\w", "élan vital ²x")).toEqual(["é", "v", "²"]);
    expect(all("\\B.", "é, ab")).toEqual([" ", "b"]); // ", " and "ab" have no boundary inside
  });

  it("cuts at empty matches without making pieces of them, as Split does", () => {
    const pieces: string[] = [];
    splitIsolated("héllo, wörld", new RegExp(translateRegex("\\b"), "gu"), pieces);
    expect(pieces).toEqual(["héllo", ", ", "wörld"]);
  });

  it("supports negated sets inside a class: [^\\S\\r\\n] is whitespace other than \\r and \\n", () => {
    expect(all("[^\\S\\r\\n]+", "a \t\r\nb\u00a0\u3000c")).toEqual([" \t", "\u00a0\u3000"]);
    expect(all("[\\S\\r]+", "a b\r\nc")).toEqual(["a", "b\r", "c"]);
    expect(all("[^\\s\\S]|x", "axb")).toEqual(["x"]);
  });

  it("reads \\h as a hexadecimal digit and \\A, \\Z as the ends of the text", () => {
    expect(all("\\h+", "ffz09G")).toEqual(["ff", "09"]);
    expect(all("\\Aa|a\\Z", "aba\nxa\n")).toEqual(["a", "a"]);
  });

  it("splits mixed scripts like @huggingface/tokenizers' Split on every Unicode-aware escape", () => {
    const patterns = [
      "\\w+|\\W+",
      "\\b\\w",
      "\\B.",
      "\\b",
      "[\\w]+",
      "[^\\w]+",
      "[^\\W\\d]+",
      "[^\\S\\r\\n]+|\\S+|\\s",
      "[\\S\\r]+",
      "[^\\D5]+",
      "[\\H]+",
      "(?i:[^\\W_])+",
      "[^\\r\\n\\w]?\\w+|\\s+",
      " ?[^\\s\\w]+[\\r\\n]*|\\s+(?!\\S)|\\s+",
      "\\w{1,3}+",
    ];
    const texts = [
      ...TRICKY,
      "Straße ǅemal ΑΒΓ Ⅷ Ⓐ ① ² ½ ‿x 12٣45",
      "a \t\nb  c\u00a0d\u0085e\ufefff\u200dzwj\r\n",
      mobyDickText().slice(0, 20_000),
    ];
    for (const pattern of patterns) {
      const oracle = new SplitPreTokenizer({
        type: "Split",
        pattern: { Regex: pattern },
        behavior: "Isolated",
        invert: false,
      });
      const regex = new RegExp(translateRegex(pattern), "gu");
      for (const text of texts) {
        const ours: string[] = [];
        splitIsolated(text, regex, ours);
        expect(ours, `${pattern} on ${JSON.stringify(text.slice(0, 40))}`).toEqual(
          oracle.pre_tokenize_text(text),
        );
      }
    }
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
