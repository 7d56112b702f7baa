import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, configToJson, parseConfig, readConfig } from "../src/index.ts";

const llama = (extra: Record<string, unknown> = {}) => ({
  model_type: "llama",
  hidden_size: 64,
  num_attention_heads: 4,
  num_hidden_layers: 2,
  intermediate_size: 128,
  vocab_size: 100,
  ...extra,
});

describe("parseConfig", () => {
  it("fills GPT-2 defaults from configuration_gpt2.py when fields are absent", () => {
    const c = parseConfig({ model_type: "gpt2" });
    expect(c).toMatchObject({
      arch: "gpt2",
      vocabSize: 50257,
      contextLength: 1024,
      nLayer: 12,
      nHead: 12,
      nEmbd: 768,
      nInner: 3072,
      layerNormEps: 1e-5,
      tieWordEmbeddings: true,
      residPdrop: 0.1,
    });
  });

  it("defaults Llama's key/value heads to the query heads and head_dim to hidden / heads", () => {
    const c = parseConfig(llama());
    expect(c).toMatchObject({ arch: "llama", nKvHead: 4, headDim: 16, rmsNormEps: 1e-6, ropeTheta: 10000 });
    expect(c.tieWordEmbeddings).toBe(false);
  });

  it("gives Qwen2 q/k/v biases but no o_proj bias, and Mistral a 4096 sliding window", () => {
    const q = parseConfig(llama({ model_type: "qwen2", num_key_value_heads: 2 }));
    expect(q).toMatchObject({ qkvBias: true, oBias: false, slidingWindow: null });
    const m = parseConfig(llama({ model_type: "mistral", num_key_value_heads: 2 }));
    expect(m).toMatchObject({ slidingWindow: 4096, nKvHead: 2 });
    expect(
      parseConfig(llama({ model_type: "mistral", num_key_value_heads: 2, sliding_window: null })),
    ).toMatchObject({ slidingWindow: null });
  });

  it("reads rope scaling in both the old rope_scaling and the new rope_parameters spelling", () => {
    const old = parseConfig(llama({ rope_theta: 500000, rope_scaling: { type: "linear", factor: 2 } }));
    expect(old).toMatchObject({ ropeTheta: 500000, ropeScaling: { type: "linear", factor: 2 } });
    const fresh = parseConfig(
      llama({
        rope_parameters: {
          rope_type: "llama3",
          rope_theta: 500000,
          factor: 8,
          low_freq_factor: 1,
          high_freq_factor: 4,
          original_max_position_embeddings: 8192,
        },
      }),
    );
    expect(fresh.arch === "llama" && fresh.ropeScaling).toEqual({
      type: "llama3",
      factor: 8,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositionEmbeddings: 8192,
    });
    expect(parseConfig(llama({ rope_scaling: { rope_type: "default" } }))).toMatchObject({
      ropeScaling: null,
    });
  });

  it("rejects an unsupported model_type, naming it and the supported ones", () => {
    expect(() => parseConfig({ model_type: "bert" }, "x/config.json")).toThrow(
      /x\/config.json: model_type "bert" is not supported \(supported: gpt2, llama, qwen2, mistral\)/,
    );
    expect(() => parseConfig({ n_layer: 2 })).toThrow(/has no "model_type"/);
  });

  it("names the file and the field when a value is wrong", () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ model_type: "gpt2", n_layer: "12" }, /field "n_layer" must be a positive integer, got "12"/],
      [{ model_type: "gpt2", n_embd: 10, n_head: 3 }, /field "n_head" must divide n_embd \(10\), got 3/],
      [{ model_type: "gpt2", activation_function: "relu" }, /field "activation_function"/],
      [{ model_type: "gpt2", resid_pdrop: 1.5 }, /field "resid_pdrop" must be a number in \[0, 1\)/],
      [
        llama({ num_key_value_heads: 3 }),
        /field "num_key_value_heads" must divide num_attention_heads \(4\)/,
      ],
      [llama({ hidden_act: "gelu" }), /field "hidden_act"/],
      [
        llama({ rope_scaling: { type: "yarn", factor: 4 } }),
        /field "rope_scaling.rope_type" "yarn" is not supported/,
      ],
      [llama({ rope_scaling: { type: "linear" } }), /field "rope_scaling.factor" is required/],
      [llama({ tie_word_embeddings: "yes" }), /field "tie_word_embeddings" must be true or false/],
      [
        llama({ model_type: "qwen2", num_key_value_heads: 4, use_sliding_window: true }),
        /field "use_sliding_window"/,
      ],
    ];
    for (const [json, message] of bad) {
      let error: unknown;
      try {
        parseConfig(json, "m/config.json");
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).name).toBe("ConfigError");
      expect((error as Error).message).toMatch(/m\/config.json/);
      expect((error as Error).message).toMatch(message);
    }
  });

  it("writes back a config that parses to the same typed config", () => {
    for (const json of [
      { model_type: "gpt2", n_layer: 3, n_head: 2, n_embd: 8, n_inner: 20, tie_word_embeddings: false },
      llama({ model_type: "mistral", num_key_value_heads: 2, rope_scaling: { type: "linear", factor: 4 } }),
      llama({ model_type: "qwen2", num_key_value_heads: 4, rope_theta: 1e6 }),
    ]) {
      const c = parseConfig(json);
      const again = parseConfig(configToJson(c));
      expect({ ...again, hf: null }).toEqual({ ...c, hf: null });
    }
  });
});

describe("readConfig", () => {
  it("reports a missing or malformed config.json with its path", () => {
    const dir = mkdtempSync(join(tmpdir(), "llmts-config-"));
    try {
      expect(() => readConfig(dir)).toThrow(/cannot read .*config.json/);
      writeFileSync(join(dir, "config.json"), "{ nope");
      expect(() => readConfig(dir)).toThrow(/config.json is not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
