// Added / special tokens ("<|endoftext|>", "<s>", "<|im_start|>") are found in the raw text
// before anything else runs, so BPE never sees them and they always map to their own id.
//
//   "hi<|endoftext|>yo" -> ["hi", 50256, "yo"]
//
// Matching is leftmost-longest over all contents (a regex alternation, longest first), like
// Hugging Face's AddedVocabulary. `lstrip` / `rstrip` tokens also swallow the whitespace on
// that side. Not here: `single_word`, and `normalized: true` tokens are matched on the raw
// text rather than on the normalized one (the same for every tokenizer we load).
// Reference: huggingface/tokenizers tokenizer/added_vocabulary.rs.

export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
}

/** A piece of text to tokenize, or the id of an added token found there. */
export type Segment = string | number;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

export class AddedTokenSplitter {
  private readonly regex: RegExp | null;
  private readonly byContent: Map<string, AddedToken>;
  private readonly ids: number[];

  constructor(tokens: readonly AddedToken[]) {
    this.byContent = new Map(tokens.map((t) => [t.content, t]));
    const sorted = [...tokens]
      .filter((t) => t.content.length > 0)
      .sort((a, b) => b.content.length - a.content.length);
    // Named group t<k> is token k itself; \s* around it only for lstrip / rstrip tokens.
    this.ids = sorted.map((t) => t.id);
    const alternatives = sorted.map(
      (t, k) => `${t.lstrip ? "\\s*" : ""}(?<t${k}>${escapeRegex(t.content)})${t.rstrip ? "\\s*" : ""}`,
    );
    this.regex = alternatives.length > 0 ? new RegExp(alternatives.join("|"), "gu") : null;
  }

  /** Split text into plain pieces and added-token ids, in order. Empty pieces are dropped. */
  split(text: string): Segment[] {
    if (this.regex === null) return text.length > 0 ? [text] : [];
    const out: Segment[] = [];
    let last = 0;
    for (const match of text.matchAll(this.regex)) {
      const [name] = Object.entries(match.groups!).find(([, v]) => v !== undefined)!;
      if (match.index > last) out.push(text.slice(last, match.index));
      out.push(this.ids[Number(name.slice(1))]!);
      last = match.index + match[0].length;
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
  }

  get(content: string): AddedToken | undefined {
    return this.byContent.get(content);
  }
}
