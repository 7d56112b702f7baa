// Added / special tokens ("<|endoftext|>", "<s>", "<|im_start|>") are found in the raw text
// before anything else runs, so BPE never sees them and they always map to their own id.
//
//   "hi<|endoftext|>yo" -> ["hi", 50256, "yo"]
//
// Matching is leftmost-longest over all contents (a regex alternation, longest first), like
// Hugging Face's AddedVocabulary. `lstrip` / `rstrip` tokens also swallow the whitespace on
// that side. A `single_word` token only counts where no word character touches it:
//
//   single_word "ab":  "x ab-y" -> ["x ", id, "-y"]      "xab", "ab_", "abé" -> not matched
//
// (word characters as Rust's regex \w: letters, marks, decimal digits, connectors; a rejected
// match is skipped whole, as HF's matcher moves on after it).
// Not here: `normalized: true` tokens are matched on the raw text rather than on the normalized
// one (the same for every tokenizer we load).
// Reference: huggingface/tokenizers tokenizer/added_vocabulary.rs.

export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
  /** Matched only when the characters on both sides are not word characters. */
  singleWord?: boolean;
}

/** A piece of text to tokenize, or the id of an added token found there. */
export type Segment = string | number;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

/** Rust regex's \w (what HF's single_word check uses): a word character at the end / the start. */
const WORD_AT_END = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]$/u;
const WORD_AT_START = /^[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]/u;

export class AddedTokenSplitter {
  private readonly regex: RegExp | null;
  private readonly byContent: Map<string, AddedToken>;
  private readonly ids: number[];
  private readonly singleWord: boolean[];

  constructor(tokens: readonly AddedToken[]) {
    this.byContent = new Map(tokens.map((t) => [t.content, t]));
    const sorted = [...tokens]
      .filter((t) => t.content.length > 0)
      .sort((a, b) => b.content.length - a.content.length);
    // Named group t<k> is token k itself; \s* around it only for lstrip / rstrip tokens.
    this.ids = sorted.map((t) => t.id);
    this.singleWord = sorted.map((t) => t.singleWord === true);
    const alternatives = sorted.map(
      (t, k) => `${t.lstrip ? "\\s*" : ""}(?<t${k}>${escapeRegex(t.content)})${t.rstrip ? "\\s*" : ""}`,
    );
    // The `d` flag (match indices) only when a single_word token needs its content's position.
    const flags = this.singleWord.includes(true) ? "gud" : "gu";
    this.regex = alternatives.length > 0 ? new RegExp(alternatives.join("|"), flags) : null;
  }

  /** Split text into plain pieces and added-token ids, in order. Empty pieces are dropped. */
  split(text: string): Segment[] {
    if (this.regex === null) return text.length > 0 ? [text] : [];
    const out: Segment[] = [];
    let last = 0;
    for (const match of text.matchAll(this.regex)) {
      const [name] = Object.entries(match.groups!).find(([, v]) => v !== undefined)!;
      const k = Number(name.slice(1));
      if (this.singleWord[k]) {
        const [start, end] = match.indices!.groups![name]!; // the content, without stripped spaces
        if (WORD_AT_END.test(text.slice(Math.max(0, start - 2), start))) continue;
        if (WORD_AT_START.test(text.slice(end, end + 2))) continue;
      }
      if (match.index > last) out.push(text.slice(last, match.index));
      out.push(this.ids[k]!);
      last = match.index + match[0].length;
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
  }

  get(content: string): AddedToken | undefined {
    return this.byContent.get(content);
  }
}
