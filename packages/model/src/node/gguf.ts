// GGUF models on disk (Node only): where a model path points to a GGUF file, loading it, and
// writing one.
//
//   FILE.gguf                 a GGUF file alone: config from its metadata (llama.cpp's keys)
//   DIR/model.gguf            what `llmts quantize` writes: config.json beside it (every HF field,
//                             rope_scaling llama3 included), weights from the GGUF; used when DIR
//                             has no model.safetensors (safetensors, the exact weights, win)
//
// Tensors are read one at a time (openGguf), so a model is never held twice.
// Not here: the mapping itself (../gguf/), tokenizers (@llmts/tokenizer/node reads the same file's
// metadata), safetensors directories (directory.ts).

import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { isGgufFile, openGguf, writeGgufFile } from "@llmts/gguf/node";
import type { ModelConfig } from "../config.ts";
import { modelFromGguf } from "../gguf/read.ts";
import { type GgufExportOptions, modelToGguf } from "../gguf/write.ts";
import type { CausalLM } from "../model.ts";
import { readConfig } from "./directory.ts";

/** The weights file `llmts quantize` writes into a model directory. */
export const GGUF_MODEL_FILE = "model.gguf";

/**
 * The GGUF file a model path stands for: the path itself when it is a GGUF file, DIR/model.gguf
 * when a directory holds one and no safetensors weights; undefined otherwise.
 */
export function ggufModelPath(path: string): { file: string; dir: string | null } | undefined {
  if (!existsSync(path)) return undefined;
  if (!statSync(path).isDirectory()) return isGgufFile(path) ? { file: path, dir: null } : undefined;
  const hasSafetensors = ["model.safetensors", "model.safetensors.index.json"].some((f) =>
    existsSync(join(path, f)),
  );
  const file = join(path, GGUF_MODEL_FILE);
  return !hasSafetensors && existsSync(file) ? { file, dir: path } : undefined;
}

/** Loads a GGUF model: `file`'s weights, with `dir`/config.json when given (else the metadata's config). */
export function loadGgufModel(
  file: string,
  dir: string | null = null,
): { config: ModelConfig; model: CausalLM } {
  const config = dir === null ? undefined : readConfig(dir);
  const gguf = openGguf(file);
  try {
    return modelFromGguf(gguf, resolve(file), config);
  } finally {
    gguf.close();
  }
}

/**
 * Writes `model` as a GGUF file (atomically: a crash leaves the old file or the new one). Returns
 * how many tensors of each type it holds, and the GGUF names of matrices left F32 although
 * options.quantize asked (rows not whole blocks).
 */
export function saveGgufModel(
  file: string,
  model: CausalLM,
  options: GgufExportOptions = {},
): { types: Map<string, number>; keptFloat: string[] } {
  const { spec, keptFloat } = modelToGguf(model, options);
  writeGgufFile(file, spec);
  const types = new Map<string, number>();
  for (const t of spec.tensors ?? []) types.set(t.type, (types.get(t.type) ?? 0) + 1);
  return { types, keptFloat };
}
