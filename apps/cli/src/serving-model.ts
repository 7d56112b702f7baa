// A checkpoint (a directory, or a GGUF file) as the server holds it (@llmts/server's ServedModel), for `llmts serve`
// and `llmts chat`: the weights with one KV-cache slot per sequence decoded together, the
// tokenizer, the chat template, the EOS ids, and the measured cold start.
//
//   cold start = read config + weights, pin them for decoding, load the tokenizer and the chat
//                template, one warm-up forward pass (wasm compiled, weights packed)
//
// The chat template comes from chat_template.jinja, else tokenizer_config.json's chat_template
// (transformers' order), else the plain default (@llmts/chat). Both files are read with a size
// cap and must be regular files.
// Not here: HTTP (@llmts/server), the backend flags (backend-flags.ts, applied before this runs).

import { createHash } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { type ChatTemplate, chatTemplateFor } from "@llmts/chat";
import { openGguf } from "@llmts/gguf/node";
import { pinWeights } from "@llmts/kernels/node";
import { type Allocate, configToJson, slotModel } from "@llmts/model";
import { ggufModelPath, loadModel } from "@llmts/model/node";
import { readLimitedText } from "@llmts/safetensors/node";
import type { ServedModel } from "@llmts/server";
import { Tensor } from "@llmts/tensor";
import { hasTokenizer, loadTokenizer } from "@llmts/tokenizer/node";
import { CliError } from "./errors.ts";
import { encodePrompt, eosIds } from "./model-files.ts";

const MiB = 1024 * 1024;

/**
 * `path` is a checkpoint directory (safetensors, or model.gguf from `llmts quantize`) or a GGUF
 * file, whose metadata then holds the tokenizer and, when the file has one, the chat template.
 */
export function loadServedModel(
  path: string,
  slots: number,
  where: { allocate?: Allocate } = {},
): ServedModel {
  const gguf = ggufModelPath(path);
  if (!existsSync(path) || !(statSync(path).isDirectory() || gguf !== undefined))
    throw new CliError(`--model: no such directory or GGUF file: ${path}`);
  if (!hasTokenizer(path)) {
    throw new CliError(
      `--model: ${path} has no tokenizer (tokenizer.json, vocab.json + merges.txt, tokenizer.bin, or GGUF metadata); ` +
        "serving text needs one",
    );
  }
  // A GGUF file's side files (tokenizer_config.json, generation_config.json) sit in no directory of its own.
  const dir = gguf !== undefined && gguf.dir === null ? null : path;
  const t0 = performance.now();
  const { model } = loadModel(path, where);
  pinWeights(model.parameters().values()); // read-only from here: any weight not loaded in place is copied in once
  const tokenizer = loadTokenizer(path);
  const template = dir !== null ? readTemplate(dir) : ggufTemplate(path);
  const slotted = slotModel(model, { slots, ...where });
  slotted.extend(0, [0]); // warm-up: the first request should not pay for compiling and packing
  slotted.truncate(0, 0);
  const loadDurationMs = performance.now() - t0;

  const configText =
    (dir !== null ? readText(join(dir, "config.json"), MiB) : undefined) ??
    JSON.stringify(configToJson(model.config));
  const weights =
    dir !== null
      ? readdirSync(dir)
          .filter((name) => name.endsWith(".safetensors") || name.endsWith(".gguf"))
          .map((name) => join(dir, name))
      : [path];
  let parameterCount = 0;
  for (const w of model.weights().values()) parameterCount += w instanceof Tensor ? w.size : w.rows * w.cols;
  return {
    id: basename(resolve(path)).replace(/\.gguf$/, ""),
    slots: slotted,
    tokenizer,
    template,
    eosIds: dir !== null ? eosIds(dir, tokenizer) : tokenizer.eosId !== undefined ? [tokenizer.eosId] : [],
    encodePrompt: (text) => encodePrompt(tokenizer, text),
    loadDurationMs,
    created: Math.floor(Date.now() / 1000),
    details: {
      family: modelType(configText) ?? model.config.arch,
      parameterCount,
      sizeBytes: weights.reduce((sum, file) => sum + statSync(file).size, 0),
      digest: `sha256:${createHash("sha256").update(configText).digest("hex")}`,
      modifiedAt: statSync(weights[0] ?? path).mtime.toISOString(),
    },
  };
}

function readTemplate(dir: string): ChatTemplate {
  const configFile = join(dir, "tokenizer_config.json");
  const configText = readText(configFile, 16 * MiB);
  let config: unknown;
  if (configText !== undefined) {
    try {
      config = JSON.parse(configText);
    } catch (error) {
      throw new CliError(`${configFile}: not valid JSON (${(error as Error).message})`);
    }
  }
  const jinja = readText(join(dir, "chat_template.jinja"), MiB);
  try {
    return chatTemplateFor(config, jinja, configFile);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

/** A text file's content, undefined when absent; refused when not a regular file or over `max` bytes. */
function readText(file: string, max: number): string | undefined {
  if (!existsSync(file)) return undefined;
  return readLimitedText(file, max, (reason) => {
    throw new CliError(`${file} ${reason}`);
  });
}

function modelType(configText: string): string | undefined {
  try {
    const type = (JSON.parse(configText) as { model_type?: unknown }).model_type;
    return typeof type === "string" ? type : undefined;
  } catch {
    return undefined;
  }
}

/** The chat template a GGUF file carries (tokenizer.chat_template), else the plain default. */
function ggufTemplate(file: string): ChatTemplate {
  const reader = openGguf(file);
  try {
    const entry = reader.metadata.get("tokenizer.chat_template");
    const config = entry?.type === "string" ? { chat_template: entry.value } : undefined;
    return chatTemplateFor(config, undefined, file);
  } catch (error) {
    throw new CliError((error as Error).message);
  } finally {
    reader.close();
  }
}
