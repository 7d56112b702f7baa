// Models in and out of Hugging Face's directory layout, on disk (Node only):
//
//   DIR/config.json                                   model_type and sizes (config.ts)
//   DIR/model.safetensors  (or an index + shards)     parameters under HF names
//
// readConfig() and loadModel() read a directory and hand what they read to the platform-neutral
// loader (load.ts), so a model loads here exactly as it does from bytes in a browser: the same
// checks, the same errors. Tensors are read one at a time from disk, so GPT-2 124M never holds
// its weights twice. saveModel() writes config.json, then model.safetensors, each atomically.
// A GGUF model (FILE.gguf, or DIR/model.gguf beside config.json) loads through gguf.ts.
// Not here: parsing and checking (config.ts, weights.ts, load.ts), tokenizers
// (@llmts/tokenizer reads tokenizer.json from the same directory), optimizer state (@llmts/train).

import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  MAX_JSON_BYTES,
  openCheckpoint,
  readLimitedText,
  writeFileAtomic,
  writeSafetensors,
} from "@llmts/safetensors/node";
import { type ModelConfig, parseConfigText } from "../config.ts";
import { ConfigError } from "../errors.ts";
import { type LoadOptions, modelFromWeights, type SaveOptions, toCheckpoint } from "../load.ts";
import type { CausalLM } from "../model.ts";
import { ggufModelPath, loadGgufModel } from "./gguf.ts";

/**
 * Reads and parses `<dir>/config.json`: a regular file of at most MAX_JSON_BYTES (16 MiB), so a
 * config.json that is /dev/zero, a FIFO or a huge file is refused in one line, not read forever.
 */
export function readConfig(dir: string): ModelConfig {
  const file = join(dir, "config.json");
  // Absent: the message modelFromFiles gives in a browser, word for word.
  if (!existsSync(file)) throw new ConfigError(`config: cannot read ${file}`);
  const text = readLimitedText(file, MAX_JSON_BYTES, (reason) => {
    throw new ConfigError(`config: cannot read ${file}: it ${reason}`);
  });
  return parseConfigText(text, file);
}

/**
 * Reads DIR/config.json and the weights next to it (single file or sharded), converted to f32;
 * `options.allocate` says where the weights go (read there straight from the file). A GGUF file,
 * or a directory whose weights are DIR/model.gguf, loads through node/gguf.ts.
 */
export function loadModel(dir: string, options: LoadOptions = {}): { config: ModelConfig; model: CausalLM } {
  const gguf = ggufModelPath(dir);
  if (gguf !== undefined) return loadGgufModel(gguf.file, gguf.dir);
  const config = readConfig(dir);
  const ckpt = openCheckpoint(dir);
  try {
    return { config, model: modelFromWeights(config, ckpt, resolve(dir), options) };
  } finally {
    ckpt.close();
  }
}

/**
 * Writes DIR/config.json and DIR/model.safetensors (creating DIR). Each file is replaced
 * atomically and durably (writeFileAtomic: a uniquely named temp file, fsync, rename, fsync of the
 * directory); the tensors stream to disk without being joined into one buffer.
 */
export function saveModel(dir: string, model: CausalLM, options: SaveOptions = {}): void {
  mkdirSync(dir, { recursive: true });
  const { configJson, tensors } = toCheckpoint(model, options);
  writeFileAtomic(join(dir, "config.json"), [configJson]);
  writeSafetensors(join(dir, "model.safetensors"), tensors, { format: "pt" });
}
