// A checkpoint directory as the server holds it (@llmts/server's ServedModel), for `llmts serve`
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
import { pinWeights } from "@llmts/kernels/node";
import { slotModel } from "@llmts/model";
import { loadModel } from "@llmts/model/node";
import { readLimitedText } from "@llmts/safetensors/node";
import type { ServedModel } from "@llmts/server";
import { loadTokenizer } from "@llmts/tokenizer/node";
import { CliError } from "./errors.ts";
import { encodePrompt, eosIds, hasTokenizerFiles } from "./model-files.ts";

const MiB = 1024 * 1024;

export function loadServedModel(dir: string, slots: number): ServedModel {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new CliError(`--model: no such directory: ${dir}`);
  if (!hasTokenizerFiles(dir)) {
    throw new CliError(
      `--model: ${dir} has no tokenizer (tokenizer.json, vocab.json + merges.txt or tokenizer.bin); ` +
        "serving text needs one",
    );
  }
  const t0 = performance.now();
  const { model } = loadModel(dir);
  pinWeights(model.parameters().values()); // read-only from here: decode reads packed copies
  const tokenizer = loadTokenizer(dir);
  const template = readTemplate(dir);
  const slotted = slotModel(model, { slots });
  slotted.extend(0, [0]); // warm-up: the first request should not pay for compiling and packing
  slotted.truncate(0, 0);
  const loadDurationMs = performance.now() - t0;

  const configText = readText(join(dir, "config.json"), MiB)!;
  const weights = readdirSync(dir).filter((name) => name.endsWith(".safetensors"));
  let parameterCount = 0;
  for (const p of model.parameters().values()) parameterCount += p.size;
  return {
    id: basename(resolve(dir)),
    slots: slotted,
    tokenizer,
    template,
    eosIds: eosIds(dir, tokenizer),
    encodePrompt: (text) => encodePrompt(tokenizer, text),
    loadDurationMs,
    created: Math.floor(Date.now() / 1000),
    details: {
      family: modelType(configText) ?? model.config.arch,
      parameterCount,
      sizeBytes: weights.reduce((sum, name) => sum + statSync(join(dir, name)).size, 0),
      digest: `sha256:${createHash("sha256").update(configText).digest("hex")}`,
      modifiedAt: statSync(join(dir, weights[0] ?? "config.json")).mtime.toISOString(),
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
