// Is this path a GGUF file? Its first four bytes, "GGUF", say so (ggml docs/gguf.md: the magic),
// whatever the file is called. What the model and tokenizer loaders ask before they choose
// between a model directory and a GGUF file.
// Not here: validating the rest (file.ts: openGguf checks the whole header).

import { closeSync, openSync, readSync, statSync } from "node:fs";

/** True for a regular file whose first four bytes are "GGUF"; false otherwise (never throws). */
export function isGgufFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    const fd = openSync(path, "r");
    try {
      const magic = new Uint8Array(4);
      return readSync(fd, magic, 0, 4, 0) === 4 && new TextDecoder().decode(magic) === "GGUF";
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}
