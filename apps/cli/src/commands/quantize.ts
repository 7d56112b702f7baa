// `llmts quantize --model DIR --format q8_0|q4_0 --out DIR2 [--force]`: the model with its
// matrices in ggml's blocks, as a directory every command loads like the original:
//
//   DIR2/model.gguf     the weights, in llama.cpp's GGUF layout (so the file alone also runs in
//                       llama.cpp / Ollama): linear layers, the token embedding and the output
//                       layer in Q8_0 / Q4_0; norms, biases, position embeddings F32
//   DIR2/config.json    the same Hugging Face config (every field, including what GGUF cannot say)
//   DIR2/tokenizer...   the tokenizer files and generation_config.json, copied as they are
//
// Why GGUF inside a directory: one format for quantized weights, and the one llama.cpp, Ollama
// and gguf-py already read, with ggml's exact block bytes (safetensors has no dtype for them);
// config.json and the tokenizer files beside it keep the directory a Hugging Face-style model
// directory, so `generate`, `logits` and `inspect` take it unchanged (loadModel reads
// model.gguf when there is no model.safetensors).
// Outputs follow outputs.ts: nothing is replaced without --force, --out may not be --model.
// Not here: quantizing and the GGUF layout (@llmts/model saveGgufModel), a GGUF file on its own
// (`llmts export`).

import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { configToJson } from "@llmts/model";
import { GGUF_MODEL_FILE, loadModel, saveGgufModel } from "@llmts/model/node";
import { writeFileAtomic } from "@llmts/safetensors/node";
import { type Command, Option } from "commander";
import { CliError } from "../errors.ts";
import {
  describeWritten,
  QUANT_FORMATS,
  quantType,
  tokenizerMetadata,
  warnKeptFloat,
} from "../gguf-output.ts";
import { refuseInputAsOutput, refuseToReplace } from "../outputs.ts";

/** Files of a model directory that travel with it unchanged. */
const COPIED = [
  "tokenizer.json",
  "tokenizer_config.json",
  "vocab.json",
  "merges.txt",
  "tokenizer.bin",
  "special_tokens_map.json",
  "generation_config.json",
];

interface QuantizeFlags {
  model: string;
  format: string;
  out: string;
  force?: boolean;
}

export function registerQuantize(program: Command): void {
  program
    .command("quantize")
    .description(
      "write a model with Q8_0 / Q4_0 weights (ggml's blocks) as a directory: model.gguf + config.json + tokenizer",
    )
    .requiredOption("--model <dir>", "model directory (or GGUF file) to quantize")
    .addOption(
      new Option(
        "--format <format>",
        "q8_0: 8-bit blocks of 32 (1.06 bytes a weight); q4_0: 4-bit (0.56 bytes)",
      )
        .choices(QUANT_FORMATS)
        .makeOptionMandatory(),
    )
    .requiredOption("--out <dir>", "directory to write (model.gguf, config.json, tokenizer files)")
    .option("--force", "replace files in --out that this command did not write")
    .action((o: QuantizeFlags) => runQuantize(o));
}

function runQuantize(o: QuantizeFlags): void {
  if (!existsSync(o.model)) throw new CliError(`--model: no such directory or GGUF file: ${o.model}`);
  const fromDir = statSync(o.model).isDirectory();
  const copied = fromDir ? COPIED.filter((name) => existsSync(join(o.model, name))) : [];
  const outputs = [GGUF_MODEL_FILE, "config.json", ...copied].map((name) => join(o.out, name));
  refuseInputAsOutput("--out", [o.out], [{ flag: "--model", path: o.model }]);
  refuseToReplace("--out", outputs, o.force === true);

  const { model } = loadModel(o.model);
  mkdirSync(o.out, { recursive: true });
  const gguf = join(o.out, GGUF_MODEL_FILE);
  const { types, keptFloat } = saveGgufModel(gguf, model, {
    quantize: quantType(o.format),
    metadata: tokenizerMetadata(o.model, model),
  });
  writeFileAtomic(join(o.out, "config.json"), [`${JSON.stringify(configToJson(model.config), null, 2)}\n`]);
  for (const name of copied) copyFileSync(join(o.model, name), join(o.out, name));
  warnKeptFloat(keptFloat);
  process.stdout.write(`${describeWritten(gguf, model, types)}\n`);
  process.stdout.write(`wrote config.json${copied.map((name) => `, ${name}`).join("")} beside it\n`);
}
