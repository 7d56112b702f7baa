// Decoding with SentencePiece's byte fallback, as Hugging Face's ByteFallback decoder does it:
// consecutive <0xNN> tokens are a run of raw bytes, decoded together; if the run is not valid
// UTF-8 as a whole, each of its tokens becomes one U+FFFD.
//
//   <0xE2> <0x82> <0xAC>          -> "€"          (one valid character)
//   <0x7D> <0xAF>                 -> "\uFFFD\uFFFD" (invalid as a whole: even the "}" goes)
//   <0xF0> <0x9F> ▁the            -> "\uFFFD\uFFFD the"
//
// That differs from decoding all the bytes at once (WHATWG / TextDecoder replaces each maximal
// invalid piece, so the second line would be "}\uFFFD"), which is why SentencePiece tokenizers
// decode through here. Byte-level BPE (GPT-2) decodes all its bytes at once, as HF's ByteLevel
// decoder does (from_utf8_lossy), and never comes here.
// The stream decoder holds a run back until it ends (a token that is not a byte, or flush()):
// only then is it known whether the run is valid, so what it emits concatenates to decode().
// Reference: huggingface/tokenizers decoders/byte_fallback.rs.

import type { StreamDecoder } from "./types.ts";

const strict = new TextDecoder("utf-8", { fatal: true });
const lossy = new TextDecoder("utf-8");

/** The text of a run of byte tokens: the bytes if they are valid UTF-8, else U+FFFD per token. */
function runText(bytes: number[]): string {
  if (bytes.length === 0) return "";
  try {
    return strict.decode(Uint8Array.from(bytes));
  } catch {
    return "\uFFFD".repeat(bytes.length);
  }
}

/** How a tokenizer spells its ids for decoding: each token's bytes, and whether it is a byte token. */
export interface ByteTokens {
  bytesOf(id: number): Uint8Array;
  /** The byte of a <0xNN> token, or -1 for any other token. */
  byteOf(id: number): number;
}

export function decodeWithByteFallback(ids: readonly number[], tokens: ByteTokens): string {
  let text = "";
  let run: number[] = [];
  for (const id of ids) {
    const byte = tokens.byteOf(id);
    if (byte >= 0) {
      run.push(byte);
      continue;
    }
    text += runText(run) + lossy.decode(tokens.bytesOf(id));
    run = [];
  }
  return text + runText(run);
}

export function byteFallbackStreamDecoder(tokens: ByteTokens): StreamDecoder {
  let run: number[] = [];
  const endRun = () => {
    const text = runText(run);
    run = [];
    return text;
  };
  return {
    push: (id) => {
      const byte = tokens.byteOf(id);
      if (byte >= 0) {
        run.push(byte);
        return "";
      }
      return endRun() + lossy.decode(tokens.bytesOf(id));
    },
    flush: endRun,
  };
}
