import { intTensor, noGrad, Rng } from "@llmts/tensor";
import { describe, expect, it } from "vitest";
import { createModel, type ModelConfig, type TraceRecord } from "../src/index.ts";
import { tinyGemma3, tinyGpt2, tinyGptNeoX, tinyLlama } from "./tiny.ts";

const ids = intTensor([[1, 2, 3, 4, 5]]); // [1, 5]

/** "name depth [in] -> [out]" per record, the part of a trace that does not depend on timing. */
const rows = (trace: TraceRecord[]) =>
  trace.map((r) => `${"  ".repeat(r.depth)}${r.name} [${r.input}] -> [${r.output}]`);

describe("forward with a trace", () => {
  it("records every GPT-2 module in the order it runs, with its input and output shapes", () => {
    const model = createModel(tinyGpt2(), new Rng(61)); // 2 layers, C = 16, V = 37
    const trace: TraceRecord[] = [];
    noGrad(() => model.forward(ids, { trace, lastOnly: true }));
    const block = (i: number) => [
      `h.${i} [1,5,16] -> [1,5,16]`,
      `  h.${i}.ln_1 [1,5,16] -> [1,5,16]`,
      `  h.${i}.attn [1,5,16] -> [1,5,16]`,
      `  h.${i}.ln_2 [1,5,16] -> [1,5,16]`,
      `  h.${i}.mlp [1,5,16] -> [1,5,16]`,
    ];
    expect(rows(trace)).toEqual([
      "wte + wpe [1,5] -> [1,5,16]",
      ...block(0),
      ...block(1),
      "ln_f [1,5,16] -> [1,5,16]",
      "lm_head [1,1,16] -> [1,1,37]",
    ]);
    for (const r of trace) expect(r.ms).toBeGreaterThanOrEqual(0);
    // A block's time includes its parts.
    const parts = trace.slice(2, 6).reduce((sum, r) => sum + r.ms, 0);
    expect(trace[1]!.ms).toBeGreaterThanOrEqual(parts);
  });

  it("names the Llama modules as Hugging Face does", () => {
    const model = createModel(tinyLlama(), new Rng(62)); // 2 layers, H = 16, V = 41
    const trace: TraceRecord[] = [];
    noGrad(() => model.forward(ids, { trace }));
    expect(trace.map((r) => r.name)).toEqual([
      "embed_tokens",
      ...[0, 1].flatMap((i) => [
        `layers.${i}`,
        `layers.${i}.input_layernorm`,
        `layers.${i}.self_attn`,
        `layers.${i}.post_attention_layernorm`,
        `layers.${i}.mlp`,
      ]),
      "norm",
      "lm_head",
    ]);
    expect(trace.at(-1)!.output).toEqual([1, 5, 41]);
  });

  it("names Gemma 3's four norms and GPT-NeoX's modules as Hugging Face does", () => {
    const names = (config: ModelConfig) => {
      const trace: TraceRecord[] = [];
      noGrad(() => createModel(config, new Rng(64)).forward(ids, { trace }));
      return trace.map((r) => r.name);
    };
    const gemma = [
      "input_layernorm",
      "self_attn",
      "post_attention_layernorm",
      "pre_feedforward_layernorm",
      "mlp",
    ];
    expect(names(tinyGemma3({ num_hidden_layers: 1 }))).toEqual([
      "embed_tokens",
      "layers.0",
      ...[...gemma, "post_feedforward_layernorm"].map((m) => `layers.0.${m}`),
      "norm",
      "lm_head",
    ]);
    expect(names(tinyGptNeoX({ num_hidden_layers: 1 }))).toEqual([
      "embed_in",
      "layers.0",
      ...["input_layernorm", "attention", "post_attention_layernorm", "mlp"].map((m) => `layers.0.${m}`),
      "final_layer_norm",
      "lm_head",
    ]);
  });

  it("does not change the logits", () => {
    const model = createModel(tinyGpt2(), new Rng(63));
    const plain = noGrad(() => model.forward(ids)).toArray();
    const traced = noGrad(() => model.forward(ids, { trace: [] })).toArray();
    expect(traced).toEqual(plain);
  });
});
