import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, configToJson, parseConfig } from "../src/index.ts";
import { readConfig } from "../src/node/index.ts";

const llama = (extra: Record<string, unknown> = {}) => ({
  model_type: "llama",
  hidden_size: 64,
  num_attention_heads: 4,
  num_hidden_layers: 2,
  intermediate_size: 128,
  vocab_size: 100,
  ...extra,
});

/** GPT-2 124M's config.json as the hub has it (shape fields, special ids). */
const gpt2 = (extra: Record<string, unknown> = {}) => ({
  model_type: "gpt2",
  n_embd: 768,
  n_layer: 12,
  n_head: 12,
  vocab_size: 50257,
  n_positions: 1024,
  bos_token_id: 50256,
  eos_token_id: 50256,
  ...extra,
});

describe("parseConfig", () => {
  it("fills GPT-2's non-shape fields with configuration_gpt2.py's defaults when absent", () => {
    const c = parseConfig(gpt2());
    expect(c).toMatchObject({
      arch: "gpt2",
      vocabSize: 50257,
      contextLength: 1024,
      nLayer: 12,
      nHead: 12,
      nEmbd: 768,
      nInner: 3072,
      activation: "gelu_new",
      layerNormEps: 1e-5,
      tieWordEmbeddings: true,
      residPdrop: 0.1,
      bosTokenId: 50256,
      eosTokenId: 50256,
    });
  });

  it("requires every shape field, naming the file and the missing field", () => {
    const required: [Record<string, unknown>, string[]][] = [
      [gpt2(), ["n_embd", "n_layer", "n_head", "vocab_size", "n_positions"]],
      [
        llama(),
        ["hidden_size", "num_hidden_layers", "num_attention_heads", "vocab_size", "intermediate_size"],
      ],
      [llama({ model_type: "qwen2" }), ["hidden_size", "vocab_size", "intermediate_size"]],
      [llama({ model_type: "mistral" }), ["num_hidden_layers", "num_attention_heads", "vocab_size"]],
    ];
    for (const [json, fields] of required) {
      for (const field of fields) {
        const { [field]: _dropped, ...rest } = json;
        expect(() => parseConfig(rest, "m/config.json")).toThrow(
          new RegExp(`^config: m/config.json: field "${field}" is required$`),
        );
      }
    }
  });

  it("rejects bos/eos ids outside the vocabulary, checking every id of an eos list", () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [gpt2({ vocab_size: 50 }), /field "bos_token_id" is 50256, outside the vocabulary \[0, 50\)/],
      [gpt2({ vocab_size: 50, bos_token_id: 0 }), /field "eos_token_id" is 50256, outside/],
      [gpt2({ vocab_size: 50256 }), /field "bos_token_id" is 50256, outside the vocabulary \[0, 50256\)/],
      [llama({ bos_token_id: 100 }), /field "bos_token_id" is 100, outside the vocabulary \[0, 100\)/],
      [
        llama({ eos_token_id: [2, 100, 7, 131] }),
        /field "eos_token_id" holds 100, 131, outside the vocabulary/,
      ],
      [llama({ eos_token_id: [2, -1] }), /field "eos_token_id" must hold token ids, got \[2,-1\]/],
      [llama({ eos_token_id: -3 }), /field "eos_token_id" must be a token id or null, got -3/],
    ];
    for (const [json, message] of bad) {
      expect(() => parseConfig(json, "m/config.json")).toThrow(ConfigError);
      expect(() => parseConfig(json, "m/config.json")).toThrow(message);
      expect(() => parseConfig(json, "m/config.json")).toThrow(/^config: m\/config.json: /);
    }
    expect(parseConfig(llama({ eos_token_id: [0, 2, 99] }))).toMatchObject({ eosTokenId: [0, 2, 99] });
    expect(parseConfig(gpt2({ vocab_size: 50, bos_token_id: 49, eos_token_id: null }))).toMatchObject({
      bosTokenId: 49,
      eosTokenId: null,
    });
  });

  it("drops a default special id the vocabulary does not have (GPT-2's 50256 in a 50-token model)", () => {
    const { bos_token_id: _b, eos_token_id: _e, ...noIds } = gpt2({ vocab_size: 50 });
    expect(parseConfig(noIds)).toMatchObject({ bosTokenId: null, eosTokenId: null });
    expect(parseConfig(llama({ vocab_size: 2 }))).toMatchObject({ bosTokenId: 1, eosTokenId: null });
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
      /x\/config.json: model_type "bert" is not supported \(supported: gpt2, llama, qwen2, mistral, qwen3, gemma3_text, gpt_neox, phi3\)/,
    );
    expect(() => parseConfig({ n_layer: 2 })).toThrow(/has no "model_type"/);
  });

  it("names the file and the field when a value is wrong", () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [gpt2({ n_layer: "12" }), /field "n_layer" must be a positive integer, got "12"/],
      [gpt2({ n_embd: 10, n_head: 3 }), /field "n_head" must divide n_embd \(10\), got 3/],
      [gpt2({ activation_function: "relu" }), /field "activation_function"/],
      [gpt2({ resid_pdrop: 1.5 }), /field "resid_pdrop" must be a number in \[0, 1\)/],
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
      gpt2({
        n_layer: 3,
        n_head: 2,
        n_embd: 8,
        n_inner: 20,
        vocab_size: 30,
        bos_token_id: 29,
        eos_token_id: null,
        tie_word_embeddings: false,
      }),
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
