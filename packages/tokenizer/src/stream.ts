// Incremental UTF-8 decoding shared by the byte-level and SentencePiece streaming decoders.
//
// A token may end in the middle of a character: GPT-2 splits "😀" (F0 9F 98 80) across tokens,
// and Llama 2 emits it as four <0xNN> byte tokens. TextDecoder's `stream: true` mode holds back
// an incomplete sequence until the next bytes arrive, which is exactly the contract we need:
// the concatenation of everything pushed equals a one-shot decode of all the bytes (WHATWG
// Encoding spec, "decode" with streaming). Invalid bytes become U+FFFD in both cases.

import type { StreamDecoder } from "./types.ts";

/** A stream decoder from a function giving each id's bytes. */
export function byteStreamDecoder(bytesOf: (id: number) => Uint8Array): StreamDecoder {
  const utf8 = new TextDecoder("utf-8");
  return {
    push: (id) => utf8.decode(bytesOf(id), { stream: true }),
    flush: () => utf8.decode(),
  };
}
