// The writer on its own: what it lays out (order, alignment, dims reversed), what it refuses
// (each with one line naming the key or tensor), and that our reader reads back every value type
// exactly. (That gguf-py writes the same bytes is python-files.test.ts; that another parser
// reads our files, hf-oracle.test.ts.)
import { describe, expect, it } from "vitest";
import {
  fromFloat32,
  type GgufArray,
  GgufError,
  type GgufMetadata,
  type GgufValue,
  type GgufWriteSpec,
  parseGguf,
  prepareGguf,
  toFloat32,
  writeGguf,
} from "../src/index.ts";
import { EVERY_VALUE } from "./every-value.ts";

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(GgufError);
    return (e as Error).message;
  }
  throw new Error("expected a GgufError, but nothing was thrown");
}

const roundTrip = (spec: GgufWriteSpec) => parseGguf(writeGguf(spec));

describe("writing and reading back", () => {
  it("keeps every value type exactly, in the order given", () => {
    const file = roundTrip({ metadata: new Map(EVERY_VALUE) });
    expect([...file.metadata]).toEqual(EVERY_VALUE);
    expect(file.header.version).toBe(3);
  });

  it("grows past its first buffer: 20,000 tokens and their scores", () => {
    const tokens = Array.from({ length: 20_000 }, (_, i) => `tok${i}`);
    const scores = Float32Array.from(tokens, (_, i) => -i / 7);
    const metadata: GgufMetadata = new Map<string, GgufValue>([
      ["tokenizer.ggml.tokens", { type: "array", itemType: "string", value: tokens }],
      ["tokenizer.ggml.scores", { type: "array", itemType: "float32", value: scores }],
    ]);
    expect(roundTrip({ metadata }).metadata).toEqual(metadata);
  });

  it("stores shape reversed as ggml's ne: an HF [out, in] weight is ne = [in, out]", () => {
    const w = Float32Array.from({ length: 3 * 64 }, (_, i) => Math.sin(i));
    const bytes = writeGguf({ tensors: [{ name: "w", ...fromFloat32(w, [3, 64], "F32") }] });
    const file = parseGguf(bytes);
    expect(file.info("w")).toMatchObject({ ne: [64, 3], shape: [3, 64], elementCount: 192, byteLength: 768 });
    // In the file: n_dims = 2, then ne[0] = 64 (the row length), ne[1] = 3.
    const dims = new DataView(bytes.buffer, 24 + 8 + 1 + 4, 16);
    expect([dims.getBigUint64(0, true), dims.getBigUint64(8, true)]).toEqual([64n, 3n]);
    expect(toFloat32(file.get("w"))).toEqual(w);
  });

  it("pads every tensor to the alignment and records general.alignment when asked for one", () => {
    const q = fromFloat32(new Float32Array(64).fill(1), [2, 32], "Q4_0"); // 36 bytes
    const f = fromFloat32(Float32Array.of(1, 2, 3), [3], "F16"); // 6 bytes
    const { header, tensors, byteLength } = prepareGguf({
      tensors: [
        { name: "q", ...q },
        { name: "f", ...f },
      ],
      alignment: 64,
    });
    expect(header.byteLength % 64).toBe(0);
    expect(tensors.map((t) => t.padding)).toEqual([28, 58]);
    expect(byteLength).toBe(header.byteLength + 128);
    const file = roundTrip({
      tensors: [
        { name: "q", ...q },
        { name: "f", ...f },
      ],
      alignment: 64,
    });
    expect(file.header.alignment).toBe(64);
    expect(file.metadata.get("general.alignment")).toEqual({ type: "uint32", value: 64 });
    expect(file.tensors.map((t) => t.offset)).toEqual([0, 64]);
  });

  it("takes the alignment from the metadata when the spec does not give one", () => {
    const metadata = new Map<string, GgufValue>([["general.alignment", { type: "uint32", value: 8 }]]);
    const t = { name: "f", ...fromFloat32(Float32Array.of(1, 2, 3), [3], "F32") };
    const file = roundTrip({ metadata, tensors: [t, { ...t, name: "g" }] });
    expect(file.tensors.map((x) => x.offset)).toEqual([0, 16]);
  });

  it("writes a file with no tensors and no metadata", () => {
    const file = roundTrip({});
    expect(file.tensors).toEqual([]);
    expect(file.metadata.size).toBe(0);
  });
});

describe("what the writer refuses", () => {
  const f32 = (name: string, shape = [2]) => ({
    name,
    ...fromFloat32(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape, "F32"),
  });
  const md = (key: string, value: unknown) => ({ metadata: new Map([[key, value as GgufValue]]) });
  const cases: [string, GgufWriteSpec, string][] = [
    [
      "a uint8 out of range",
      md("a.b", { type: "uint8", value: 256 }),
      'metadata "a.b" is uint8, which holds whole numbers from 0 to 255; got 256',
    ],
    [
      "a fractional int32",
      md("a.b", { type: "int32", value: 1.5 }),
      'metadata "a.b" is int32, which holds whole numbers from -2147483648 to 2147483647; got 1.5',
    ],
    [
      "a uint64 given as a number",
      md("a.b", { type: "uint64", value: 5 }),
      'metadata "a.b" is uint64, which holds bigints from 0 to 18446744073709551615; got 5',
    ],
    [
      "a negative uint64",
      md("a.b", { type: "uint64", value: -1n }),
      'metadata "a.b" is uint64, which holds bigints from 0 to 18446744073709551615; got -1',
    ],
    [
      "a bool given as 1",
      md("a.b", { type: "bool", value: 1 }),
      'metadata "a.b" is bool but its value is number',
    ],
    [
      "an unknown value type",
      md("a.b", { type: "uint128", value: 1 }),
      'metadata "a.b" must be { type, value } with type one of uint8, int8, uint16, int16, uint32, int32, float32, bool, string, array, uint64, int64, float64',
    ],
    [
      "a lone surrogate in a string",
      md("a.b", { type: "string", value: "x\uD800" }),
      'metadata "a.b" is not a well-formed string (it has a lone UTF-16 surrogate)',
    ],
    [
      "a float32 array given as numbers",
      md("a.b", { type: "array", itemType: "float32", value: [1, 2] }),
      'metadata "a.b" is an array of float32: its value must be a Float32Array',
    ],
    [
      "a string array holding a number",
      md("a.b", { type: "array", itemType: "string", value: ["a", 1] }),
      'metadata "a.b" is an array of string: its value must be an array of strings',
    ],
    [
      "a nested array holding a scalar",
      md("a.b", { type: "array", itemType: "array", value: [{ type: "uint8", value: 1 }] }),
      'metadata "a.b"[0] must be an array value ({ type: "array", ... })',
    ],
    ["an empty key", md("", { type: "uint8", value: 1 }), "a metadata key is empty"],
    [
      "a key that is not ASCII",
      md("general.n\u00e4me", { type: "uint8", value: 1 }),
      'metadata key "general.n\u00e4me" must be ASCII',
    ],
    [
      "general.alignment that is not a uint32",
      md("general.alignment", { type: "uint64", value: 32n }),
      'metadata "general.alignment" must be a uint32, got uint64',
    ],
    ["an alignment that is not a power of two", { alignment: 48 }, "alignment 48 must be a power of two"],
    [
      "two alignments that disagree",
      { ...md("general.alignment", { type: "uint32", value: 32 }), alignment: 64 },
      'alignment 64 disagrees with metadata "general.alignment" = 32',
    ],
    [
      "a tensor name of 64 bytes",
      { tensors: [f32("x".repeat(64))] },
      `tensor name "${"x".repeat(64)}" is 64 bytes; llama.cpp reads at most 63`,
    ],
    ["an empty tensor name", { tensors: [f32("")] }, "a tensor name is empty"],
    ["a tensor given twice", { tensors: [f32("a"), f32("a")] }, 'tensor "a" is given twice'],
    [
      "a type we do not write",
      { tensors: [{ ...f32("a"), type: "Q4_K" as never }] },
      'tensor "a" has type "Q4_K"; the types written here are F32, F16, BF16, Q8_0, Q4_0',
    ],
    [
      "5 dimensions",
      { tensors: [{ ...f32("a"), shape: [1, 1, 1, 1, 2] }] },
      'tensor "a" has shape [1,1,1,1,2]; expected at most 4 whole numbers >= 0',
    ],
    [
      "data of the wrong size",
      { tensors: [{ ...f32("a"), shape: [3] }] },
      'tensor "a" is F32 [3] (12 bytes) but has 8 bytes of data',
    ],
    [
      "Q8_0 rows that are not whole blocks",
      { tensors: [{ name: "a", type: "Q8_0", shape: [2, 16], data: new Uint8Array(34) }] },
      'tensor "a" is Q8_0 [2, 16]: its rows of 16 values are not a multiple of the 32-value block',
    ],
  ];
  for (const [what, spec, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(errorOf(() => writeGguf(spec))).toBe(`gguf: ${message}`);
    });
  }

  it("refuses arrays nested more than 8 deep", () => {
    let inner: GgufArray = { type: "array", itemType: "uint8", value: Uint8Array.of(1) };
    for (let i = 0; i < 8; i++) inner = { type: "array", itemType: "array", value: [inner] };
    expect(errorOf(() => writeGguf(md("a.b", inner)))).toBe(
      'gguf: metadata "a.b"[0][0][0][0][0][0][0][0] nests arrays more than 8 deep',
    );
  });

  it("refuses values that do not fill the shape in fromFloat32", () => {
    expect(errorOf(() => fromFloat32(new Float32Array(31), [32], "Q8_0"))).toBe(
      "gguf: 31 values do not fill shape [32]",
    );
  });
});
