// Byte-level BPE (GPT-2, SmolLM, Llama 3, Qwen): BPE over the UTF-8 bytes of each word, so any
// string encodes with no unknown token and decode(encode(s)) === s exactly.
//
//   " naïve" -> bytes 20 6E 61 C3 AF 76 65 -> vocab spelling "ĠnaÃ¯ve" -> merges -> ["Ġna", "ï", "ve"]
//
// The vocabulary spells bytes with GPT-2's printable stand-ins (byte-chars.ts). Built from a
// parsed tokenizer.json (tokenizer-json.ts); vocab.json + merges.txt and trainBpe are turned into
// one first, so there is a single loading path.
// Reference: openai/gpt-2 src/encoder.py; huggingface/tokenizers pre_tokenizers/byte_level.rs.

import { type BpeParts, BpeTokenizer } from "./bpe-tokenizer.ts";
import { BYTE_TO_CHAR, tokenBytes } from "./byte-chars.ts";

const utf8 = new TextEncoder();

export class ByteLevelBpeTokenizer extends BpeTokenizer {
  readonly kind = "byte-level-bpe" as const;
  /** byte -> id of its one-byte token; -1 when the vocabulary lacks it (the byte is dropped). */
  private readonly byteIds: Int32Array;

  constructor(parts: BpeParts) {
    super(parts);
    this.byteIds = Int32Array.from(BYTE_TO_CHAR, (c) => parts.vocab.get(c) ?? -1);
  }

  protected initialIds(word: string): number[] {
    const ids: number[] = [];
    // ASCII fast path: most words are ASCII, and charCodeAt avoids allocating a byte array.
    for (let k = 0; k < word.length; k++) {
      const code = word.charCodeAt(k);
      if (code >= 0x80) return this.idsOfBytes(utf8.encode(word));
      const id = this.byteIds[code]!;
      if (id >= 0) ids.push(id);
    }
    return ids;
  }

  private idsOfBytes(bytes: Uint8Array): number[] {
    const ids: number[] = [];
    for (const b of bytes) {
      const id = this.byteIds[b]!;
      if (id >= 0) ids.push(id);
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
