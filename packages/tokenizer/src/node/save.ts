// saveTokenizer(tokenizer, path): write a tokenizer's tokenizer.json to disk, atomically.
//   path ending in .json  -> that file
//   anything else         -> a directory (created if needed) that receives tokenizer.json, the
//                            name loadTokenizer looks for
// The write goes through writeFileAtomic (@llmts/safetensors/node): a crash leaves the old file
// or the new one, never half of one.
// Not here: what the file says (each tokenizer's toTokenizerJson).

import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "@llmts/safetensors/node";
import type { Tokenizer } from "../types.ts";

/** Writes `tokenizer` as a Hugging Face tokenizer.json; returns the file it wrote. */
export function saveTokenizer(tokenizer: Pick<Tokenizer, "toTokenizerJson">, path: string): string {
  const file = path.endsWith(".json") ? path : join(path, "tokenizer.json");
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(file, [tokenizer.toTokenizerJson()]);
  return file;
}
