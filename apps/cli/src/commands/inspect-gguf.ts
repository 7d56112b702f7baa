// `llmts inspect` for GGUF (a .gguf file, or a directory whose weights are model.gguf): the
// header only — version, every metadata key (long arrays such as the vocabulary summarised), and
// every tensor with its ggml type (F32, Q8_0, Q4_0, ...), shape and bytes, so a quantized model
// shows which tensors are quantized. All parsing and validation is @llmts/gguf's: a malformed
// file is a GgufError, printed as one line.
// Not here: safetensors checkpoints (inspect.ts).

import { relative } from "node:path";
import type { GgufValue } from "@llmts/gguf";
import { openGguf } from "@llmts/gguf/node";

/** The --json shape: the safetensors report's fields where they mean the same. */
export interface GgufReport {
  format: "gguf";
  files: string[];
  version: number;
  tensors: { name: string; dtype: string; shape: number[]; bytes: number; file: string }[];
  /** Tensors by ggml type: { Q8_0: 36, F32: 16 }. */
  types: Record<string, number>;
  /** Every element of every tensor. */
  parameter_count: number;
  total_bytes: number;
  /** Scalars as they are; arrays as "[N items of TYPE]" (a vocabulary has tens of thousands). */
  metadata: Record<string, string | number | boolean>;
}

const display = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
};

function summarise(v: GgufValue): string | number | boolean {
  if (v.type === "array") return `[${v.value.length} items of ${v.itemType}]`;
  return typeof v.value === "bigint" ? v.value.toString() : v.value;
}

export function inspectGguf(file: string): GgufReport {
  const gguf = openGguf(file);
  try {
    const tensors = gguf.tensors.map((t) => ({
      name: t.name,
      dtype: t.type,
      shape: t.shape,
      bytes: t.byteLength,
      file: display(file),
    }));
    const types: Record<string, number> = {};
    for (const t of tensors) types[t.dtype] = (types[t.dtype] ?? 0) + 1;
    return {
      format: "gguf",
      files: [display(file)],
      version: gguf.header.version,
      tensors,
      types,
      parameter_count: gguf.tensors.reduce((n, t) => n + t.elementCount, 0),
      total_bytes: tensors.reduce((n, t) => n + t.bytes, 0),
      metadata: Object.fromEntries([...gguf.metadata].map(([k, v]) => [k, summarise(v)])),
    };
  } finally {
    gguf.close();
  }
}

const n = (x: number) => x.toLocaleString("en-US");

export function formatGgufReport(r: GgufReport): string {
  const rows = r.tensors.map((t) => [t.name, t.dtype, `[${t.shape.join(", ")}]`, n(t.bytes)]);
  const head = ["name", "type", "shape", "bytes"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const types = Object.entries(r.types)
    .map(([type, count]) => `${count} ${type}`)
    .join(", ");
  const meta = Object.entries(r.metadata).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return [
    `file: ${r.files[0]} (GGUF v${r.version})`,
    `${n(r.tensors.length)} tensors (${types}), ${n(r.parameter_count)} parameters, ${n(r.total_bytes)} bytes (${(r.total_bytes / 2 ** 20).toFixed(1)} MiB)`,
    `metadata: ${meta.join(" ")}`,
    "",
    line(head),
    ...rows.map(line),
  ].join("\n");
}
