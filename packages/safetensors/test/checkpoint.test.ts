// Checkpoints on disk: a single file, a directory, and shards behind model.safetensors.index.json.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromFloat32, toFloat32 } from "../src/index.ts";
import { openCheckpoint, writeSafetensors } from "../src/node/index.ts";

const root = mkdtempSync(join(tmpdir(), "llmts-ckpt-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const f32 = (...values: number[]) => fromFloat32(new Float32Array(values), [values.length]);
const index = (weightMap: Record<string, string>) =>
  JSON.stringify({ metadata: { total_size: 12 }, weight_map: weightMap });

beforeAll(() => {
  mkdirSync(join(root, "single"));
  writeSafetensors(join(root, "single", "model.safetensors"), { a: f32(1, 2) }, { format: "pt" });

  const sharded = join(root, "sharded");
  mkdirSync(sharded);
  writeSafetensors(join(sharded, "model-00002-of-00002.safetensors"), { b: f32(3) }, { format: "pt" });
  writeSafetensors(
    join(sharded, "model-00001-of-00002.safetensors"),
    { a: f32(1, 2) },
    { format: "pt", step: "7" },
  );
  writeFileSync(
    join(sharded, "model.safetensors.index.json"),
    index({ b: "model-00002-of-00002.safetensors", a: "model-00001-of-00002.safetensors" }),
  );
});

describe("openCheckpoint", () => {
  it("opens a directory holding model.safetensors", () => {
    const ckpt = openCheckpoint(join(root, "single"));
    expect(ckpt.files).toEqual([join(root, "single", "model.safetensors")]);
    expect(ckpt.index).toBeUndefined();
    expect([...toFloat32(ckpt.read("a"))]).toEqual([1, 2]);
    ckpt.close();
  });

  it("reads a tensor into a buffer the caller gives, of exactly its byte length, and refuses another size", () => {
    const ckpt = openCheckpoint(join(root, "sharded"));
    try {
      const into = new Float32Array(new SharedArrayBuffer(16), 4, 2); // e.g. a view into the kernels' memory
      const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
      expect(ckpt.read("a", bytes).data).toBe(bytes);
      expect([...into]).toEqual([1, 2]);
      expect(() => ckpt.read("a", new Uint8Array(12))).toThrow(
        /cannot read "a" \(8 bytes\) into a buffer of 12 bytes/,
      );
    } finally {
      ckpt.close();
    }
  });

  it("resolves each tensor of a sharded checkpoint to its shard through weight_map", () => {
    const ckpt = openCheckpoint(join(root, "sharded"));
    try {
      expect(ckpt.files.map((f) => f.slice(root.length))).toEqual([
        "/sharded/model-00001-of-00002.safetensors",
        "/sharded/model-00002-of-00002.safetensors",
      ]);
      expect(ckpt.tensors.map((t) => [t.name, t.file.slice(root.length + 9)])).toEqual([
        ["a", "model-00001-of-00002.safetensors"],
        ["b", "model-00002-of-00002.safetensors"],
      ]);
      expect(ckpt.metadata).toEqual({ format: "pt", step: "7" });
      expect([...toFloat32(ckpt.read("b"))]).toEqual([3]);
      expect(ckpt.info("a").shape).toEqual([2]);
    } finally {
      ckpt.close();
    }
  });

  it("reports a tensor the index maps to a shard that lacks it", () => {
    const dir = join(root, "lying");
    mkdirSync(dir);
    writeSafetensors(join(dir, "s1.safetensors"), { a: f32(1) });
    writeFileSync(
      join(dir, "model.safetensors.index.json"),
      index({ a: "s1.safetensors", z: "s1.safetensors" }),
    );
    expect(() => openCheckpoint(dir)).toThrow(
      `index maps tensor "z" to ${join(dir, "s1.safetensors")}, which has no such tensor`,
    );
  });

  it("refuses shard names that leave the checkpoint directory", () => {
    const dir = join(root, "escape");
    mkdirSync(dir);
    writeFileSync(join(dir, "model.safetensors.index.json"), index({ a: "../single/model.safetensors" }));
    expect(() => openCheckpoint(dir)).toThrow('weight_map entry "a" points outside the checkpoint directory');
  });

  it("names the index and the tensor when a shard it lists does not exist", () => {
    const dir = join(root, "lost-shard");
    mkdirSync(dir);
    writeSafetensors(join(dir, "s1.safetensors"), { a: f32(1) });
    writeFileSync(
      join(dir, "model.safetensors.index.json"),
      index({ a: "s1.safetensors", b: "s2.safetensors" }),
    );
    expect(() => openCheckpoint(dir)).toThrow(
      `weight_map entry "b" names s2.safetensors, which does not exist (${join(dir, "model.safetensors.index.json")})`,
    );
  });

  it("says that a config.json given as the checkpoint is a model's config, not an index", () => {
    const config = join(root, "single", "config.json");
    writeFileSync(config, JSON.stringify({ model_type: "gpt2" }));
    expect(() => openCheckpoint(config)).toThrow("this is a model's config.json; give its directory");
  });

  it("names the path when there is nothing to open", () => {
    expect(() => openCheckpoint(join(root, "missing"))).toThrow(
      `safetensors: no such file or directory: ${join(root, "missing")}`,
    );
    mkdirSync(join(root, "empty"));
    expect(() => openCheckpoint(join(root, "empty"))).toThrow(
      "found no model.safetensors or model.safetensors.index.json in",
    );
  });
});

// Files written by the Python fixture generator (fixtures/gen/safetensors_io.py), an independent
// writer: every one must validate and every tensor must read. The fixtures are committed, so
// finding none is a failure, not a reason to skip.
const fixturesDir = fileURLToPath(new URL("../../../fixtures", import.meta.url));
const fixtureFiles = existsSync(fixturesDir)
  ? readdirSync(fixturesDir)
      .map((name) => join(fixturesDir, name, "model.safetensors"))
      .filter((path) => existsSync(path))
  : [];

describe("files from the Python fixture generator", () => {
  it("are there to read", () => {
    expect(fixtureFiles.length).toBeGreaterThan(8);
  });

  it.each(fixtureFiles)("reads every tensor of %s", (path) => {
    const ckpt = openCheckpoint(path);
    try {
      expect(ckpt.tensors.length).toBeGreaterThan(0);
      for (const t of ckpt.tensors) {
        const tensor = ckpt.read(t.name);
        expect(tensor.data.byteLength).toBe(t.dataOffsets[1] - t.dataOffsets[0]);
        if (["F32", "F16", "BF16", "F64"].includes(t.dtype)) {
          expect(toFloat32(tensor).every(Number.isFinite)).toBe(true);
        }
      }
    } finally {
      ckpt.close();
    }
  });
});
