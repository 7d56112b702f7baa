// The tokenizer as a training run uses it: encode the text once, save it next to the model.
// PLACEHOLDER until @llmts/tokenizer lands: a character vocabulary (nanoGPT's shakespeare_char).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TrainError } from "./errors.ts";

export interface RunTokenizer {
  readonly vocabSize: number;
  encode(text: string): ArrayLike<number>;
  decode(ids: ArrayLike<number>): string;
  /** Writes the tokenizer's files (tokenizer.json) into `dir`. */
  save(dir: string): void;
}

export function tokenizerForText(text: string): RunTokenizer {
  return charTokenizer([...new Set(text)].sort());
}

function charTokenizer(chars: string[]): RunTokenizer {
  const index = new Map(chars.map((ch, i) => [ch, i]));
  return {
    vocabSize: chars.length,
    encode: (t) => Array.from(t, (ch) => index.get(ch)!),
    decode: (ids) => Array.from(ids, (i) => chars[i]).join(""),
    save: (dir) => writeFileSync(join(dir, "tokenizer.json"), JSON.stringify({ chars })),
  };
}

export function loadRunTokenizer(path: string): RunTokenizer {
  try {
    return charTokenizer(JSON.parse(readFileSync(join(path, "tokenizer.json"), "utf8")).chars);
  } catch {
    throw new TrainError(`tokenizer: cannot load ${path} yet`);
  }
}
