// @huggingface/gguf (Hugging Face's JavaScript GGUF parser, written independently of ours) as a
// second reader: files our writer produces, and gguf-py's fixture files, must give it the same
// header, the same typed metadata and the same tensor infos that our reader gives.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gguf } from "@huggingface/gguf";
import { afterAll, describe, expect, it } from "vitest";
import {
  fromFloat32,
  type GgufValue,
  type GgufWriteSpec,
  ggmlTypeByName,
  parseGguf,
  VALUE_TYPES,
  writeGguf,
} from "../src/index.ts";
import { EVERY_VALUE } from "./every-value.ts";
import { fixtureBytes } from "./expected.ts";

const dir = mkdtempSync(join(tmpdir(), "llmts-gguf-hf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A value as @huggingface/gguf gives it: plain arrays, nested arrays as arrays of arrays. */
function plain(v: GgufValue): unknown {
  if (v.type !== "array") return v.value;
  if (v.itemType === "array") return v.value.map(plain);
  return Array.from(v.value as ArrayLike<unknown>);
}

/** What we read, in @huggingface/gguf's shape. */
function ours(bytes: Uint8Array) {
  const file = parseGguf(bytes);
  const metadata: Record<string, unknown> = {
    version: { value: file.header.version, type: 4 },
    tensor_count: { value: BigInt(file.tensors.length), type: 10 },
    kv_count: { value: BigInt(file.metadata.size), type: 10 },
  };
  for (const [key, v] of file.metadata) {
    const subType = v.type === "array" ? { subType: VALUE_TYPES.indexOf(v.itemType) } : {};
    metadata[key] = { value: plain(v), type: VALUE_TYPES.indexOf(v.type), ...subType };
  }
  const tensorInfos = file.tensors.map((t) => ({
    name: t.name,
    n_dims: t.ne.length,
    shape: t.ne.map(BigInt),
    dtype: ggmlTypeByName(t.type)!.id,
    offset: BigInt(t.offset),
  }));
  return { metadata, tensorInfos, tensorDataOffset: BigInt(file.header.dataStart) };
}

async function theirs(bytes: Uint8Array, name: string) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const out = await gguf(path, { allowLocalFile: true, typedMetadata: true });
  return {
    metadata: out.typedMetadata,
    tensorInfos: out.tensorInfos,
    tensorDataOffset: out.tensorDataOffset,
  };
}

const random = (n: number, seed: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 3);

const written: [string, GgufWriteSpec][] = [
  [
    "every value type, the five tensor types, alignment 64",
    {
      metadata: new Map(EVERY_VALUE),
      alignment: 64,
      tensors: [
        { name: "q8", ...fromFloat32(random(3 * 64, 1), [3, 64], "Q8_0") },
        { name: "q4", ...fromFloat32(random(2 * 32, 2), [2, 32], "Q4_0") },
        { name: "f16", ...fromFloat32(random(5, 3), [5], "F16") },
        { name: "bf16", ...fromFloat32(random(2 * 3 * 4, 4), [2, 3, 4], "BF16") },
        { name: "f32", ...fromFloat32(random(6, 5), [1, 2, 1, 3], "F32") },
        { name: "empty", ...fromFloat32(new Float32Array(0), [0, 4], "F32") },
      ],
    },
  ],
  [
    "a llama-style header with a tokenizer",
    {
      metadata: new Map<string, GgufValue>([
        ["general.architecture", { type: "string", value: "llama" }],
        ["llama.context_length", { type: "uint32", value: 2048 }],
        ["llama.rope.freq_base", { type: "float32", value: 10000 }],
        ["tokenizer.ggml.model", { type: "string", value: "llama" }],
        [
          "tokenizer.ggml.tokens",
          { type: "array", itemType: "string", value: ["<unk>", "<s>", "</s>", "\u2581a"] },
        ],
        [
          "tokenizer.ggml.scores",
          { type: "array", itemType: "float32", value: Float32Array.of(0, 0, 0, -1.5) },
        ],
        ["tokenizer.ggml.token_type", { type: "array", itemType: "int32", value: Int32Array.of(2, 3, 3, 1) }],
        ["tokenizer.ggml.bos_token_id", { type: "uint32", value: 1 }],
      ]),
      tensors: [{ name: "token_embd.weight", ...fromFloat32(random(4 * 32, 6), [4, 32], "Q8_0") }],
    },
  ],
];

describe("@huggingface/gguf reads what we read", () => {
  for (const [what, spec] of written) {
    it(`in a file our writer wrote: ${what}`, async () => {
      const bytes = writeGguf(spec);
      expect(await theirs(bytes, "ours.gguf")).toEqual(ours(bytes));
    });
  }

  for (const name of ["all-types-v3.gguf", "tokenizer-v2.gguf", "align64-v3.gguf", "no-tensors-v3.gguf"]) {
    it(`in gguf-py's ${name}`, async () => {
      const bytes = fixtureBytes(name);
      expect(await theirs(bytes, name)).toEqual(ours(bytes));
    });
  }
});
