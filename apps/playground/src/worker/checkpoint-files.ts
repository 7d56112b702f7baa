// A checkpoint in and out of the page as files: the files a user opened or dropped (config.json,
// model.safetensors, a tokenizer, generation_config.json) become a model and a tokenizer through
// the same loaders `llmts` uses — @llmts/model's modelFromFiles and @llmts/tokenizer's
// tokenizerFromFiles, which do the CLI's checks and give its errors — and a model becomes the
// three files the CLI reads back (config.json, model.safetensors, tokenizer.json).
//
// Every file's size is checked before it is read (File.size), so a wrong 4 GB file is refused
// in one line instead of filling the tab's memory. Names decide what a file is, as in a
// checkpoint directory; other files are left out with a note saying so.
// Not here: running the model (spark.ts), the file picker and drop zone (page/load-panel.ts).

import { type CausalLM, modelFromFiles, toCheckpoint } from "@llmts/model";
import { serializeSafetensors } from "@llmts/safetensors";
import { readEosTokenIds } from "@llmts/sample";
import {
  checkTokenizerFileSize,
  type Tokenizer,
  type TokenizerFileName,
  type TokenizerFiles,
  tokenizerFromFiles,
} from "@llmts/tokenizer";

const MiB = 1024 * 1024;
const TOKENIZER_NAMES: TokenizerFileName[] = [
  "tokenizer.json",
  "tokenizer_config.json",
  "tokenizer.bin",
  "vocab.json",
  "merges.txt",
];
/** Limits for the files the tokenizer package does not size: JSON configs, and the weights. */
const LIMITS: Record<string, number> = {
  "config.json": 16 * MiB,
  "generation_config.json": 16 * MiB,
  // What one ArrayBuffer of a browser tab reliably holds; models that big want the CLI anyway.
  "model.safetensors": 2048 * MiB,
};
const KNOWN = new Set<string>([...Object.keys(LIMITS), ...TOKENIZER_NAMES]);

export interface Loaded {
  model: CausalLM;
  tokenizer: Tokenizer;
  /** End-of-sequence ids, as `llmts generate` finds them (generation_config.json, config.json, tokenizer). */
  eosIds: number[];
  readMs: number;
  parseMs: number;
  /** Files left out, and why. */
  notes: string[];
}

function sizeText(bytes: number): string {
  return bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${bytes} bytes`;
}

/** Reads the checkpoint files among `files` and loads them as `llmts generate --model DIR` does. */
export async function loadCheckpointFiles(files: readonly File[]): Promise<Loaded> {
  const byName = new Map<string, File>();
  const notes: string[] = [];
  for (const file of files) {
    if (!KNOWN.has(file.name)) {
      notes.push(
        `${file.name} left out: not a checkpoint file (config.json, model.safetensors, tokenizer.json, ...)`,
      );
      continue;
    }
    if (byName.has(file.name)) throw new Error(`two files named ${file.name}: open one checkpoint at a time`);
    byName.set(file.name, file);
  }
  if (byName.size === 0) {
    const given = files.map((f) => f.name).join(", ") || "no files";
    throw new Error(
      `${given}: not a checkpoint; open config.json and model.safetensors (and tokenizer.json) together`,
    );
  }
  for (const [name, file] of byName) {
    if (name in LIMITS && file.size > LIMITS[name]!) {
      throw new Error(
        `${name} is ${sizeText(file.size)}, more than the ${sizeText(LIMITS[name]!)} the playground loads`,
      );
    }
    if (TOKENIZER_NAMES.includes(name as TokenizerFileName)) {
      checkTokenizerFileSize(name as TokenizerFileName, file.size, name);
    }
  }

  const start = performance.now();
  const text = (name: string) => byName.get(name)?.text();
  const bytes = async (name: string) => {
    const file = byName.get(name);
    return file === undefined ? undefined : new Uint8Array(await file.arrayBuffer());
  };
  const [configText, generationText, weights] = await Promise.all([
    text("config.json"),
    text("generation_config.json"),
    bytes("model.safetensors"),
  ]);
  const tokenizerFiles: TokenizerFiles = {};
  for (const name of TOKENIZER_NAMES) {
    const content = name === "tokenizer.bin" ? await bytes(name) : await text(name);
    if (content !== undefined) tokenizerFiles[name] = content;
  }
  const readMs = performance.now() - start;

  const parseStart = performance.now();
  const { model } = modelFromFiles({ "config.json": configText, "model.safetensors": weights });
  const tokenizer = tokenizerFromFiles(tokenizerFiles);
  const eosIds = readEosTokenIds([
    { file: "generation_config.json", json: parseJson(generationText, "generation_config.json") },
    { file: "config.json", json: parseJson(configText, "config.json") },
  ]);
  if (tokenizer.eosId !== undefined && !eosIds.includes(tokenizer.eosId)) eosIds.push(tokenizer.eosId);
  return { model, tokenizer, eosIds, readMs, parseMs: performance.now() - parseStart, notes };
}

function parseJson(text: string | undefined, file: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

/** The three files of a checkpoint directory that `llmts generate --model DIR` reads. */
export function checkpointFiles(
  model: CausalLM,
  tokenizer: Tokenizer,
): { name: string; bytes: Uint8Array }[] {
  const { configJson, tensors } = toCheckpoint(model);
  const encoder = new TextEncoder();
  return [
    { name: "config.json", bytes: encoder.encode(configJson) },
    { name: "model.safetensors", bytes: serializeSafetensors(tensors, { format: "pt" }) },
    { name: "tokenizer.json", bytes: encoder.encode(tokenizer.toTokenizerJson()) },
  ];
}
