// Streaming detokenization: turn ids arriving one at a time into text pieces whose concatenation
// is the decode of all of them — without ever printing half a character.
//
// Why not decode(id) per token: one token can be part of a UTF-8 character (byte-level BPE
// splits "é" = C3 A9 over two tokens; Llama's byte fallback has <0xC3><0xA9>), and SentencePiece
// decoders drop the leading space of the first token of a string ("▁there" -> "there").
// So, like Hugging Face text-generation-inference (`decode_token`), we decode a short window:
//
//   prefix = decode(ids[prefixOffset .. readOffset])   text already emitted (context)
//   full   = decode(ids[prefixOffset .. end])
//   if full is longer and does not end in U+FFFD: emit full.slice(prefix.length), move window
//   else: wait for the next token (an incomplete character decodes to U+FFFD)
//
// The window starts on the last prompt tokens (not emitted), so the first generated token keeps
// its leading space. Assumes decode(a ++ b) starts with decode(a) when a ends on a character
// boundary, true of byte-level BPE, SentencePiece and char vocabularies.
// A tokenizer with its own `createStreamDecoder` (O(1) per token) is used instead; it is primed
// with the prompt ids, output discarded, for the same leading-space reason (`openTextStream`).
// Special tokens of the prompt (BOS) are left out of that context: they are not text, so after
// a prompt of only [<s>] the first token's space is stripped, as decode(generated) does and as
// llama2.c and HF's TextStreamer print it ("the the", not " the the").
// Not here: stop strings (stop-strings.ts).

import type { Detokenizer, TextStream } from "./interfaces.ts";

/** How many prompt ids seed the window (TGI uses 5 as well). */
const CONTEXT_TOKENS = 5;
const REPLACEMENT = "\uFFFD";

export class StreamDecoder implements TextStream {
  private readonly ids: number[];
  private prefixOffset = 0;
  private readOffset: number;

  constructor(
    private readonly tokenizer: Detokenizer,
    promptIds: readonly number[] = [],
  ) {
    const text = textIds(tokenizer, promptIds);
    let context = text.slice(Math.max(0, text.length - CONTEXT_TOKENS));
    // A prompt that ends mid-character (possible with raw --prompt-ids) would poison `prefix`.
    if (tokenizer.decode(context).endsWith(REPLACEMENT)) context = [];
    this.ids = context;
    this.readOffset = context.length;
  }

  /** Adds one id; returns the text it completes ("" while a character is still incomplete). */
  push(id: number): string {
    this.ids.push(id);
    const prefix = this.tokenizer.decode(this.ids.slice(this.prefixOffset, this.readOffset));
    const full = this.tokenizer.decode(this.ids.slice(this.prefixOffset));
    if (full.length > prefix.length && !full.endsWith(REPLACEMENT)) {
      this.prefixOffset = this.readOffset;
      this.readOffset = this.ids.length;
      return full.slice(prefix.length);
    }
    return "";
  }

  /** Everything not yet returned (an incomplete trailing character comes out as U+FFFD). */
  flush(): string {
    const prefix = this.tokenizer.decode(this.ids.slice(this.prefixOffset, this.readOffset));
    const full = this.tokenizer.decode(this.ids.slice(this.prefixOffset));
    this.prefixOffset = this.readOffset = this.ids.length;
    return full.length > prefix.length ? full.slice(prefix.length) : "";
  }
}

/**
 * The text stream for the continuation of `promptIds`: the tokenizer's own stream decoder when it
 * has one (fed the prompt first, output dropped, so the continuation decodes as it would after
 * the prompt), else a StreamDecoder over `decode`.
 */
export function openTextStream(tokenizer: Detokenizer, promptIds: readonly number[]): TextStream {
  if (!tokenizer.createStreamDecoder) return new StreamDecoder(tokenizer, promptIds);
  const stream = tokenizer.createStreamDecoder();
  for (const id of textIds(tokenizer, promptIds)) stream.push(id);
  return stream;
}

/** The prompt without the tokenizer's special tokens ([<s>, ▁Hi] -> [▁Hi]). */
function textIds(tokenizer: Detokenizer, promptIds: readonly number[]): readonly number[] {
  if (!tokenizer.specialTokens || tokenizer.specialTokens.size === 0) return promptIds;
  const special = new Set(tokenizer.specialTokens.values());
  return promptIds.filter((id) => !special.has(id));
}
