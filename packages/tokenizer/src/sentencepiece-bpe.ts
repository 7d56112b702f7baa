// SentencePiece-style BPE (Llama 2, TinyLlama, Mistral): BPE over characters, with spaces
// written as "▁" and bytes for characters outside the vocabulary.
//
//   "Hello wörld" -> normalizer: "▁Hello▁wörld" -> chars -> merges -> ["▁Hello", "▁w", "ö", "rld"]
//   "😀" not in vocab -> byte fallback: <0xF0> <0x9F> <0x98> <0x80>
//
// Decoding reverses it: "▁" -> " ", <0xNN> tokens -> raw bytes fused into UTF-8 run by run
// (byte-fallback.ts), and the one space the normalizer added in front of the text is stripped.
// Characters neither in the vocabulary nor byte-fallback-able become the unknown token; with
// fuse_unk, a run of them becomes one.
// Reference: google/sentencepiece bpe_model.cc; huggingface/tokenizers models/bpe/model.rs
// (merge_word with byte_fallback) and decoders/{byte_fallback,fuse,strip}.rs.

import { type BpeParts, BpeTokenizer } from "./bpe-tokenizer.ts";

export interface SentencePieceOptions {
  byteFallback: boolean;
  unkId: number | undefined;
  fuseUnk: boolean;
  /**
   * The decoder has ByteFallback: <0xNN> tokens decode to their bytes (byte-fallback.ts).
   * Without it they decode as their literal text "<0xE6>", as in Hugging Face.
   */
  decodeByteTokens: boolean;
  /** The decoder strips the space in front of the decoded text (Strip / Metaspace decoder). */
  stripLeadingSpace: boolean;
  /** The stand-in for a space, "▁" (U+2581). */
  replacement: string;
}

const utf8 = new TextEncoder();
const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;
const hex = (b: number) => `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`;

export class SentencePieceBpeTokenizer extends BpeTokenizer {
  readonly kind = "sentencepiece-bpe" as const;
  private readonly options: SentencePieceOptions;
  /** byte -> id of its <0xNN> token, or -1. */
  private readonly byteIds: Int32Array;

  constructor(parts: BpeParts, options: SentencePieceOptions) {
    super(parts);
    this.options = options;
    this.stripLeadingSpace = options.stripLeadingSpace;
    this.byteIds = Int32Array.from({ length: 256 }, (_, b) => parts.vocab.get(hex(b)) ?? -1);
    this.hasByteTokens = options.decodeByteTokens && this.byteIds.some((id) => id >= 0);
    this.byteOfId = new Map();
    if (this.hasByteTokens) {
      for (let b = 0; b < 256; b++) if (this.byteIds[b]! >= 0) this.byteOfId.set(this.byteIds[b]!, b);
    }
  }

  /** id of a <0xNN> token -> its byte (empty unless the decoder fuses byte tokens). */
  private readonly byteOfId: Map<number, number>;

  protected override byteOf(id: number): number {
    return this.byteOfId.get(id) ?? -1;
  }

  protected initialIds(word: string): number[] {
    const ids: number[] = [];
    let unkRun = false;
    for (const c of word) {
      const id = this.vocab.get(c);
      if (id !== undefined) {
        ids.push(id);
        unkRun = false;
        continue;
      }
      if (this.options.byteFallback) {
        const bytes = utf8.encode(c);
        if (bytes.every((b) => this.byteIds[b]! >= 0)) {
          for (const b of bytes) ids.push(this.byteIds[b]!);
          unkRun = false;
          continue;
        }
      }
      const unk = this.options.unkId;
      if (unk === undefined) continue; // no unknown token: the character is dropped, as in HF
      if (!(this.options.fuseUnk && unkRun)) ids.push(unk);
      unkRun = true;
    }
    return ids;
  }

  protected tokenBytes(token: string): Uint8Array {
    const byte = this.options.decodeByteTokens ? BYTE_TOKEN.exec(token) : null;
    if (byte) return Uint8Array.of(Number.parseInt(byte[1]!, 16));
    return utf8.encode(token.replaceAll(this.options.replacement, " "));
  }
}
