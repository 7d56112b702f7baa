// `llmts init` run as a user runs it: the real bin writes a model that @llmts/model loads back.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createModel, parseConfig } from "@llmts/model";
import { loadModel } from "@llmts/model/node";
import { Rng } from "@llmts/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { initModel } from "../src/commands/init.ts";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llmts-init-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function llmts(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
}

describe("llmts init", () => {
  it("writes a Llama with grouped-query attention from shape flags, in HF layout", () => {
    const out = join(dir, "llama");
    const r = llmts(
      "init",
      "--arch",
      "llama",
      "--n-layer",
      "2",
      "--n-head",
      "4",
      "--n-kv-head",
      "2",
      "--n-embd",
      "32",
      "--vocab-size",
      "50",
      "--block-size",
      "64",
      "--seed",
      "7",
      "--out",
      out,
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/wrote .*llama: llama, [\d,]+ parameters, seed 7/);
    const json = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    expect(json).toMatchObject({
      model_type: "llama",
      architectures: ["LlamaForCausalLM"],
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      hidden_size: 32,
      intermediate_size: 96, // llama2.c: 2/3 · 4 · 32 = 85, rounded up to a multiple of 32
      max_position_embeddings: 64,
      vocab_size: 50,
    });
    for (const field of [
      "hidden_size",
      "num_hidden_layers",
      "num_attention_heads",
      "vocab_size",
      "intermediate_size",
    ]) {
      expect(json[field], field).toEqual(expect.any(Number));
    }
    const { model } = loadModel(out);
    expect(model.parameters().get("model.layers.1.self_attn.k_proj.weight")!.shape).toEqual([16, 32]);
  });

  it("writes GPT-2 124M's shapes from --preset gpt2 with a smaller vocabulary override", () => {
    const out = join(dir, "gpt2");
    const r = llmts("init", "--preset", "gpt2", "--n-layer", "1", "--vocab-size", "100", "--out", out);
    expect(r.status).toBe(0);
    const json = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    expect(json).toMatchObject({
      model_type: "gpt2",
      n_layer: 1,
      n_head: 12,
      n_embd: 768,
      n_positions: 1024,
      vocab_size: 100,
    });
    expect(loadModel(out).model.parameters().get("transformer.h.0.attn.c_attn.weight")!.shape).toEqual([
      768, 2304,
    ]);
  });

  it("writes no bos/eos id that the vocabulary lacks (GPT-2's 50256 with --vocab-size 50), and every shape field", () => {
    const fromFlags = join(dir, "gpt2-v50");
    const small = ["--n-layer", "1", "--n-head", "2", "--n-embd", "8", "--block-size", "16"];
    expect(llmts("init", "--arch", "gpt2", "--vocab-size", "50", ...small, "--out", fromFlags).status).toBe(
      0,
    );
    const fromPreset = join(dir, "preset-v50");
    expect(
      llmts("init", "--preset", "gpt2", "--n-layer", "1", "--vocab-size", "50", "--out", fromPreset).status,
    ).toBe(0);
    for (const out of [fromFlags, fromPreset]) {
      const json = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
      expect(json).toMatchObject({ vocab_size: 50, bos_token_id: null, eos_token_id: null });
      for (const field of ["n_embd", "n_layer", "n_head", "vocab_size", "n_positions"]) {
        expect(json[field], field).toEqual(expect.any(Number));
      }
      expect(loadModel(out).config).toMatchObject({ bosTokenId: null, eosTokenId: null });
    }
    const kept = join(dir, "stories-ids"); // bos 1 and eos 2 exist in its 512 tokens: kept
    expect(llmts("init", "--preset", "stories260K", "--n-layer", "1", "--out", kept).status).toBe(0);
    expect(JSON.parse(readFileSync(join(kept, "config.json"), "utf8"))).toMatchObject({
      vocab_size: 512,
      bos_token_id: 1,
      eos_token_id: 2,
    });
  });

  it("writes Qwen3, Gemma 3, Pythia and Phi-3 from their presets, with shape flags over them", () => {
    const small = ["--n-layer", "1", "--n-embd", "64", "--vocab-size", "100", "--block-size", "32"];
    const cases: [string, string, string, number[]][] = [
      ["qwen3-0.6b", "qwen3", "model.layers.0.self_attn.q_proj.weight", [16 * 128, 64]], // head_dim kept
      ["gemma3-270m", "gemma3_text", "model.layers.0.self_attn.k_proj.weight", [256, 64]], // one KV head of 256
      ["pythia-70m", "gpt_neox", "gpt_neox.layers.0.attention.query_key_value.weight", [3 * 64, 64]],
      ["phi-3-mini-4k", "phi3", "model.layers.0.mlp.gate_up_proj.weight", [2 * 8192, 64]],
    ];
    for (const [preset, modelType, tensor, shape] of cases) {
      const out = join(dir, preset);
      const r = llmts("init", "--preset", preset, ...small, "--intermediate-size", "8192", "--out", out);
      expect(r.stderr, preset).toBe("");
      expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8"))).toMatchObject({
        model_type: modelType,
        num_hidden_layers: 1,
        hidden_size: 64,
        vocab_size: 100,
      });
      expect(loadModel(out).model.parameters().get(tensor)!.shape, preset).toEqual(shape);
    }
    expect(llmts("init", "--arch", "qwen3", "--out", join(dir, "q")).stderr).toMatch(
      /^llmts: --arch: expected gpt2 or llama, got "qwen3" \(the other families start from a --preset: qwen3-0.6b, /,
    );
  });

  it("names the flag in one line when the flags are wrong, and refuses to overwrite without --force", () => {
    const cases: [string[], RegExp][] = [
      [
        ["--arch", "gpt2", "--n-layer", "2", "--out", join(dir, "x")],
        /^llmts: --n-head: required unless --preset is given\n$/,
      ],
      [
        [
          "--arch",
          "gpt2",
          "--n-layer",
          "2",
          "--n-head",
          "3",
          "--n-embd",
          "32",
          "--vocab-size",
          "9",
          "--block-size",
          "8",
          "--out",
          join(dir, "x"),
        ],
        /^llmts: --n-head: must divide n_embd \(32\), got 3\n$/,
      ],
      [
        ["--preset", "nope", "--out", join(dir, "x")],
        /^llmts: --preset: unknown preset "nope" \(known: gpt2, /,
      ],
      [
        ["--preset", "stories15M", "--arch", "gpt2", "--out", join(dir, "x")],
        /^llmts: --preset: "stories15M" is a llama model/,
      ],
      [
        ["--preset", "stories260K", "--n-layer", "1", "--out", join(dir, "llama")],
        /config\.json and 1 more files already exist, and this command did not write them: pass --force/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = llmts("init", ...args);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
    }
  });

  it("draws a large model tensor by tensor with progress lines, the same weights as createModel", () => {
    const config = parseConfig({
      model_type: "gpt2",
      n_layer: 2,
      n_head: 2,
      n_embd: 16,
      vocab_size: 40,
      n_positions: 32,
    });
    const lines: string[] = [];
    const stream = { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream;
    const ours = initModel(config, new Rng(5), { progressFrom: 0, stream }).parameters();
    const theirs = createModel(config, new Rng(5)).parameters();
    expect([...ours.keys()]).toEqual([...theirs.keys()]);
    for (const [name, t] of theirs) expect(ours.get(name)!.dataSync(), name).toEqual(t.dataSync());
    // The first line at 0%, the last at 100%; a small model draws too fast for any line between.
    const total = [...theirs.values()].reduce((n, t) => n + t.size, 0).toLocaleString("en-US");
    expect(lines).toEqual([
      `initialising ${total} parameters: 0%\n`,
      `initialising ${total} parameters: 100%\n`,
    ]);
    expect(initModel(config, new Rng(5), { stream }).parameters().size).toBe(theirs.size); // small: silent
    expect(lines).toHaveLength(2);
  });
});
