// `llmts generate --trace`: one forward pass over the prompt with the model's module tracer on
// (@llmts/model trace.ts), printed as an indented table — the walk docs/inference.md describes:
//
//   module                          input          output         time
//   wte + wpe                       [1, 5]         [1, 5, 768]    0.21 ms
//   h.0                             [1, 5, 768]    [1, 5, 768]    3.10 ms
//     h.0.ln_1                      [1, 5, 768]    [1, 5, 768]    0.05 ms
//     ...
//   lm_head                         [1, 1, 768]    [1, 1, 50257]  9.80 ms
//
// The traced pass is the prefill generation runs (fresh KV cache, logits of the last position
// only), run once untraced first so the times exclude one-time JIT and kernel compilation.
// Not here: the tracing itself (the model records, this file only runs and prints).

import type { CausalLM, TraceRecord } from "@llmts/model";
import { intTensor } from "@llmts/tensor";

/** Runs the prefill of `promptIds` twice (warm-up, then traced) and returns the records. */
export function tracePrefill(model: CausalLM, promptIds: readonly number[]): TraceRecord[] {
  const ids = intTensor(Int32Array.from(promptIds), [1, promptIds.length]); // [1, T]
  const pass = (trace?: TraceRecord[]) =>
    model.forward(ids, { cache: model.newCache({ maxLength: promptIds.length }), lastOnly: true, trace });
  pass();
  const trace: TraceRecord[] = [];
  pass(trace);
  return trace;
}

/** The records as a table, one module per line, children indented under their block. */
export function formatTrace(trace: readonly TraceRecord[]): string {
  const shape = (s: readonly number[]) => `[${s.join(", ")}]`;
  const rows = trace.map((r) => [
    `${"  ".repeat(r.depth)}${r.name}`,
    shape(r.input),
    shape(r.output),
    `${r.ms.toFixed(2)} ms`,
  ]);
  const total = trace.filter((r) => r.depth === 0).reduce((sum, r) => sum + r.ms, 0);
  rows.push(["total (top-level modules)", "", "", `${total.toFixed(2)} ms`]);
  const header = ["module", "input", "output", "time"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}
