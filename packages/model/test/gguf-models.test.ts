// Models in GGUF, checked against llama.cpp's own Python package: fixtures/gguf-models/ holds
// four of the model fixtures converted as llama.cpp's convert_hf_to_gguf.py converts them and
// written by gguf.GGUFWriter in F32, Q8_0 and Q4_0, with the logits of a float64 forward pass on
// the weights gguf.quants.dequantize reads back (fixtures/gguf-models/generate.py).
//   - reading: the F32 files give the logits of the same model loaded from safetensors (1e-5);
//     every file, on the reference backend (blocks decoded, then the float kernels), gives
//     Python's logits on the dequantized weights (1e-4, the fixtures' tolerance)
//   - writing: our export of each safetensors fixture holds exactly the tensors gguf-py wrote
//     (names, ggml types, shapes, bytes: the same permutation, transposition and quantization)
//     and the same hyperparameter keys and values
import { readFileSync } from "node:fs";
import { type GgufFile, parseGguf, writeGguf } from "@llmts/gguf";
import { toFloat32 } from "@llmts/safetensors";
import { readSafetensorsFile } from "@llmts/safetensors/node";
import { intTensor, noGrad, referenceBackend, setBackend, type Tensor } from "@llmts/tensor";
import { afterEach, describe, expect, it } from "vitest";
import { type CausalLM, modelFromGguf, modelToGguf } from "../src/index.ts";
import { loadModel } from "../src/node/index.ts";

const FIXTURES = new URL("../../../fixtures/", import.meta.url);
const MODELS = ["gpt2-tied", "llama-gqa-tied", "qwen2", "mistral-sliding"];
const FORMATS = [
  ["f32", undefined],
  ["q8_0", "Q8_0"],
  ["q4_0", "Q4_0"],
] as const;
const reference = readSafetensorsFile(new URL("gguf-models/logits.safetensors", FIXTURES).pathname);

const ggufFile = (name: string): GgufFile =>
  parseGguf(readFileSync(new URL(`gguf-models/${name}`, FIXTURES)), name);
const source = (f: GgufFile) => ({ metadata: f.metadata, tensors: f.tensors, has: f.has, read: f.get });

function inputIds(name: string): Tensor {
  const t = reference.get(`${name}.input_ids`);
  const ids = new BigInt64Array(
    t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength),
  );
  return intTensor(Int32Array.from(ids, Number), t.shape);
}

function logitsOf(model: CausalLM, ids: Tensor): Float32Array {
  return noGrad(() => model.forward(ids)).dataSync() as Float32Array;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

afterEach(() => {
  setBackend(referenceBackend);
});

describe.each(MODELS)("the %s fixture in GGUF", (name) => {
  const ids = inputIds(name);

  it("read from gguf-py's F32 file gives the logits of its safetensors checkpoint (1e-5)", () => {
    const fromSafetensors = loadModel(new URL(name, FIXTURES).pathname).model;
    const fromGguf = modelFromGguf(source(ggufFile(`${name}-f32.gguf`)), `${name}-f32.gguf`).model;
    expect(maxDiff(logitsOf(fromGguf, ids), logitsOf(fromSafetensors, ids))).toBeLessThan(1e-5);
  });

  for (const [format] of FORMATS) {
    it(`read from gguf-py's ${format} file gives Python's logits on the dequantized weights (1e-4)`, () => {
      const { model } = modelFromGguf(source(ggufFile(`${name}-${format}.gguf`)), `${name}-${format}.gguf`);
      const want = toFloat32(reference.get(`${name}-${format}.logits`));
      expect(maxDiff(logitsOf(model, ids), want)).toBeLessThan(1e-4);
    });
  }

  for (const [format, quantize] of FORMATS) {
    it(`exported as ${format} holds the tensors and hyperparameters gguf-py wrote`, () => {
      const { model } = loadModel(new URL(name, FIXTURES).pathname);
      const ours = parseGguf(writeGguf(modelToGguf(model, { quantize }).spec), "ours.gguf");
      const theirs = ggufFile(`${name}-${format}.gguf`);
      const summary = (f: GgufFile) =>
        Object.fromEntries(
          f.tensors.map((t) => [
            t.name,
            `${t.type} [${t.shape}] ${Buffer.from(f.get(t.name).data).toString("base64")}`,
          ]),
        );
      expect(summary(ours)).toEqual(summary(theirs));
      const keys = (f: GgufFile) =>
        Object.fromEntries([...f.metadata].map(([k, v]) => [k, JSON.stringify(v)]));
      expect(keys(ours)).toEqual(keys(theirs));
    });
  }
});

describe("a model trained here (`llmts demo`), read by the independent Python loader", () => {
  it("gives the logits that fixtures/gen's forward pass computes from its directory (1e-4)", () => {
    const { model } = loadModel(new URL("gguf-models/demo-moby-dick", FIXTURES).pathname);
    const want = toFloat32(reference.get("demo-moby-dick.logits"));
    expect(maxDiff(logitsOf(model, inputIds("demo-moby-dick")), want)).toBeLessThan(1e-4);
  });
});
