import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromFloat32, type Tensor as StTensor } from "@llmts/safetensors";
import { writeSafetensors } from "@llmts/safetensors/node";
import { intTensor, noGrad, Rng, type Tensor } from "@llmts/tensor";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CausalLM, configToJson, createModel, type ModelConfig, WeightLoadError } from "../src/index.ts";
import { loadModel, saveModel } from "../src/node/index.ts";
import {
  tinyGemma3,
  tinyGpt2,
  tinyGptNeoX,
  tinyLlama,
  tinyLongRopePhi3,
  tinyPhi3,
  tinyQwen3,
} from "./tiny.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "llmts-weights-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes config.json and model.safetensors holding exactly `tensors`. */
function writeCheckpoint(config: ModelConfig, tensors: Map<string, Tensor> | Record<string, StTensor>): void {
  writeFileSync(join(dir, "config.json"), JSON.stringify(configToJson(config)));
  const st: Record<string, StTensor> = {};
  if (tensors instanceof Map) {
    for (const [name, t] of tensors) st[name] = fromFloat32(t.dataSync() as Float32Array, [...t.shape]);
  } else Object.assign(st, tensors);
  writeSafetensors(join(dir, "model.safetensors"), st);
}

function logitsOf(model: CausalLM, ids: number[]): Float32Array {
  return noGrad(() => model.forward(intTensor([ids]))).dataSync() as Float32Array;
}

describe("loading GPT-2 names", () => {
  it("keeps unprefixed names (the original gpt2 checkpoint) and ignores the attn.bias buffers", () => {
    const config = tinyGpt2();
    const model = createModel(config, new Rng(1), { gpt2Prefix: "" });
    const params = model.parameters();
    expect(params.has("h.0.attn.c_attn.weight")).toBe(true);
    expect(params.get("h.0.attn.c_attn.weight")!.shape).toEqual([16, 48]); // Conv1D: [in, out]
    const st: Record<string, StTensor> = {};
    for (const [name, t] of params) st[name] = fromFloat32(t.dataSync() as Float32Array, [...t.shape]);
    st["h.0.attn.bias"] = fromFloat32(new Float32Array(24 * 24), [1, 1, 24, 24]);
    st["h.1.attn.masked_bias"] = fromFloat32(new Float32Array([-1e4]), []);
    writeCheckpoint(config, st);
    const { model: loaded } = loadModel(dir);
    expect([...loaded.parameters().keys()]).toEqual([...params.keys()]);
    expect(logitsOf(loaded, [1, 2, 3])).toEqual(logitsOf(model, [1, 2, 3]));
  });

  it("keeps transformer.-prefixed names and stores a tied lm_head once (no lm_head.weight)", () => {
    const model = createModel(tinyGpt2(), new Rng(2));
    const names = [...model.parameters().keys()];
    expect(names[0]).toBe("transformer.wte.weight");
    expect(names).not.toContain("lm_head.weight");
    saveModel(dir, model);
    const { model: loaded } = loadModel(dir);
    expect([...loaded.parameters().keys()]).toEqual(names);
  });

  it("loads an explicit lm_head.weight when embeddings are untied", () => {
    const config = tinyGpt2({ tie_word_embeddings: false });
    const model = createModel(config, new Rng(3));
    expect(model.parameters().get("lm_head.weight")!.shape).toEqual([37, 16]);
    saveModel(dir, model);
    const { model: loaded } = loadModel(dir);
    expect(loaded.parameters().has("lm_head.weight")).toBe(true);
    expect(logitsOf(loaded, [4, 5])).toEqual(logitsOf(model, [4, 5]));
  });
});

describe("loading the names of the newer families", () => {
  it("ignores GPT-NeoX's per-layer buffers (attention.bias, masked_bias, rotary_emb.inv_freq), as Pythia stores them", () => {
    const config = tinyGptNeoX();
    const model = createModel(config, new Rng(4));
    const st: Record<string, StTensor> = {};
    for (const [name, t] of model.parameters())
      st[name] = fromFloat32(t.dataSync() as Float32Array, [...t.shape]);
    st["gpt_neox.layers.0.attention.bias"] = { dtype: "BOOL", shape: [1, 1, 4, 4], data: new Uint8Array(16) };
    st["gpt_neox.layers.1.attention.masked_bias"] = fromFloat32(new Float32Array([-1e9]), []);
    st["gpt_neox.layers.1.attention.rotary_emb.inv_freq"] = fromFloat32(new Float32Array(1), [1]);
    writeCheckpoint(config, st);
    expect(logitsOf(loadModel(dir).model, [1, 2, 3])).toEqual(logitsOf(model, [1, 2, 3]));
    expect([...model.parameters().keys()].at(-1)).toBe("embed_out.weight"); // not lm_head: HF's name
  });

  it("expects Phi-3's fused projections in their HF shapes: qkv_proj [(H + 2 KV)·D, C], gate_up_proj [2I, C]", () => {
    const params = createModel(tinyPhi3(), new Rng(5)).parameters(); // C 32, 4 heads of 8, 2 KV heads, I 24
    expect(params.get("model.layers.0.self_attn.qkv_proj.weight")!.shape).toEqual([64, 32]);
    expect(params.get("model.layers.0.mlp.gate_up_proj.weight")!.shape).toEqual([48, 32]);
    expect(params.has("model.layers.0.self_attn.q_proj.weight")).toBe(false);
  });
});

describe("the weight loader", () => {
  it("reads every weight into the arrays `allocate` hands out (F32 straight from the file, F16 converted)", () => {
    for (const dtype of ["F32", "F16"] as const) {
      const model = createModel(tinyLlama(), new Rng(9));
      saveModel(dir, model, { dtype });
      const handedOut: Float32Array[] = [];
      const allocate = (n: number) => {
        const array = new Float32Array(n);
        handedOut.push(array);
        return array;
      };
      const { model: placed } = loadModel(dir, { allocate });
      const { model: plain } = loadModel(dir);
      const params = [...placed.parameters().values()];
      expect(handedOut.length).toBe(params.length);
      for (const [i, p] of params.entries()) expect(p.dataSync()).toBe(handedOut[i]); // the very arrays: no copy
      expect(logitsOf(placed, [3, 1, 4])).toEqual(logitsOf(plain, [3, 1, 4]));
    }
  });

  it("lists every missing, unexpected and wrong-shaped tensor in one WeightLoadError", () => {
    const config = tinyLlama();
    const params = createModel(config, new Rng(4)).parameters();
    params.delete("model.layers.1.mlp.up_proj.weight");
    params.delete("model.norm.weight");
    const st: Record<string, StTensor> = {};
    for (const [name, t] of params) st[name] = fromFloat32(t.dataSync() as Float32Array, [...t.shape]);
    st["model.layers.0.self_attn.k_proj.weight"] = fromFloat32(new Float32Array(16 * 16), [16, 16]); // should be [8, 16]
    st["model.layers.7.mlp.gate_proj.weight"] = fromFloat32(new Float32Array(4), [2, 2]);
    writeCheckpoint(config, st);
    let error: WeightLoadError | undefined;
    try {
      loadModel(dir);
    } catch (e) {
      error = e as WeightLoadError;
    }
    expect(error).toBeInstanceOf(WeightLoadError);
    expect(error!.name).toBe("WeightLoadError");
    expect(error!.missing).toEqual(["model.layers.1.mlp.up_proj.weight", "model.norm.weight"]);
    expect(error!.unexpected).toEqual(["model.layers.7.mlp.gate_proj.weight"]);
    expect(error!.wrongShape).toEqual([
      { name: "model.layers.0.self_attn.k_proj.weight", expected: [8, 16], actual: [16, 16] },
    ]);
    expect(error!.message).toContain('missing "model.norm.weight"');
    expect(error!.message).toContain(
      '"model.layers.0.self_attn.k_proj.weight" has shape [16, 16], expected [8, 16]',
    );
    expect(error!.message).toContain("4 problem(s)");
  });

  it("requires lm_head.weight when tie_word_embeddings is false", () => {
    const config = tinyLlama({ tie_word_embeddings: false });
    const params = createModel(config, new Rng(5)).parameters();
    params.delete("lm_head.weight");
    writeCheckpoint(config, params);
    expect(() => loadModel(dir)).toThrow(/missing "lm_head.weight"/);
  });

  it("widens F16 and BF16 storage to the same f32 values the rounding gives", () => {
    const model = createModel(tinyLlama({ model_type: "qwen2", tie_word_embeddings: true }), new Rng(6));
    for (const dtype of ["F16", "BF16"] as const) {
      saveModel(dir, model, { dtype });
      const { model: loaded } = loadModel(dir);
      for (const [name, p] of model.parameters()) {
        const original = p.dataSync() as Float32Array;
        const back = loaded.parameters().get(name)!.dataSync() as Float32Array;
        // F16 keeps 11 significant bits, BF16 8: relative rounding error at most 2^-11 / 2^-8.
        const bound = dtype === "F16" ? 2 ** -11 : 2 ** -8;
        for (let i = 0; i < original.length; i++) {
          expect(Math.abs(back[i]! - original[i]!)).toBeLessThanOrEqual(
            bound * Math.abs(original[i]!) + 1e-7,
          );
        }
      }
    }
  });
});

describe("sharded checkpoints", () => {
  it("load through model.safetensors.index.json from two shard files", () => {
    const config = tinyLlama();
    const model = createModel(config, new Rng(8));
    writeFileSync(join(dir, "config.json"), JSON.stringify(configToJson(config)));
    const shards: Record<string, StTensor>[] = [{}, {}];
    const weightMap: Record<string, string> = {};
    [...model.parameters()].forEach(([name, t], i) => {
      shards[i % 2]![name] = fromFloat32(t.dataSync() as Float32Array, [...t.shape]);
      weightMap[name] = `model-0000${(i % 2) + 1}-of-00002.safetensors`;
    });
    for (const [i, tensors] of shards.entries()) {
      writeSafetensors(join(dir, `model-0000${i + 1}-of-00002.safetensors`), tensors);
    }
    writeFileSync(
      join(dir, "model.safetensors.index.json"),
      JSON.stringify({ metadata: {}, weight_map: weightMap }),
    );
    const { model: loaded } = loadModel(dir);
    expect(logitsOf(loaded, [5, 6, 7])).toEqual(logitsOf(model, [5, 6, 7]));
  });
});

describe("saveModel then loadModel", () => {
  it("round-trips config, parameter names and values exactly", () => {
    for (const config of [
      tinyGpt2(),
      tinyLlama({ model_type: "mistral", sliding_window: 5 }),
      tinyQwen3({ tie_word_embeddings: true }),
      tinyGemma3(),
      tinyGptNeoX(),
      tinyPhi3(),
      tinyLongRopePhi3({ tie_word_embeddings: true }),
    ]) {
      const model = createModel(config, new Rng(7));
      saveModel(dir, model);
      const { config: back, model: loaded } = loadModel(dir);
      expect({ ...back, hf: null }).toEqual({ ...config, hf: null });
      for (const [name, p] of model.parameters()) {
        expect(loaded.parameters().get(name)!.dataSync()).toEqual(p.dataSync());
      }
      expect(logitsOf(loaded, [1, 9, 3, 3])).toEqual(logitsOf(model, [1, 9, 3, 3]));
    }
  });

  it("replaces an existing config.json whole and leaves no temporary file behind", () => {
    writeFileSync(join(dir, "config.json"), "{ an old, broken config");
    saveModel(dir, createModel(tinyLlama(), new Rng(8)));
    expect(readdirSync(dir).sort()).toEqual(["config.json", "model.safetensors"]);
    expect(JSON.parse(readFileSync(join(dir, "config.json"), "utf8"))).toMatchObject({
      model_type: "llama",
      hidden_size: 16,
    });
  });
});
