// Character-level tokenizer: one id per distinct character of the training text, in code point
// order — nanoGPT's shakespeare_char `chars = sorted(list(set(data)))`.
//
//   CharTokenizer.fromText("hello") -> vocabulary ["e", "h", "l", "o"]; encode("hole") -> [1, 3, 2, 0]
//
// Characters are Unicode code points, so an emoji is one token, not two UTF-16 halves.
// Saved as a valid Hugging Face tokenizer.json: a BPE model whose vocabulary is the characters
// and which has no merges (each character stays its own token), no pre-tokenizer, and a Fuse
// decoder (concatenate tokens with nothing between them). Hugging Face tokenizers loads it and
// gives the same ids; loadTokenizer recognises the shape and returns a CharTokenizer.
// Not here: an unknown token. Encoding a character outside the vocabulary is an error, as in
// nanoGPT (where it is a KeyError).

import type { JsonObject } from "./json-fields.ts";
import type { EncodeOptions, StreamDecoder, Tokenizer } from "./types.ts";
import { TokenizerError } from "./types.ts";

const byCodePoint = (a: string, b: string) => a.codePointAt(0)! - b.codePointAt(0)!;

export class CharTokenizer implements Tokenizer {
  readonly kind = "char" as const;
  readonly specialTokens: ReadonlyMap<string, number> = new Map();
  readonly bosId = undefined;
  readonly eosId = undefined;
  readonly addBos = false;
  /** id -> character. */
  readonly chars: readonly string[];
  private readonly ids: Map<string, number>;

  constructor(chars: readonly string[]) {
    this.chars = chars;
    this.ids = new Map(chars.map((c, i) => [c, i]));
    if (this.ids.size !== chars.length)
      throw new TokenizerError("tokenizer: char vocabulary has duplicate characters");
  }

  /** The sorted set of code points in `text`. */
  static fromText(text: string): CharTokenizer {
    return new CharTokenizer([...new Set(text)].sort(byCodePoint));
  }

  get vocabSize(): number {
    return this.chars.length;
  }

  /** There are no special tokens, so `addSpecialTokens` changes nothing. */
  encode(text: string, _options?: EncodeOptions): number[] {
    const out: number[] = [];
    for (const c of text) {
      const id = this.ids.get(c);
      if (id === undefined) {
        const hex = c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
        throw new TokenizerError(
          `tokenizer: character ${JSON.stringify(c)} (U+${hex}) is not in the char vocabulary`,
        );
      }
      out.push(id);
    }
    return out;
  }

  /** Ids outside the vocabulary (a model's padded vocab) decode to nothing. */
  decode(ids: readonly number[]): string {
    let text = "";
    for (const id of ids) text += this.chars[id] ?? "";
    return text;
  }

  idToToken(id: number): string | undefined {
    return this.chars[id];
  }

  tokenToId(token: string): number | undefined {
    return this.ids.get(token);
  }

  idToBytes(id: number): Uint8Array | undefined {
    const c = this.chars[id];
    return c === undefined ? undefined : new TextEncoder().encode(c);
  }

  createStreamDecoder(): StreamDecoder {
    return { push: (id) => this.chars[id] ?? "", flush: () => "" };
  }

  /** The tokenizer.json text: one character per line of the vocabulary, readable in a diff. */
  toTokenizerJson(): string {
    return `${JSON.stringify(this.tokenizerJsonObject(), null, 1)}\n`;
  }

  private tokenizerJsonObject(): JsonObject {
    return {
      version: "1.0",
      truncation: null,
      padding: null,
      added_tokens: [],
      normalizer: null,
      pre_tokenizer: null,
      post_processor: null,
      decoder: { type: "Fuse" },
      model: {
        type: "BPE",
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: null,
        end_of_word_suffix: null,
        fuse_unk: false,
        byte_fallback: false,
        ignore_merges: false,
        vocab: Object.fromEntries(this.chars.map((c, i) => [c, i])),
        merges: [],
      },
    };
  }

  /** Is this tokenizer.json one that `save` wrote? (BPE, no merges, single characters, Fuse.) */
  static isCharTokenizerJson(
    root: JsonObject,
    vocab: Map<string, number>,
    merges: number,
    decoders: string[],
  ): boolean {
    const added = Array.isArray(root.added_tokens) ? root.added_tokens.length : 0;
    return (
      merges === 0 &&
      added === 0 &&
      root.normalizer == null &&
      root.pre_tokenizer == null &&
      decoders.length === 1 &&
      decoders[0] === "Fuse" &&
      [...vocab.keys()].every((token) => [...token].length === 1)
    );
  }

  /** From a parsed vocabulary; ids must be 0..n-1. */
  static fromVocab(vocab: Map<string, number>, file: string): CharTokenizer {
    const chars: string[] = new Array(vocab.size);
    for (const [c, id] of vocab) {
      if (id >= vocab.size || chars[id] !== undefined) {
        throw new TokenizerError(
          `tokenizer: model.vocab: char ids must be 0..${vocab.size - 1}, each once; got ${id} for ${JSON.stringify(c)} (${file})`,
        );
      }
      chars[id] = c;
    }
    return new CharTokenizer(chars);
  }
}
