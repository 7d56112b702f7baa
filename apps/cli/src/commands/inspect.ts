// `llmts inspect <file | model dir> [--json]`: what is inside a safetensors checkpoint — every
// tensor's name, dtype, shape and size, the parameter count, total bytes and the metadata.
//
// Reads headers only (no tensor data), so it is instant even on multi-gigabyte checkpoints.
// All parsing and validation is @llmts/safetensors'; a malformed file surfaces as its
// SafetensorsError, which main.ts prints as one line with exit code 1.
//
// The parameter count: when the checkpoint's directory has a config.json that @llmts/model reads,
// it counts the tensors that are parameters of that model (parameterSpecs), so GPT-2's attn.bias /
// attn.masked_bias buffers (12 × 1024 × 1024 mask elements in a GPT-2 124M file that stores them)
// and a tied model's stored lm_head.weight are left out. Without one it counts every element of
// every tensor. The report says which it did (`parameter_count_source`); `element_count` is always
// every element.
// A GGUF file, or a directory whose weights are model.gguf (`llmts quantize`), is reported by
// inspect-gguf.ts: its ggml tensor types (Q8_0, Q4_0, F32, ...) and metadata.
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ConfigError, gpt2PrefixOf, parameterSpecs } from "@llmts/model";
import { ggufModelPath, readConfig } from "@llmts/model/node";
import { type DType, dtypeSize } from "@llmts/safetensors";
import { openCheckpoint } from "@llmts/safetensors/node";
import type { Command } from "commander";
import { formatGgufReport, inspectGguf } from "./inspect-gguf.ts";

/** The --json shape (documented in packages/safetensors/README.md). */
interface InspectReport {
  files: string[];
  index: string | null;
  tensors: { name: string; dtype: DType; shape: number[]; bytes: number; file: string }[];
  /** Parameters of the model config.json describes, or every element (see parameter_count_source). */
  parameter_count: number;
  total_bytes: number;
  metadata: Record<string, string>;
  /** "config.json": tensors that are parameters of model_type; "tensors": every element of every tensor. */
  parameter_count_source: "config.json" | "tensors";
  /** config.json's model_type when it was used, else null. */
  model_type: string | null;
  /** Why config.json was not used (absent, or a ConfigError message), else null. */
  config_note: string | null;
  /** Every element of every tensor, buffers included. */
  element_count: number;
  /** Tensors left out of parameter_count (buffers, a tied model's lm_head.weight, unknown names). */
  not_parameters: string[];
}

/** Paths below the working directory are shown relative to it; others stay absolute. */
function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
}

/**
 * The parameter names of the model that `dir`/config.json describes, or why there is none.
 * `names` (the checkpoint's tensors) decide GPT-2's optional "transformer." prefix, as loading does.
 */
function modelParameters(
  dir: string,
  names: string[],
): { modelType: string; parameters: Set<string> } | { note: string } {
  if (!existsSync(join(dir, "config.json"))) return { note: "no config.json next to the weights" };
  let config: ReturnType<typeof readConfig>;
  try {
    config = readConfig(dir);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { note: error.message };
  }
  const specs = parameterSpecs(config, { gpt2Prefix: gpt2PrefixOf(names) });
  const parameters = new Set(specs.map((s) => s.name));
  // Another file in a model directory (a reference.safetensors of inputs, optimizer state): not weights.
  if (!names.some((name) => parameters.has(name))) {
    return { note: `none of these tensors is a parameter of the ${config.modelType} model in config.json` };
  }
  return { modelType: config.modelType, parameters };
}

export function inspect(pathOrDir: string): InspectReport {
  const ckpt = openCheckpoint(pathOrDir);
  try {
    const tensors = ckpt.tensors.map((t) => ({
      name: t.name,
      dtype: t.dtype,
      shape: t.shape,
      bytes: t.dataOffsets[1] - t.dataOffsets[0],
      file: display(t.file),
    }));
    const elements = (t: (typeof tensors)[number]) => t.bytes / dtypeSize(t.dtype);
    const elementCount = tensors.reduce((sum, t) => sum + elements(t), 0);
    // config.json sits next to the weights: in the directory given, or the file's / index's.
    const path = resolve(pathOrDir);
    const dir = ckpt.files[0] === path || ckpt.index === path ? dirname(path) : path;
    const model = modelParameters(
      dir,
      tensors.map((t) => t.name),
    );
    const counted = "parameters" in model ? tensors.filter((t) => model.parameters.has(t.name)) : tensors;
    return {
      files: ckpt.files.map(display),
      index: ckpt.index ? display(ckpt.index) : null,
      tensors,
      parameter_count: counted.reduce((sum, t) => sum + elements(t), 0),
      total_bytes: tensors.reduce((sum, t) => sum + t.bytes, 0),
      metadata: ckpt.metadata ?? {},
      parameter_count_source: "parameters" in model ? "config.json" : "tensors",
      model_type: "parameters" in model ? model.modelType : null,
      config_note: "note" in model ? model.note : null,
      element_count: elementCount,
      not_parameters:
        "parameters" in model ? tensors.filter((t) => !model.parameters.has(t.name)).map((t) => t.name) : [],
    };
  } finally {
    ckpt.close();
  }
}

const n = (x: number) => x.toLocaleString("en-US");

function formatReport(r: InspectReport): string {
  const showFile = r.files.length > 1;
  const rows = r.tensors.map((t) => [
    t.name,
    t.dtype,
    `[${t.shape.join(", ")}]`,
    n(t.bytes),
    ...(showFile ? [t.file] : []),
  ]);
  const head = ["name", "dtype", "shape", "bytes", ...(showFile ? ["file"] : [])];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const mib = (r.total_bytes / 2 ** 20).toFixed(1);
  const meta = Object.entries(r.metadata);
  const skipped = r.not_parameters;
  const shown = skipped.slice(0, 3).join(", ") + (skipped.length > 3 ? ", ..." : "");
  const counted =
    r.parameter_count_source === "config.json"
      ? `parameters of the ${r.model_type} model in config.json; ${n(r.element_count)} elements in all` +
        (skipped.length ? `, ${n(skipped.length)} tensors not counted (${shown})` : "")
      : `every element of every tensor (${r.config_note})`;
  return [
    ...(r.index ? [`index: ${r.index}`] : []),
    ...r.files.map((f) => `file: ${f}`),
    `${n(r.tensors.length)} tensors, ${n(r.parameter_count)} parameters, ${n(r.total_bytes)} bytes (${mib} MiB)`,
    `parameters: ${counted}`,
    `metadata: ${meta.length ? meta.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ") : "(none)"}`,
    "",
    line(head),
    ...rows.map(line),
  ].join("\n");
}

export function registerInspect(program: Command): void {
  program
    .command("inspect")
    .description(
      "list the tensors (with their dtype or ggml type), parameter count and metadata of a safetensors or GGUF file or model directory",
    )
    .argument(
      "<path>",
      "a .safetensors or .gguf file, a model.safetensors.index.json, or a directory holding one",
    )
    .option(
      "--json",
      "print one JSON object: {files, index, tensors: [{name, dtype, shape, bytes, file}], parameter_count, total_bytes, metadata, parameter_count_source, model_type, config_note, element_count, not_parameters}",
    )
    .action((path: string, options: { json?: boolean }) => {
      const gguf = ggufModelPath(path); // a GGUF file, or a directory whose weights are model.gguf
      if (gguf !== undefined) {
        const report = inspectGguf(gguf.file);
        process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${formatGgufReport(report)}\n`);
        return;
      }
      const report = inspect(path);
      process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
    });
}
