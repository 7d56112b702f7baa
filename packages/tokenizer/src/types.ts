// The one interface every tokenizer in this package implements, and the error they throw.
//
// Generation and training code import only `Tokenizer`; they never need to know whether the
// ids came from a char vocabulary, GPT-2's byte-level BPE or Llama 2's SentencePiece-style BPE.
// Deliberately absent: offsets, attention masks, padding, truncation, text pairs (Hugging Face
// `Encoding` features a decoder-only LM does not need).

/** Turns ids into text piece by piece, holding back bytes until a UTF-8 character is complete. */
export interface StreamDecoder {
  /** Feed one id; returns the text that became complete (often "", e.g. mid-emoji). */
  push(id: number): string;
  /** End of stream: returns what is left (an incomplete UTF-8 sequence becomes U+FFFD). */
  flush(): string;
}

export type TokenizerKind = "char" | "byte-level-bpe" | "sentencepiece-bpe";

export interface EncodeOptions {
  /**
   * Also add the special tokens the tokenizer's post-processor puts around a text (Llama: BOS
   * first), like Hugging Face's `encode(text, add_special_tokens=True)`. Default false.
   */
  addSpecialTokens?: boolean;
}

export interface Tokenizer {
  readonly kind: TokenizerKind;
  /** Number of ids: max id + 1, added/special tokens included. Size the embedding with it. */
  readonly vocabSize: number;
  /** Text -> ids. Adds no BOS/EOS unless asked to; special tokens written in the text are matched. */
  encode(text: string, options?: EncodeOptions): number[];
  /** Ids -> text. Special tokens decode to their content ("<|endoftext|>"). */
  decode(ids: readonly number[]): string;
  /** The vocabulary string of an id ("Ġthe", "▁the", "<0x0A>"), undefined when out of range. */
  idToToken(id: number): string | undefined;
  /**
   * The bytes an id stands for on its own, before the decoder's clean-up of a whole text:
   * "▁the" -> " the" (decode([id]) strips that space), "<0xE6>" -> [0xE6], "Ġ" -> [0x20].
   */
  idToBytes(id: number): Uint8Array | undefined;
  tokenToId(token: string): number | undefined;
  createStreamDecoder(): StreamDecoder;
  /** Added/special tokens by content, e.g. "<|endoftext|>" -> 50256. */
  readonly specialTokens: ReadonlyMap<string, number>;
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  /**
   * Whether the model expects BOS before a prompt (Llama 2: true; GPT-2: false): exactly when
   * encode(text, { addSpecialTokens: true }) puts bosId first (the post-processor's template, with
   * tokenizer_config.json's add_bos_token applied as transformers applies it).
   */
  readonly addBos: boolean;
  /**
   * The Hugging Face tokenizer.json text this tokenizer is (what loading it back reads). Writing it
   * to disk is the Node adapter's job: saveTokenizer in "@llmts/tokenizer/node".
   */
  toTokenizerJson(): string;
}

/** Bad tokenizer input: a malformed file, an unknown character. The message names file and field. */
export class TokenizerError extends Error {
  override name = "TokenizerError";
}
