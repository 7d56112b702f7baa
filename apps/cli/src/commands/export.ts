// `llmts export --model DIR --format gguf [--quantize q8_0|q4_0] --out FILE [--force]`: one GGUF
// file that llama.cpp and Ollama load as it is — the hyperparameters under llama.cpp's keys, the
// weights in its layout (Llama's q/k rows permuted, GPT-2's Conv1D weights transposed), the
// tokenizer in tokenizer.ggml.*, quantized on request (linear layers, token embedding, output
// layer; norms and biases stay F32). Without --quantize every weight keeps its type (F32 from a
// safetensors directory; a quantized directory's blocks as they are).
// Outputs follow outputs.ts: FILE is not replaced without --force and may not be --model.
// Not here: the layout (@llmts/model gguf/), a directory that stays loadable here with its
// config.json (`llmts quantize`).

import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { loadModel, saveGgufModel } from "@llmts/model/node";
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

interface ExportFlags {
  model: string;
  format: string;
  quantize?: string;
  out: string;
  force?: boolean;
}

export function registerExport(program: Command): void {
  program
    .command("export")
    .description(
      "write a model as one GGUF file for llama.cpp / Ollama (weights, hyperparameters, tokenizer)",
    )
    .requiredOption("--model <dir>", "model directory (or GGUF file) to export")
    .addOption(new Option("--format <format>", "file format").choices(["gguf"]).makeOptionMandatory())
    .addOption(
      new Option("--quantize <format>", "quantize the matrices (default: keep each weight's type)").choices(
        QUANT_FORMATS,
      ),
    )
    .requiredOption("--out <file>", "the .gguf file to write")
    .option("--force", "replace --out if it exists")
    .action((o: ExportFlags) => {
      if (!existsSync(o.model)) throw new CliError(`--model: no such directory or GGUF file: ${o.model}`);
      refuseInputAsOutput("--out", [o.out], [{ flag: "--model", path: o.model }]);
      refuseToReplace("--out", [o.out], o.force === true);
      const { model } = loadModel(o.model);
      mkdirSync(dirname(o.out), { recursive: true });
      const { types, keptFloat } = saveGgufModel(o.out, model, {
        quantize: o.quantize === undefined ? undefined : quantType(o.quantize),
        metadata: tokenizerMetadata(o.model, model),
      });
      warnKeptFloat(keptFloat);
      process.stdout.write(`${describeWritten(o.out, model, types)}\n`);
    });
}
