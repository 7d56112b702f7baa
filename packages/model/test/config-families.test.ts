// config.json of Qwen3, Gemma 3, GPT-NeoX and Phi-3: the defaults of their transformers
// configuration classes, both layouts of the fields that moved between versions, every refusal
// named by file and field, and a round trip through configToJson.
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  configToJson,
  type Gemma3Config,
  type GptNeoXConfig,
  parseConfig,
} from "../src/index.ts";

const shape = {
  hidden_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 96,
  vocab_size: 300,
};
const qwen3 = (extra: Record<string, unknown> = {}) => ({ model_type: "qwen3", ...shape, ...extra });
const gemma3 = (extra: Record<string, unknown> = {}) => ({ model_type: "gemma3_text", ...shape, ...extra });
const neox = (extra: Record<string, unknown> = {}) => ({ model_type: "gpt_neox", ...shape, ...extra });
const phi3 = (extra: Record<string, unknown> = {}) => ({ model_type: "phi3", ...shape, ...extra });

/** The ConfigError parseConfig throws for `json` (named m/config.json), or fails the test. */
function errorOf(json: Record<string, unknown>): string {
  try {
    parseConfig(json, "m/config.json");
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toMatch(/^config: m\/config.json: /);
    return (e as Error).message;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(json)}`);
}

describe("parseConfig for Qwen3, Gemma 3, GPT-NeoX and Phi-3", () => {
  it("requires the five shape fields of every family, naming the file and the field", () => {
    for (const make of [qwen3, gemma3, neox, phi3]) {
      for (const field of Object.keys(shape)) {
        const { [field]: _dropped, ...rest } = make() as Record<string, unknown>;
        expect(errorOf(rest)).toMatch(new RegExp(`field "${field}" is required$`));
      }
    }
  });

  it("fills Qwen3's other fields with Qwen3Config's defaults: head_dim 128, not hidden / heads", () => {
    expect(parseConfig(qwen3({ num_attention_heads: 32 }))).toMatchObject({
      arch: "qwen3",
      headDim: 128,
      nKvHead: 32,
      contextLength: 32768,
      rmsNormEps: 1e-6,
      ropeTheta: 10000,
      attentionBias: false,
      tieWordEmbeddings: false,
      bosTokenId: null,
      eosTokenId: null,
    });
    expect(parseConfig(qwen3({ num_key_value_heads: null }))).toMatchObject({ nKvHead: 4 });
    expect(errorOf(qwen3())).toMatch(
      /field "num_key_value_heads" must divide num_attention_heads \(4\), got 32/,
    );
  });

  it("fills Gemma 3's with Gemma3TextConfig's, and slides five layers of every six by default", () => {
    const c = parseConfig(gemma3({ num_hidden_layers: 12 })) as Gemma3Config;
    expect(c).toMatchObject({
      arch: "gemma3",
      modelType: "gemma3_text",
      headDim: 256,
      nKvHead: 4,
      queryPreAttnScalar: 256,
      slidingWindow: 4096,
      rmsNormEps: 1e-6,
      activation: "gelu_tanh",
      tieWordEmbeddings: true,
      contextLength: 131072,
      bosTokenId: 2,
      eosTokenId: 1,
      rope: { sliding: { theta: 10000, scaling: null }, full: { theta: 1e6, scaling: null } },
    });
    const full = c.layerTypes.flatMap((t, i) => (t === "full_attention" ? [i] : []));
    expect(full).toEqual([5, 11]);
  });

  it("reads Gemma 3's layer types from layer_types (authoritative) or from 4.50's sliding_window_pattern", () => {
    const types = ["full_attention", "sliding_attention"];
    expect(parseConfig(gemma3({ layer_types: types, sliding_window_pattern: 2 }))).toMatchObject({
      layerTypes: types,
    });
    expect(parseConfig(gemma3({ sliding_window_pattern: 2 }))).toMatchObject({
      layerTypes: ["sliding_attention", "full_attention"],
    });
    expect(errorOf(gemma3({ layer_types: ["sliding_attention"] }))).toMatch(
      /"layer_types" has 1 entries for 2 layers/,
    );
    expect(errorOf(gemma3({ layer_types: ["local", "global"] }))).toMatch(/"layer_types" must list/);
  });

  it("reads Gemma 3's two rotations in 4.x's fields and in 5.x's rope_parameters per layer type", () => {
    const old = parseConfig(
      gemma3({
        rope_theta: 1e6,
        rope_local_base_freq: 1e4,
        rope_scaling: { rope_type: "linear", factor: 8 },
      }),
    );
    const fresh = parseConfig(
      gemma3({
        rope_parameters: {
          sliding_attention: { rope_type: "default", rope_theta: 1e4 },
          full_attention: { rope_type: "linear", factor: 8, rope_theta: 1e6 },
        },
      }),
    );
    const rope = {
      sliding: { theta: 1e4, scaling: null },
      full: { theta: 1e6, scaling: { type: "linear", factor: 8 } },
    };
    expect(old).toMatchObject({ rope });
    expect(fresh).toMatchObject({ rope });
  });

  it("reads GPT-NeoX's rotary_pct / rotary_emb_base over the 4.45 copies, and rope_parameters over both", () => {
    const pythia = parseConfig(neox({ hidden_size: 512, num_attention_heads: 8 })) as GptNeoXConfig;
    expect(pythia).toMatchObject({
      arch: "gpt_neox",
      headDim: 64,
      rotaryPct: 0.25,
      rotaryDim: 16,
      ropeTheta: 10000,
      parallelResidual: true,
      attentionBias: true,
      activation: "gelu",
      layerNormEps: 1e-5,
      tieWordEmbeddings: false,
      bosTokenId: 0,
      eosTokenId: 2,
    });
    const both = neox({
      rotary_pct: 0.5,
      partial_rotary_factor: 0.25,
      rotary_emb_base: 50000,
      rope_theta: 10000,
    });
    expect(parseConfig(both)).toMatchObject({ rotaryPct: 0.5, rotaryDim: 8, ropeTheta: 50000 });
    expect(parseConfig(neox({ partial_rotary_factor: 0.5, rope_theta: 20000 }))).toMatchObject({
      rotaryDim: 8,
      ropeTheta: 20000,
    });
    const v5 = neox({
      rotary_pct: 0.25,
      rope_parameters: { rope_type: "default", rope_theta: 7, partial_rotary_factor: 1 },
    });
    expect(parseConfig(v5)).toMatchObject({ rotaryDim: 16, ropeTheta: 7 });
  });

  it("fills Phi-3's with Phi3Config's and reads longrope (also under 4.x's old name su)", () => {
    expect(parseConfig(phi3({ vocab_size: 32064 }))).toMatchObject({
      arch: "phi3",
      nKvHead: 4,
      headDim: 16,
      rotaryDim: 16,
      contextLength: 4096,
      originalContextLength: 4096,
      rmsNormEps: 1e-5,
      ropeScaling: null,
      slidingWindow: null,
      tieWordEmbeddings: false,
      bosTokenId: 1,
      eosTokenId: 32000,
    });
    const factors = { short_factor: [1, 1.1, 1.2], long_factor: [1, 2, 4] };
    const c = parseConfig(
      phi3({
        partial_rotary_factor: 0.375,
        max_position_embeddings: 8192,
        original_max_position_embeddings: 2048,
        rope_scaling: { type: "su", ...factors },
      }),
    );
    expect(c).toMatchObject({
      rotaryDim: 6,
      ropeScaling: {
        type: "longrope",
        shortFactor: [1, 1.1, 1.2],
        longFactor: [1, 2, 4],
        originalMaxPositionEmbeddings: 2048,
        attentionFactor: Math.sqrt(1 + Math.log(4) / Math.log(2048)),
      },
    });
    const given = phi3({
      partial_rotary_factor: 0.375,
      rope_scaling: { type: "longrope", attention_factor: 1.5, ...factors },
    });
    expect(parseConfig(given)).toMatchObject({ ropeScaling: { attentionFactor: 1.5 } });
  });

  it("refuses what it does not implement, naming the field", () => {
    const longrope = { type: "longrope", short_factor: [1, 1], long_factor: [1, 2] };
    const bad: [Record<string, unknown>, RegExp][] = [
      [
        qwen3({ num_key_value_heads: 2, use_sliding_window: true }),
        /field "use_sliding_window" true is not supported/,
      ],
      [qwen3({ num_key_value_heads: 2, hidden_act: "gelu" }), /field "hidden_act" only "silu"/],
      [
        qwen3({ num_key_value_heads: 2, rope_scaling: { rope_type: "yarn", factor: 4 } }),
        /"rope_scaling.rope_type" "yarn" is not supported \(supported: default, linear, llama3\)/,
      ],
      [
        gemma3({ use_bidirectional_attention: true }),
        /field "use_bidirectional_attention" true is not supported/,
      ],
      [gemma3({ final_logit_softcapping: 30 }), /field "final_logit_softcapping" is not supported/],
      [gemma3({ attn_logit_softcapping: 50 }), /field "attn_logit_softcapping" is not supported/],
      [gemma3({ hidden_activation: "relu" }), /field "hidden_activation" must be gelu_pytorch_tanh or gelu/],
      [
        gemma3({ rope_scaling: { rope_type: "dynamic", factor: 2 } }),
        /"rope_scaling.rope_type" "dynamic" is not supported/,
      ],
      [
        gemma3({ num_attention_heads: 5 }),
        /field "num_attention_heads" must divide hidden_size \(64\), got 5/,
      ],
      [
        neox({ rotary_pct: 0.1 }),
        /field "rotary_pct" gives 1 rotated dims; rotary embeddings need an even number/,
      ],
      [neox({ hidden_act: "relu" }), /field "hidden_act" must be gelu or gelu_new/],
      [
        neox({ rope_scaling: { type: "dynamic", factor: 2 } }),
        /"rope_scaling.rope_type" "dynamic" is not supported/,
      ],
      [
        phi3({ rope_scaling: { type: "linear", factor: 2 } }),
        /"rope_scaling.rope_type" "linear" is not supported \(supported: default, longrope\)/,
      ],
      [
        phi3({ partial_rotary_factor: 0.25, rope_scaling: { ...longrope, short_factor: [1] } }),
        /"rope_scaling.short_factor" must have 2 entries \(rotary dim \/ 2\), got 1/,
      ],
      [
        phi3({ partial_rotary_factor: 0.25, rope_scaling: { ...longrope, long_factor: [1, "2"] } }),
        /"rope_scaling.long_factor" must be a list of positive numbers/,
      ],
      [phi3({ partial_rotary_factor: 1.5 }), /field "partial_rotary_factor" must be in \(0, 1\]/],
      [phi3({ eos_token_id: 300 }), /field "eos_token_id" is 300, outside the vocabulary \[0, 300\)/],
    ];
    for (const [json, message] of bad) expect(errorOf(json)).toMatch(message);
  });

  it("drops a default special id the vocabulary does not have (Phi-3's 32000 in a 300-token model)", () => {
    expect(parseConfig(phi3())).toMatchObject({ bosTokenId: 1, eosTokenId: null });
    expect(parseConfig(gemma3({ eos_token_id: [1, 106], vocab_size: 300 }))).toMatchObject({
      eosTokenId: [1, 106],
    });
  });

  it("writes back a config that parses to the same typed config", () => {
    const longrope = { type: "longrope", short_factor: [1, 1.1, 1.2], long_factor: [1, 2, 4] };
    for (const json of [
      qwen3({
        head_dim: 8,
        num_key_value_heads: 2,
        tie_word_embeddings: true,
        bos_token_id: 5,
        eos_token_id: [6, 7],
      }),
      gemma3({
        head_dim: 8,
        num_key_value_heads: 1,
        sliding_window_pattern: 2,
        rope_scaling: { rope_type: "linear", factor: 8 },
      }),
      gemma3({
        layer_types: ["full_attention", "sliding_attention"],
        rope_parameters: {
          sliding_attention: { rope_type: "linear", factor: 2, rope_theta: 1e4 },
          full_attention: { rope_type: "default", rope_theta: 1e6 },
        },
      }),
      neox({ rotary_pct: 0.5, rotary_emb_base: 50000, use_parallel_residual: false, attention_bias: false }),
      phi3({
        num_key_value_heads: 2,
        partial_rotary_factor: 0.375,
        original_max_position_embeddings: 2048,
        rope_scaling: longrope,
        sliding_window: 2047,
      }),
      phi3({ partial_rotary_factor: 0.375, rope_scaling: { ...longrope, attention_factor: 1.25 } }),
    ]) {
      const c = parseConfig(json);
      const again = parseConfig(configToJson(c));
      expect({ ...again, hf: null }).toEqual({ ...c, hf: null });
    }
  });
});
