// `llmts logits --model DIR --input FILE.safetensors --out OUT.safetensors`: runs the forward pass
// on `input_ids` (I64 or I32 [B, T]) from FILE and writes `logits` (F32 [B, T, V]) to OUT, so any
// reference file (e.g. one a PyTorch script wrote) can be compared from the shell.
//
// Bad input is one line each: missing files (the file system's or safetensors' message), a missing
// or mis-shaped input_ids, an id that is no int32 or lies outside the vocabulary (named by file,
// "input_ids" and [b, t]), a sequence longer than the context (ShapeError from the model's checks).
// --out is checked before the model runs (outputs.ts): it never replaces an existing file without
// --force, and never --input or a file of the --model directory, even with --force.
// Not here: comparing (`llmts check` does that for fixtures), sampling (`llmts generate`).
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { pinWeights } from "@llmts/kernels/node";
import { loadModel } from "@llmts/model/node";
import { fromFloat32, type Tensor as StTensor, toBigInt64 } from "@llmts/safetensors";
import { readSafetensorsFile, writeSafetensors } from "@llmts/safetensors/node";
import { intTensor, noGrad } from "@llmts/tensor";
import type { Command } from "commander";
import { addBackendFlags, applyBackendFlags, type BackendFlags } from "../backend-flags.ts";
import { CliError } from "../errors.ts";
import { prepareOutputFile, refuseInputAsOutput, refuseToReplace } from "../outputs.ts";

interface LogitsOptions extends BackendFlags {
  model: string;
  input: string;
  out: string;
  force?: boolean;
}

/**
 * input_ids (I64 or I32 [B, T]) as int32, each in [0, vocabSize); a bad id is named by the file,
 * the tensor and its [b, t] (I64 ids beyond int32 included, which a plain conversion would only
 * report by flat index).
 */
function readIds(t: StTensor, file: string, vocabSize: number): Int32Array {
  const [B, T] = t.shape as [number, number];
  const wide = toBigInt64(t); // I64 as is, I32 widened: every value exact
  const ids = new Int32Array(B * T);
  for (let i = 0; i < ids.length; i++) {
    const id = wide[i]!;
    if (id < 0n || id >= BigInt(vocabSize)) {
      const b = Math.floor(i / T);
      throw new CliError(
        `--input: input_ids[${b}, ${i - b * T}] = ${id} in ${file} is outside the model's vocabulary [0, ${vocabSize})`,
      );
    }
    ids[i] = Number(id);
  }
  return ids;
}

/**
 * --out may be a new file beside the model (even inside its directory), but never --input nor a
 * file the --model directory already holds (its weights, config, tokenizer), and an existing file
 * only with --force. Its directory is created now, so a path that cannot be written fails at once.
 */
function checkOutput(o: LogitsOptions): void {
  const modelFiles = statSync(o.model).isDirectory()
    ? readdirSync(o.model).map((name) => ({ flag: "--model", path: join(o.model, name) }))
    : [{ flag: "--model", path: o.model }];
  refuseInputAsOutput("--out", [o.out], [{ flag: "--input", path: o.input }, ...modelFiles]);
  prepareOutputFile("--out", o.out); // creates directories only where no file can exist yet
  refuseToReplace("--out", [o.out], o.force === true, ", or choose another --out");
}

export function registerLogits(program: Command): void {
  const command = program
    .command("logits")
    .description("write the logits of a model for the input_ids in a safetensors file")
    .requiredOption(
      "--model <dir>",
      "model directory (config.json + model.safetensors or model.gguf), or a GGUF file",
    )
    .requiredOption("--input <file>", "safetensors file holding input_ids, I64 or I32 [B, T]")
    .requiredOption("--out <file>", "safetensors file to write: logits, F32 [B, T, V]")
    .option("--force", "replace --out if it exists (never --input or the model's own files)");
  addBackendFlags(command).action((o: LogitsOptions) => {
    if (!existsSync(o.input)) throw new CliError(`--input: no such file: ${o.input}`);
    if (!existsSync(o.model)) throw new CliError(`--model: no such directory: ${o.model}`);
    checkOutput(o);
    const input = readSafetensorsFile(o.input);
    if (!input.has("input_ids")) throw new CliError(`--input: ${o.input} holds no tensor "input_ids"`);
    const info = input.info("input_ids");
    if ((info.dtype !== "I64" && info.dtype !== "I32") || info.shape.length !== 2) {
      throw new CliError(
        `--input: input_ids must be I64 or I32 [B, T], got ${info.dtype} [${info.shape.join(", ")}] in ${o.input}`,
      );
    }
    applyBackendFlags(o);
    const { model } = loadModel(o.model);
    const ids = intTensor(readIds(input.get("input_ids"), o.input, model.vocabSize), info.shape); // [B, T]
    pinWeights(model.parameters().values()); // read-only from here: the wasm kernels may keep packed copies
    const logits = noGrad(() => model.forward(ids)); // [B, T, V]
    const shape = [...logits.shape];
    writeSafetensors(
      o.out,
      { logits: fromFloat32(logits.dataSync() as Float32Array, shape) },
      { format: "pt" },
    );
    process.stdout.write(`wrote ${o.out}: logits [${shape.join(", ")}]\n`);
  });
}
