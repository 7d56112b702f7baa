// Tokenizers from GGUF files on disk (Node only): a GGUF file's metadata holds the whole
// vocabulary (tokenizer.ggml.*), so `--model model.gguf` needs no other file. Reads the header
// only (openGguf: positioned reads, tensors untouched).
//   FILE.gguf       its metadata's tokenizer
//   DIR/model.gguf  the same, when DIR holds no tokenizer files (those win: they say more)
// Not here: what the keys mean (../gguf-read.ts), tokenizer files (load.ts).

import { existsSync } from "node:fs";
import { join } from "node:path";
import { openGguf } from "@llmts/gguf/node";
import { hasGgufTokenizer, tokenizerFromGguf } from "../gguf-read.ts";
import { type Tokenizer, TokenizerError } from "../types.ts";

/** The GGUF weights file `llmts quantize` writes into a model directory. */
export const GGUF_MODEL_FILE = "model.gguf";

/** The tokenizer in `file`'s metadata; a TokenizerError when it has none. */
export function loadGgufTokenizer(file: string): Tokenizer {
  const gguf = openGguf(file);
  try {
    if (!hasGgufTokenizer(gguf.metadata)) {
      throw new TokenizerError(
        `tokenizer: ${file} has no tokenizer (no tokenizer.ggml.model in its metadata)`,
      );
    }
    return tokenizerFromGguf(gguf.metadata, file);
  } finally {
    gguf.close();
  }
}

/** True when `file` is a GGUF file whose metadata holds a tokenizer. */
export function ggufHasTokenizer(file: string): boolean {
  if (!existsSync(file)) return false;
  const gguf = openGguf(file);
  try {
    return hasGgufTokenizer(gguf.metadata);
  } finally {
    gguf.close();
  }
}

/** DIR/model.gguf, when it exists. */
export function ggufInDirectory(dir: string): string | undefined {
  const file = join(dir, GGUF_MODEL_FILE);
  return existsSync(file) ? file : undefined;
}
