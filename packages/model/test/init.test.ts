import { Rng } from "@llmts/tensor";
import { describe, expect, it } from "vitest";
import { createModel, parseConfig } from "../src/index.ts";
import { tinyGemma3, tinyGptNeoX } from "./tiny.ts";

function stats(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  const mean = sum / values.length;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(sq / values.length) };
}

/** Sample std within 5% of `std` (the sampling error of a std from >= 4096 normals is < 1.2%). */
function expectNormal(values: ArrayLike<number>, std: number): void {
  const s = stats(values);
  expect(Math.abs(s.mean)).toBeLessThan(std * 0.1);
  expect(s.std).toBeGreaterThan(std * 0.95);
  expect(s.std).toBeLessThan(std * 1.05);
}

describe("createModel initialises like the references", () => {
  it("GPT-2: N(0, 0.02) weights, c_proj N(0, 0.02/sqrt(2·n_layer)), zero biases, unit LayerNorm", () => {
    const config = parseConfig({
      model_type: "gpt2",
      n_layer: 8,
      n_head: 4,
      n_embd: 64,
      vocab_size: 128,
      n_positions: 1024,
    });
    const p = createModel(config, new Rng(21)).parameters();
    const get = (name: string) => p.get(`transformer.${name}`)!.dataSync();
    expectNormal(get("wte.weight"), 0.02);
    expectNormal(get("wpe.weight"), 0.02);
    expectNormal(get("h.3.attn.c_attn.weight"), 0.02);
    expectNormal(get("h.3.mlp.c_fc.weight"), 0.02);
    expectNormal(get("h.3.attn.c_proj.weight"), 0.02 / Math.sqrt(16));
    expectNormal(get("h.7.mlp.c_proj.weight"), 0.02 / Math.sqrt(16));
    for (const name of ["h.0.attn.c_attn.bias", "h.0.mlp.c_proj.bias", "ln_f.bias", "h.5.ln_2.bias"]) {
      expect(get(name).every((v) => v === 0)).toBe(true);
    }
    for (const name of ["h.0.ln_1.weight", "ln_f.weight"]) expect(get(name).every((v) => v === 1)).toBe(true);
  });

  it("Llama: every Linear and the embedding N(0, initializer_range), RMSNorm gains 1", () => {
    const config = parseConfig({
      model_type: "llama",
      hidden_size: 64,
      intermediate_size: 128,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      vocab_size: 256,
      initializer_range: 0.05,
    });
    const p = createModel(config, new Rng(22)).parameters();
    const get = (name: string) => p.get(name)!.dataSync();
    expectNormal(get("model.embed_tokens.weight"), 0.05);
    expectNormal(get("model.layers.1.self_attn.q_proj.weight"), 0.05);
    expectNormal(get("model.layers.1.mlp.down_proj.weight"), 0.05);
    expectNormal(get("lm_head.weight"), 0.05);
    expect(get("model.layers.0.input_layernorm.weight").every((v) => v === 1)).toBe(true);
    expect(get("model.norm.weight").every((v) => v === 1)).toBe(true);
  });

  it("Gemma 3: RMSNorm weights 0 (its norms scale by 1 + w); GPT-NeoX: LayerNorm 1 and 0, zero biases", () => {
    const gemma = createModel(
      tinyGemma3({ initializer_range: 0.05, hidden_size: 64, vocab_size: 256 }),
      new Rng(23),
    );
    const g = (name: string) => gemma.parameters().get(name)!.dataSync();
    expectNormal(g("model.embed_tokens.weight"), 0.05);
    for (const name of [
      "input_layernorm",
      "post_attention_layernorm",
      "pre_feedforward_layernorm",
      "self_attn.q_norm",
    ]) {
      expect(g(`model.layers.1.${name}.weight`).every((v) => v === 0)).toBe(true);
    }
    const neox = createModel(tinyGptNeoX({ hidden_size: 64, vocab_size: 256 }), new Rng(24));
    const n = (name: string) => neox.parameters().get(name)!.dataSync();
    expectNormal(n("gpt_neox.layers.0.attention.query_key_value.weight"), 0.02);
    expectNormal(n("embed_out.weight"), 0.02);
    expect(n("gpt_neox.layers.0.attention.query_key_value.bias").every((v) => v === 0)).toBe(true);
    expect(n("gpt_neox.final_layer_norm.weight").every((v) => v === 1)).toBe(true);
    expect(n("gpt_neox.final_layer_norm.bias").every((v) => v === 0)).toBe(true);
  });

  it("is reproducible from the seed and marks every parameter as requiring grad", () => {
    const config = parseConfig({
      model_type: "gpt2",
      n_layer: 1,
      n_head: 2,
      n_embd: 8,
      vocab_size: 16,
      n_positions: 16,
    });
    const a = createModel(config, new Rng(5)).parameters();
    const b = createModel(config, new Rng(5)).parameters();
    for (const [name, t] of a) {
      expect(b.get(name)!.dataSync()).toEqual(t.dataSync());
      expect(t.requiresGrad).toBe(true);
    }
  });
});
