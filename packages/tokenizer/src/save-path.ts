// Where save(path) writes: a path ending in .json is the file itself; anything else is a
// directory (created if needed) that receives `tokenizer.json`, the name loadTokenizer looks for.

import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";

export function tokenizerJsonPath(path: string): string {
  const file = path.endsWith(".json") ? path : join(path, "tokenizer.json");
  mkdirSync(dirname(file), { recursive: true });
  return file;
}
