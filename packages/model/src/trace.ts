// Module tracing: while a forward pass runs, record each module it walks through (embedding, every
// block and its norms / attention / MLP, the final norm, lm_head) with its input and output shape
// and its wall time, in the order the modules are entered. `llmts generate --trace` prints the
// records as an indented table, so a reader can watch the walk docs/inference.md describes:
//
//   const trace: TraceRecord[] = [];
//   model.forward(ids, { trace });
//   trace[0] -> { name: "wte + wpe", depth: 0, input: [1, 5], output: [1, 5, 768], ms: 0.1 }
//   trace[1] -> { name: "h.0", depth: 0, ... }   trace[2] -> { name: "h.0.ln_1", depth: 1, ... }
//
// The model code never mentions tracing: the shared decoder (decoder.ts) hands each block its
// modules through tracer.modules(), which returns them unchanged when no trace was asked for and
// wrapped in a recorder when one was. Ops are eager and synchronous, so a module's time is the
// time its kernels ran.
// Not here: per-op tracing inside a module, the printing (apps/cli/src/trace-table.ts).
// Reference: PyTorch's forward hooks (`register_forward_pre_hook` / `register_forward_hook`),
// which tools such as torchinfo use to print per-module shapes.

import type { Tensor } from "@llmts/tensor";

export interface TraceRecord {
  /** The module's Hugging Face name without the model prefix, e.g. "h.0.attn", "layers.3.mlp". */
  name: string;
  /** Nesting: 0 for top-level modules, 1 for the parts of a block. */
  depth: number;
  input: number[];
  output: number[];
  /** Wall time from entering to leaving the module, children included. */
  ms: number;
}

/** A module as the model code calls it: one tensor in, one tensor out. */
export type Module = (x: Tensor) => Tensor;

export interface Tracer {
  /** `f` as module `name`: the same function, recorded when tracing. */
  module(name: string, f: Module): Module;
  /** Every module of `parts` as `${prefix}.${key}` (a block's ln_1, attn, ...). */
  modules<P extends Record<string, Module>>(prefix: string, parts: P): P;
}

const untraced: Tracer = { module: (_name, f) => f, modules: (_prefix, parts) => parts };

/**
 * The tracer of one forward pass: records into `trace` when given (parents are pushed before
 * their children, so the array reads top to bottom), otherwise hands every module back untouched.
 */
export function tracer(trace: TraceRecord[] | undefined): Tracer {
  if (trace === undefined) return untraced;
  let depth = 0;
  const module = (name: string, f: Module): Module => {
    return (input) => {
      const record: TraceRecord = { name, depth, input: [...input.shape], output: [], ms: 0 };
      trace.push(record);
      depth++;
      const t0 = performance.now();
      try {
        const output = f(input);
        record.output = [...output.shape];
        return output;
      } finally {
        record.ms = performance.now() - t0;
        depth--;
      }
    };
  };
  const modules = <P extends Record<string, Module>>(prefix: string, parts: P): P => {
    const traced: Record<string, Module> = {};
    for (const [key, f] of Object.entries(parts)) traced[key] = module(`${prefix}.${key}`, f);
    return traced as P;
  };
  return { module, modules };
}
