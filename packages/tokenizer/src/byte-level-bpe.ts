// Byte-level BPE (GPT-2, SmolLM, Llama 3, Qwen): BPE over the UTF-8 bytes of each word, so any
// string encodes with no unknown token and decode(encode(s)) === s exactly.
//
//   " naïve" -> bytes 20 6E 61 C3 AF 76 65 -> vocab spelling "ĠnaÃ¯ve" -> merges -> ["Ġna", "ï", "ve"]
//
// The vocabulary spells bytes with GPT-2's printable stand-ins (byte-chars.ts). Built from a
// parsed tokenizer.json (tokenizer-json.ts); vocab.json + merges.txt and trainBpe are turned into
// one first, so there is a single loading path.
// A vocabulary normally holds all 256 stand-ins. When one is missing, we do what Hugging Face's
// BPE model does with that character: its <0xNN> tokens with byte_fallback (the UTF-8 bytes of
// the stand-in itself, "Ã" -> <0xC3> <0x83>), else the unknown token, else nothing.
// Reference: openai/gpt-2 src/encoder.py; huggingface/tokenizers pre_tokenizers/byte_level.rs
// and models/bpe/model.rs (merge_word).

import { type BpeParts, BpeTokenizer } from "./bpe-tokenizer.ts";
import { BYTE_TO_CHAR, tokenBytes } from "./byte-chars.ts";

const utf8 = new TextEncoder();
const hex = (b: number) => `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`;

/** What to do with characters the vocabulary lacks (model.byte_fallback / unk_token / fuse_unk). */
export interface UnknownOptions {
  byteFallback: boolean;
  unkId: number | undefined;
  fuseUnk: boolean;
}

export class ByteLevelBpeTokenizer extends BpeTokenizer {
  readonly kind = "byte-level-bpe" as const;
  /** byte -> id of its one-byte token; -1 when the vocabulary lacks it. */
  private readonly byteIds: Int32Array;
  /** byte -> the ids standing in for a missing stand-in ([] = dropped). */
  private readonly missing: number[][];
  private readonly unk: { id: number | undefined; fuse: boolean };

  constructor(
    parts: BpeParts,
    unknown: UnknownOptions = { byteFallback: false, unkId: undefined, fuseUnk: false },
  ) {
    super(parts);
    this.byteIds = Int32Array.from(BYTE_TO_CHAR, (c) => parts.vocab.get(c) ?? -1);
    this.unk = { id: unknown.unkId, fuse: unknown.fuseUnk };
    this.missing = BYTE_TO_CHAR.map((c) => {
      const fallback = Array.from(utf8.encode(c), (b) => parts.vocab.get(hex(b)));
      if (unknown.byteFallback && fallback.every((id) => id !== undefined)) return fallback as number[];
      return unknown.unkId === undefined ? [] : [unknown.unkId];
    });
  }

  protected initialIds(word: string): number[] {
    const ids: number[] = [];
    // ASCII fast path: most words are ASCII, and charCodeAt avoids allocating a byte array.
    for (let k = 0; k < word.length; k++) {
      const code = word.charCodeAt(k);
      const id = code < 0x80 ? this.byteIds[code]! : -1;
      if (id < 0) return this.idsOfBytes(utf8.encode(word));
      ids.push(id);
    }
    return ids;
  }

  private idsOfBytes(bytes: Uint8Array): number[] {
    const ids: number[] = [];
    let lastUnk = false;
    for (const b of bytes) {
      const id = this.byteIds[b]!;
      if (id >= 0) {
        ids.push(id);
        lastUnk = false;
        continue;
      }
      const stand = this.missing[b]!;
      const isUnk = stand.length === 1 && stand[0] === this.unk.id;
      if (!(isUnk && lastUnk && this.unk.fuse)) ids.push(...stand);
      lastUnk = isUnk;
    }
    return ids;
  }

  protected override wordAsToken(word: string): string {
    let token = "";
    for (const b of utf8.encode(word)) token += BYTE_TO_CHAR[b];
    return token;
  }

  protected tokenBytes(token: string): Uint8Array {
    return tokenBytes(token);
  }
}
