// GGUF model files beyond the happy path: what Hugging Face's independent JavaScript parser
// (@huggingface/gguf) reads from our export, the one-line refusals of files we cannot run, and
// mutated files that must fail cleanly, never crash; and a quantized model decoded back to float
// weights for training.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gguf as hfGguf } from "@huggingface/gguf";
import { GgufError, type GgufWriteSpec, parseGguf, writeGguf } from "@llmts/gguf";
import { intTensor, noGrad, ShapeError, Tensor } from "@llmts/tensor";
import { afterAll, describe, expect, it } from "vitest";
import {
  ConfigError,
  modelFromGguf,
  modelToGguf,
  parameterSpecs,
  toFloatModel,
  WeightLoadError,
} from "../src/index.ts";
import { loadModel } from "../src/node/index.ts";

const FIXTURES = new URL("../../../fixtures/", import.meta.url);
const dir = mkdtempSync(join(tmpdir(), "llmts-gguf-model-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fixtureModel = (name: string) => loadModel(new URL(name, FIXTURES).pathname).model;
function load(bytes: Uint8Array, name = "m.gguf") {
  const f = parseGguf(bytes, name);
  return modelFromGguf({ metadata: f.metadata, tensors: f.tensors, has: f.has, read: f.get }, name);
}
/** The export of a fixture as a spec, to edit before writing. */
const spec = (name: string, quantize?: "Q8_0" | "Q4_0"): GgufWriteSpec =>
  modelToGguf(fixtureModel(name), { quantize }).spec;

describe("our export read by @huggingface/gguf", () => {
  it.each([
    ["gpt2-tied", "Q8_0"],
    ["llama-gqa-tied", "Q4_0"],
  ] as const)("gives %s's metadata and tensor infos as our reader does (%s)", async (name, quantize) => {
    const bytes = writeGguf(spec(name, quantize));
    const path = join(dir, `${name}.gguf`);
    writeFileSync(path, bytes);
    const theirs = await hfGguf(path, { allowLocalFile: true });
    const ours = parseGguf(bytes);
    for (const [key, v] of ours.metadata) {
      const value = v.type === "array" ? Array.from(v.value as ArrayLike<unknown>) : v.value;
      expect((theirs.metadata as Record<string, unknown>)[key], key).toEqual(value);
    }
    expect(theirs.tensorInfos.map((t) => [t.name, t.shape.map(Number), t.dtype, Number(t.offset)])).toEqual(
      ours.tensors.map((t) => [t.name, t.ne, t.type === "Q8_0" ? 8 : t.type === "Q4_0" ? 2 : 0, t.offset]),
    );
  });
});

describe("a GGUF model that cannot be run is refused in one line", () => {
  it("names an architecture we do not implement", () => {
    const s = spec("gpt2-tied");
    (s.metadata as Map<string, unknown>).set("general.architecture", { type: "string", value: "falcon" });
    expect(() => load(writeGguf(s))).toThrow(
      new ConfigError(
        'gguf model: general.architecture "falcon" is not supported (supported: gpt2, llama, qwen2) (m.gguf)',
      ),
    );
  });

  it("names a tensor of a type we do not read", () => {
    const bytes = writeGguf(spec("gpt2-tied"));
    // Patch blk.0.attn_qkv.weight's type from F32 (0) to I32 (26): the same 4 bytes a value.
    const f = parseGguf(bytes);
    const name = new TextEncoder().encode("blk.0.attn_qkv.weight");
    let at = 0;
    while (!name.every((b, i) => bytes[at + i] === b)) at++;
    const typeAt = at + name.length + 4 + 8 * f.info("blk.0.attn_qkv.weight").ne.length;
    expect(bytes[typeAt]).toBe(0);
    bytes[typeAt] = 26;
    expect(() => load(bytes)).toThrow(
      'gguf model: tensor "blk.0.attn_qkv.weight" is I32; this loader reads F32, F16, BF16, Q8_0, Q4_0 (m.gguf)',
    );
  });

  it("lists missing tensors and wrong shapes by their GGUF names", () => {
    const s = spec("llama-gqa-tied");
    const md = s.metadata as Map<string, unknown>;
    md.set("llama.block_count", { type: "uint32", value: 3 });
    md.set("llama.feed_forward_length", { type: "uint32", value: 96 });
    const error = (() => {
      try {
        load(writeGguf(s));
      } catch (e) {
        return e as WeightLoadError;
      }
    })();
    expect(error).toBeInstanceOf(WeightLoadError);
    expect(error!.missing).toContain("blk.2.attn_q.weight");
    expect(error!.wrongShape).toContainEqual({
      name: "blk.0.ffn_up.weight",
      expected: [96, 32],
      actual: [80, 32],
    });
    expect(error!.message.split("\n")).toHaveLength(1);
  });

  it("asks for the config.json beside a file that needs Llama 3's rope scaling", () => {
    expect(() => load(writeGguf(spec("llama-untied-theta")))).toThrow(
      /rope_freqs.weight \(Llama 3 rope scaling\)/,
    );
    // with the config.json it was made from, the same file loads and runs as the checkpoint does
    const { config, model } = loadModel(new URL("llama-untied-theta", FIXTURES).pathname);
    const f = parseGguf(writeGguf(spec("llama-untied-theta")));
    const back = modelFromGguf(
      { metadata: f.metadata, tensors: f.tensors, has: f.has, read: f.get },
      "m",
      config,
    );
    expect(back.model.weights().size).toBe(model.weights().size);
  });
});

describe("mutated GGUF model files", () => {
  it("load or fail with a one-line GGUF, config, weight or shape error, never anything else", () => {
    const clean = readFileSync(new URL("gguf-models/gpt2-tied-q8_0.gguf", FIXTURES));
    const header = parseGguf(clean).header.dataStart;
    let seed = 42;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const outcomes = new Map<string, number>();
    for (let k = 0; k < 300; k++) {
      const bytes = new Uint8Array(clean);
      for (let flips = 1 + next(3); flips > 0; flips--) bytes[next(header)] = next(256);
      try {
        load(bytes);
        outcomes.set("loaded", (outcomes.get("loaded") ?? 0) + 1);
      } catch (error) {
        const known = [GgufError, ConfigError, WeightLoadError, ShapeError].some((c) => error instanceof c);
        expect(known, `mutation ${k}: ${(error as Error).stack}`).toBe(true);
        expect((error as Error).message).not.toContain("\n");
        outcomes.set((error as Error).name, (outcomes.get((error as Error).name) ?? 0) + 1);
      }
    }
    expect(outcomes.get("GgufError")).toBeGreaterThan(0); // the mutations did hit something
  });
});

describe("toFloatModel", () => {
  it.each(["gpt2-tied", "llama-gqa-tied"])(
    "decodes quantized %s to float parameters in HF's layout that compute the same logits",
    (name) => {
      const bytes = readFileSync(new URL(`gguf-models/${name}-q8_0.gguf`, FIXTURES));
      const { model } = load(bytes);
      const floats = toFloatModel(model);
      expect([...floats.weights().values()].every((w) => w instanceof Tensor && w.requiresGrad)).toBe(true);
      expect(floats.parameters().size).toBe(floats.weights().size);
      const specs = parameterSpecs(model.config, { gpt2Prefix: "" });
      for (const spec of specs) expect(floats.weights().get(spec.name)?.shape, spec.name).toEqual(spec.shape);
      const ids = intTensor([[1, 5, 9, 2]]);
      const a = noGrad(() => model.forward(ids)).dataSync();
      const b = noGrad(() => floats.forward(ids)).dataSync();
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5);
    },
  );
});
