// `llmts inspect <file | model dir> [--json]`: what is inside a safetensors checkpoint — every
// tensor's name, dtype, shape and size, the parameter count, total bytes and the metadata.
//
// Reads headers only (no tensor data), so it is instant even on multi-gigabyte checkpoints.
// All parsing and validation is @llmts/safetensors'; a malformed file surfaces as its
// SafetensorsError, which main.ts prints as one line with exit code 1.
import { relative } from "node:path";
import { type DType, dtypeSize } from "@llmts/safetensors";
import { openCheckpoint } from "@llmts/safetensors/node";
import type { Command } from "commander";

/** The --json shape (documented in packages/safetensors/README.md). */
interface InspectReport {
  files: string[];
  index: string | null;
  tensors: { name: string; dtype: DType; shape: number[]; bytes: number; file: string }[];
  parameter_count: number;
  total_bytes: number;
  metadata: Record<string, string>;
}

/** Paths below the working directory are shown relative to it; others stay absolute. */
function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
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
    return {
      files: ckpt.files.map(display),
      index: ckpt.index ? display(ckpt.index) : null,
      tensors,
      // Every element of every tensor counts, buffers included (e.g. GPT-2's attn.bias masks).
      parameter_count: tensors.reduce((sum, t) => sum + t.bytes / dtypeSize(t.dtype), 0),
      total_bytes: tensors.reduce((sum, t) => sum + t.bytes, 0),
      metadata: ckpt.metadata ?? {},
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
  return [
    ...(r.index ? [`index: ${r.index}`] : []),
    ...r.files.map((f) => `file: ${f}`),
    `${n(r.tensors.length)} tensors, ${n(r.parameter_count)} parameters, ${n(r.total_bytes)} bytes (${mib} MiB)`,
    `metadata: ${meta.length ? meta.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ") : "(none)"}`,
    "",
    line(head),
    ...rows.map(line),
  ].join("\n");
}

export function registerInspect(program: Command): void {
  program
    .command("inspect")
    .description("list the tensors, parameter count and metadata of a safetensors file or model directory")
    .argument("<path>", "a .safetensors file, a model.safetensors.index.json, or a directory holding either")
    .option(
      "--json",
      "print one JSON object: {files, index, tensors: [{name, dtype, shape, bytes, file}], parameter_count, total_bytes, metadata}",
    )
    .action((path: string, options: { json?: boolean }) => {
      const report = inspect(path);
      process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
    });
}
