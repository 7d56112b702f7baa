// GPT-2's byte <-> character table ("bytes_to_unicode" in openai/gpt-2 encoder.py).
//
// Byte-level BPE works on the 256 byte values, but vocab.json stores tokens as strings, so each
// byte gets a printable stand-in character: printable Latin-1 bytes map to themselves
// ("!".."~", "¡".."¬", "®".."ÿ"), the other 68 bytes (controls, space, soft hyphen) to
// U+0100.. in order. So a space (0x20) is "Ġ" (U+0120) and a newline (0x0A) is "Ċ" (U+010A):
// the "Ġthe" in GPT-2's vocabulary is " the".

function buildByteToChar(): string[] {
  const table: string[] = new Array(256);
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    table[b] = String.fromCharCode(printable ? b : next++);
  }
  return table;
}

/** byte (0..255) -> its stand-in character. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** stand-in character -> byte. */
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

const encoder = new TextEncoder();

/** " the" -> "Ġthe": the vocabulary spelling of a string's UTF-8 bytes. */
export function toByteChars(text: string): string {
  let out = "";
  for (const b of encoder.encode(text)) out += BYTE_TO_CHAR[b];
  return out;
}

/**
 * "Ġthe" -> [0x20, 0x74, 0x68, 0x65]. A token containing a character outside the table (an added
 * token such as "<|im_start|>" is fine, its characters are all printable ASCII; "日本" is not)
 * contributes its own UTF-8 bytes instead, as Hugging Face's ByteLevel decoder does.
 */
export function tokenBytes(token: string): Uint8Array {
  const bytes = new Uint8Array(token.length);
  let n = 0;
  for (const c of token) {
    const b = CHAR_TO_BYTE.get(c);
    if (b === undefined) return encoder.encode(token);
    bytes[n++] = b;
  }
  return bytes.subarray(0, n);
}
