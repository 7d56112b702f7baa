// The backtracking check on tokenizer regexes: a tokenizer.json whose Split pattern backtracks
// catastrophically is refused when it loads (the issue's `(a+)+$` on 37 × "a" + "!" used to run
// without end), while every pattern real tokenizers ship loads and gives the ids that
// @huggingface/tokenizers gives with the same tokenizer.json.
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { describe, expect, it } from "vitest";
import { fromTokenizerJson, TokenizerError, trainBpe } from "../src/index.ts";
import { translateRegex } from "../src/regex.ts";
import { backtrackingProblem } from "../src/regex-backtracking.ts";
import { mobyDickText, TRICKY } from "./corpus.ts";
import { runIsolated } from "./isolated.ts";

/** A trained byte-level BPE whose pre-tokenizer is Llama 3's layout: Split(pattern), then ByteLevel. */
const base = JSON.parse(trainBpe(mobyDickText().slice(0, 30_000), 300).toTokenizerJson());
function withSplit(pattern: string): object {
  return {
    ...base,
    pre_tokenizer: {
      type: "Sequence",
      pretokenizers: [
        { type: "Split", pattern: { Regex: pattern }, behavior: "Isolated", invert: false },
        { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
  };
}

/**
 * Patterns shipped in real tokenizer.json files (Oniguruma syntax, as written there): the byte-level
 * families, and the Split lists of DeepSeek, Tiny Aya / Command and Falcon that llama.cpp's
 * pre-tokenizer table (src/llama-vocab.cpp) copies from their tokenizer.json files.
 */
const REAL: Record<string, string> = {
  "GPT-2 (ByteLevel's own regex)":
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
  "cl100k / Llama 3":
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  "cl100k, tiktoken's possessive spelling":
    "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|\\p{N}{1,3}+| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*+|\\s++$|\\s*[\\r\\n]|\\s+(?!\\S)|\\s",
  "o200k (GPT-4o, Tiny Aya)":
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  Qwen2:
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  "DeepSeek V3, words":
    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  "DeepSeek V3, kana and CJK": "[一-龥\\u3040-ゟ゠-ヿ]+",
  "digits in threes (Llama 3, DeepSeek V3)": "\\p{N}{1,3}",
  "single digits (SmolLM, StarCoder)": "\\p{N}",
  "digits grouped from the right (Tiny Aya, Command)": "\\d{1,3}(?=(?:\\d{3})*\\b)",
  "DeepSeek LLM, newlines": "[\\r\\n]",
  // Three range ends are written as escapes: copied as characters, they tend to be normalized to
  // NFC (U+1F7D -> U+03CE ...), which puts the range out of order.
  "DeepSeek LLM, Latin and Greek words":
    "\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-\u1f7dᾀ-ᾴᾶ-ᾼιῂ-ῄῆ-ῌῐ-\u1fd3ῖ-\u1fdbῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤΩℨK-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+",
  "DeepSeek LLM, punctuation": "\\s?[!-/:-~！-／：-～‘-‟　-。]+",
  "DeepSeek LLM, trailing spaces": "\\s+$",
  "DeepSeek LLM and Coder, CJK and Hangul": "[一-龥ࠀ-一가-퟿]+",
  "DeepSeek Coder, letters": "\\s?\\p{L}+",
  "DeepSeek Coder, punctuation": "\\s?\\p{P}+",
  "Falcon, punctuation": "[\\p{P}\\$\\+<=>\\^~\\|`]+",
};

/** The patterns the regex translation tests split with (test/regex.test.ts). */
const TESTED = [
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
  "^x|x$",
  "\\Aa|a\\Z",
];

describe("tokenizer regexes that backtrack catastrophically", () => {
  it("refuses the issue's (a+)+$ at load, naming the file and the pattern, within 10 s", () => {
    // In a child process: before this check, encoding 37 × "a" + "!" there never finished.
    const json = JSON.stringify(withSplit("(a+)+$"));
    const { reports } = runIsolated(`
      const start = performance.now();
      try {
        const t = tokenizer.tokenizerFromFiles({ "tokenizer.json": ${JSON.stringify(json)} }, { dir: "models/evil" });
        t.encode("a".repeat(37) + "!");
        report({ loaded: true });
      } catch (error) {
        report({ name: error.name, message: error.message, ms: performance.now() - start });
      }
    `);
    const result = reports[0] as { name: string; message: string; ms: number };
    expect(result.name).toBe("TokenizerError");
    expect(result.message).toBe(
      'tokenizer: pre_tokenizer.pretokenizers[0].pattern.Regex: "(a+)+$" can backtrack exponentially: ' +
        "a repeated part can match the same text in more than one way, and the match can still fail after it " +
        "(as in (a+)+$) (models/evil/tokenizer.json)",
    );
    expect(result.ms).toBeLessThan(10_000);
  });

  it("refuses every nested or overlapping repetition that something fallible follows", () => {
    const refused = [
      ["(a+)+$", /exponentially/],
      ["(a*)*$", /exponentially/],
      ["(a|a)*$", /exponentially/],
      ["(\\w+\\s?)+$", /exponentially/],
      ["(a+)+x", /exponentially/],
      ["(?:\\d{1,3})+x", /exponentially/],
      ["(a|ab|b)*c", /exponentially/],
      ["(\\p{L}|[a-z])+!", /exponentially/], // overlapping alternatives: \p{L} ∋ a-z
      ["(?:\\s+(?!\\S)|\\s)+x", /exponentially/],
      ["x(?=(a+)+$)", /exponentially/], // inside a lookahead
      ["(?<=b(a+)+)x", /exponentially/], // inside a lookbehind, matched backwards from x
      ["\\s*\\s*\\s*x", /polynomially/],
      ["(.*,){5}x", /polynomially/],
      ["(?:a?){20}a{20}", /more than 256 different ways/],
      [`${"(?:".repeat(200)}a${")".repeat(200)}`, /groups nest deeper than 128/],
      ["(?:(?:(?:a|b){16}){16}){16}", /too large to check \(more than 2000 states\)/],
    ] as const;
    for (const [pattern, reason] of refused) {
      const load = () => fromTokenizerJson(withSplit(pattern) as never, "evil.json");
      expect(load, pattern).toThrow(TokenizerError);
      expect(load, pattern).toThrow(reason);
    }
  });

  it("refuses a Replace normalizer's regex the same way", () => {
    const json = { ...base, normalizer: { type: "Replace", pattern: { Regex: "(x+x+)+y" }, content: "" } };
    expect(() => fromTokenizerJson(json as never, "evil.json")).toThrow(
      /normalizer\.pattern\.Regex: "\(x\+x\+\)\+y" can backtrack exponentially.*\(evil\.json\)/,
    );
  });

  it("accepts an ambiguous repetition that nothing can fail after: irregexp succeeds at once", () => {
    // Bare (a+)+ matches 37 × "a" + "!" on its first try; only what follows can force backtracking.
    for (const pattern of ["(a+)+", "(a*)*", "(a|a)*", "(\\w+\\s?)+"]) {
      expect(backtrackingProblem(translateRegex(pattern)), pattern).toBeUndefined();
    }
    const json = JSON.stringify(withSplit("(a+)+"));
    const { reports } = runIsolated(`
      const t = tokenizer.tokenizerFromFiles({ "tokenizer.json": ${JSON.stringify(json)} });
      report(t.decode(t.encode("a".repeat(10000) + "!")).length);
    `);
    expect(reports).toEqual([10001]);
  });

  it("accepts every pattern real tokenizers ship, and they tokenize as @huggingface/tokenizers does", () => {
    const texts = [
      ...TRICKY,
      mobyDickText().slice(0, 20_000),
      "1234567 12 1234 ¼ ２３４５ 日本語のテキスト！",
    ];
    for (const [name, pattern] of Object.entries(REAL)) {
      expect(backtrackingProblem(translateRegex(pattern)), name).toBeUndefined();
      const json = withSplit(pattern);
      const ours = fromTokenizerJson(json as never, `${name}.json`);
      const hf = new HfTokenizer(json, {});
      for (const text of texts) {
        expect(ours.encode(text), `${name} on ${JSON.stringify(text.slice(0, 30))}`).toEqual(
          hf.encode(text, { add_special_tokens: false }).ids,
        );
      }
    }
  });

  it("accepts every pattern the regex translation tests split with", () => {
    for (const pattern of TESTED) {
      expect(() => fromTokenizerJson(withSplit(pattern) as never, "tested.json"), pattern).not.toThrow();
    }
  });

  it("treats tiktoken's stacked \\p{N}{1,3}+ as safe where it ends the pattern, not before an x", () => {
    expect(backtrackingProblem(translateRegex("\\p{N}{1,3}+"))).toBeUndefined();
    expect(backtrackingProblem(translateRegex("\\p{N}{1,3}+x"))).toMatch(/exponentially/);
  });
});
