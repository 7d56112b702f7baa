// modelFromFiles: a checkpoint held in memory (what a browser page has after opening config.json
// and model.safetensors) loads exactly as the Node adapter loads the directory, with the same
// checks and the same errors.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fromFloat32, type Tensor as StTensor, serializeSafetensors } from "@llmts/safetensors";
import { intTensor, noGrad, Rng } from "@llmts/tensor";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CausalLM, createModel, modelFromFiles, toCheckpoint } from "../src/index.ts";
import { loadModel, saveModel } from "../src/node/index.ts";
import { tinyGpt2, tinyLlama } from "./tiny.ts";

let dir: string;
beforeEach(() => {
  dir = resolve(mkdtempSync(join(tmpdir(), "llmts-files-")));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const logitsOf = (model: CausalLM) =>
  noGrad(() => model.forward(intTensor([[3, 1, 4, 1, 5]]))).dataSync() as Float32Array;

/** The directory's two files as a browser would hold them (each one optional). */
function filesOf(d: string, names = ["config.json", "model.safetensors"]) {
  const read = (name: string) => (names.includes(name) ? readFileSync(join(d, name)) : undefined);
  return {
    "config.json": read("config.json")?.toString("utf8"),
    "model.safetensors": read("model.safetensors"),
  };
}

/** The error `f` throws, as "Name: message". */
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
  return "no error";
}

describe("modelFromFiles", () => {
  it("loads from bytes the same config, parameters and logits loadModel reads from the directory", () => {
    for (const config of [tinyGpt2(), tinyLlama({ model_type: "qwen2" })]) {
      saveModel(dir, createModel(config, new Rng(71)), { dtype: "BF16" });
      const fromDisk = loadModel(dir);
      const fromBytes = modelFromFiles(filesOf(dir));
      expect({ ...fromBytes.config, hf: null }).toEqual({ ...fromDisk.config, hf: null });
      expect([...fromBytes.model.parameters().keys()]).toEqual([...fromDisk.model.parameters().keys()]);
      expect(logitsOf(fromBytes.model)).toEqual(logitsOf(fromDisk.model));
    }
  });

  it("round-trips with toCheckpoint and serializeSafetensors, all in memory", () => {
    const model = createModel(tinyLlama(), new Rng(72));
    const { configJson, tensors } = toCheckpoint(model);
    const { model: back } = modelFromFiles({
      "config.json": configJson,
      "model.safetensors": serializeSafetensors(tensors),
    });
    expect(logitsOf(back)).toEqual(logitsOf(model));
  });

  it("fails with the error loadModel gives, for every way the files can be wrong", () => {
    const model = createModel(tinyLlama(), new Rng(73));
    const tensors: Record<string, StTensor> = {};
    for (const [name, t] of model.parameters()) {
      tensors[name] = fromFloat32(t.dataSync() as Float32Array, [...t.shape]);
    }
    const { "model.norm.weight": _dropped, ...missingOne } = tensors;
    const bytes = serializeSafetensors(tensors);
    const cases: [string, () => void, string[]?][] = [
      ["config.json is not JSON", () => writeFileSync(join(dir, "config.json"), "{ nope")],
      [
        "a required field is missing",
        () => writeFileSync(join(dir, "config.json"), '{"model_type":"llama"}'),
      ],
      [
        "a tensor is missing",
        () => writeFileSync(join(dir, "model.safetensors"), serializeSafetensors(missingOne)),
      ],
      [
        "the weights are cut short",
        () => writeFileSync(join(dir, "model.safetensors"), bytes.subarray(0, 500)),
      ],
      ["config.json is absent", () => {}, ["model.safetensors"]],
      ["model.safetensors is absent", () => {}, ["config.json"]],
    ];
    for (const [what, breakIt, present] of cases) {
      rmSync(dir, { recursive: true, force: true });
      saveModel(dir, model);
      breakIt();
      for (const name of ["config.json", "model.safetensors"]) {
        if (present && !present.includes(name)) rmSync(join(dir, name));
      }
      const node = errorOf(() => loadModel(dir));
      const browser = errorOf(() => modelFromFiles(filesOf(dir, present), dir));
      expect(node, what).not.toBe("no error");
      expect(browser, what).toBe(node);
    }
  });
});
