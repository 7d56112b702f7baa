// `llmts quantize` and `llmts export` run as a user runs them (the real bin), and what the other
// commands make of their output: logits and generate load a quantized directory and a GGUF file
// alone, inspect shows the ggml types, and the output rules hold (no replacing without --force,
// never writing over an input).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseGguf } from "@llmts/gguf";
import { toFloat32 } from "@llmts/safetensors";
import { readSafetensorsFile } from "@llmts/safetensors/node";
import { CharTokenizer } from "@llmts/tokenizer";
import { saveTokenizer } from "@llmts/tokenizer/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));
const fixtures = fileURLToPath(new URL("../../../fixtures/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llmts-quantize-"));
// llama-gqa-tied (vocabulary 128) with a char tokenizer of 128 characters beside it
const model = join(dir, "llama");
const chars = Array.from({ length: 128 }, (_, i) => String.fromCodePoint(i < 95 ? 32 + i : 0x3b1 + i - 95));

function llmts(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
}

beforeAll(() => {
  cpSync(join(fixtures, "llama-gqa-tied"), model, { recursive: true });
  saveTokenizer(new CharTokenizer(chars), model);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function logits(modelPath: string, name: string): Float32Array {
  const out = join(dir, `${name}.safetensors`);
  const r = llmts(
    "logits",
    "--model",
    modelPath,
    "--input",
    join(model, "reference.safetensors"),
    "--out",
    out,
  );
  expect(r.stderr).toBe("");
  return toFloat32(readSafetensorsFile(out).get("logits"));
}

describe("llmts quantize", () => {
  it("writes model.gguf, config.json and the tokenizer, and says what it quantized", () => {
    const r = llmts("quantize", "--model", model, "--format", "q8_0", "--out", join(dir, "q8"));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*q8\/model.gguf: llama, 20 tensors \(13 Q8_0, 7 F32\), 0\.\d MB\n/);
    expect(r.stdout).toContain("wrote config.json, tokenizer.json, generation_config.json beside it");
    expect(r.stderr).toMatch(
      /^warning: kept F32 \(rows are not a multiple of the 32-value block\): blk.0.ffn_down.weight/,
    );
    const file = parseGguf(readFileSync(join(dir, "q8", "model.gguf")));
    expect(file.info("blk.0.attn_q.weight").type).toBe("Q8_0");
    expect(file.info("blk.0.attn_norm.weight").type).toBe("F32");
    expect(file.metadata.get("general.file_type")?.value).toBe(7);
    expect(file.metadata.get("tokenizer.ggml.tokens")?.value).toHaveLength(128);
  });

  it("writes a directory logits loads, close to the f32 model's logits", () => {
    const f32 = logits(model, "f32");
    const q8 = logits(join(dir, "q8"), "q8");
    let worst = 0;
    for (let i = 0; i < f32.length; i++) worst = Math.max(worst, Math.abs(q8[i]! - f32[i]!));
    expect(worst).toBeGreaterThan(0); // the weights really changed
    expect(worst).toBeLessThan(1.5); // this fixture is built to be sensitive: see fixtures/gguf-models/README.md
  });

  it("writes a directory generate loads, with the copied tokenizer", () => {
    const r = llmts(
      "generate",
      "--model",
      join(dir, "q8"),
      "--prompt",
      "ab",
      "--max-new-tokens",
      "4",
      "--json",
    );
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).generated_ids).toHaveLength(4);
  });

  it("writes a directory inspect shows with its ggml types", () => {
    const r = llmts("inspect", join(dir, "q8"), "--json");
    const report = JSON.parse(r.stdout);
    expect(report.format).toBe("gguf");
    expect(report.types).toEqual({ Q8_0: 13, F32: 7 });
    expect(report.tensors.find((t: { name: string }) => t.name === "blk.1.attn_k.weight")).toMatchObject({
      dtype: "Q8_0",
      shape: [16, 32],
      bytes: 16 * 34,
    });
    expect(llmts("inspect", join(dir, "q8")).stdout).toMatch(/20 tensors \(13 Q8_0, 7 F32\)/);
  });

  it("refuses to replace files it did not write, and to write into its input", () => {
    const again = llmts("quantize", "--model", model, "--format", "q4_0", "--out", join(dir, "q8"));
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^llmts: --out: .*model.gguf and 3 more files already exist.*--force/);
    const inPlace = llmts("quantize", "--model", model, "--format", "q4_0", "--out", model);
    expect(inPlace.stderr).toMatch(/^llmts: --out .* would overwrite --model .*, which this command reads/);
    const forced = llmts(
      "quantize",
      "--model",
      model,
      "--format",
      "q4_0",
      "--out",
      join(dir, "q8"),
      "--force",
    );
    expect(forced.status).toBe(0);
    expect(parseGguf(readFileSync(join(dir, "q8", "model.gguf"))).info("blk.0.attn_q.weight").type).toBe(
      "Q4_0",
    );
  });

  it("names a bad --format and a missing --model in one line", () => {
    expect(llmts("quantize", "--model", model, "--format", "q2_k", "--out", join(dir, "x")).stderr).toMatch(
      /^error: option '--format <format>' argument 'q2_k' is invalid. Allowed choices are q8_0, q4_0./,
    );
    expect(
      llmts("quantize", "--model", join(dir, "nope"), "--format", "q8_0", "--out", join(dir, "x")).stderr,
    ).toMatch(/^llmts: --model: no such directory or GGUF file: .*nope\n$/);
  });
});

describe("llmts export", () => {
  const file = join(dir, "llama-q4.gguf");

  it("writes one GGUF file with llama.cpp's keys and the tokenizer", () => {
    const r = llmts("export", "--model", model, "--format", "gguf", "--quantize", "q4_0", "--out", file);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*llama-q4.gguf: llama, 20 tensors \(13 Q4_0, 7 F32\)/);
    const md = parseGguf(readFileSync(file)).metadata;
    for (const key of [
      "general.architecture",
      "llama.context_length",
      "llama.embedding_length",
      "llama.block_count",
      "llama.feed_forward_length",
      "llama.attention.head_count",
      "llama.attention.head_count_kv",
      "llama.rope.dimension_count",
      "llama.rope.freq_base",
      "llama.attention.layer_norm_rms_epsilon",
      "general.file_type",
      "general.quantization_version",
      "tokenizer.ggml.model",
      "tokenizer.ggml.tokens",
    ]) {
      expect(md.has(key), key).toBe(true);
    }
    expect(md.get("general.file_type")?.value).toBe(2);
  });

  it("writes a file that generate runs alone, prompt text and all (tokenizer from its metadata)", () => {
    const r = llmts("generate", "--model", file, "--prompt", "hello", "--max-new-tokens", "3", "--json");
    expect(r.stderr).toMatch(/prefill/); // the stats line
    expect(JSON.parse(r.stdout).prompt_ids).toEqual([...("hello" as string)].map((c) => chars.indexOf(c)));
  });

  it("writes a file logits reads with the logits of the same model quantized as a directory", () => {
    const dirQ4 = join(dir, "q4dir");
    llmts("quantize", "--model", model, "--format", "q4_0", "--out", dirQ4);
    expect(logits(file, "file-q4")).toEqual(logits(dirQ4, "dir-q4"));
  });

  it("refuses to replace its output without --force, to overwrite --model, and to re-quantize", () => {
    expect(llmts("export", "--model", model, "--format", "gguf", "--out", file).stderr).toMatch(
      /^llmts: --out: .*llama-q4.gguf already exists and this command did not write it: pass --force/,
    );
    expect(llmts("export", "--model", file, "--format", "gguf", "--out", file, "--force").stderr).toMatch(
      /would overwrite --model/,
    );
    const requantize = llmts(
      "export",
      "--model",
      file,
      "--format",
      "gguf",
      "--quantize",
      "q8_0",
      "--out",
      join(dir, "r.gguf"),
    );
    expect(requantize.stderr).toMatch(
      /llmts: export: "model.embed_tokens.weight" is already Q4_0; re-quantizing it to Q8_0/,
    );
    expect(existsSync(join(dir, "r.gguf"))).toBe(false);
  });

  it("refuses a GGUF file it cannot run in one line", () => {
    const bad = join(dir, "bad.gguf");
    writeFileSync(bad, new Uint8Array([0x47, 0x47, 0x55, 0x46, 9, 0, 0, 0]));
    const r = llmts("generate", "--model", bad, "--prompt-ids", "1");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^llmts: gguf: .*version 9.*\n$/);
  });
});
