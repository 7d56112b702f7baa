// GGUF files written by gguf-py's GGUFWriter (llama.cpp's own Python package), pinned in
// fixtures/gguf/ with what gguf-py's GGUFReader and gguf.quants.dequantize read from them
// (expected.json). Our reader must see the same header, the same typed metadata and the same
// tensors with the same values, bit for bit; our writer, given what we read, must write the same
// bytes back.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseGguf, toFloat32, writeGguf } from "../src/index.ts";
import { openGguf } from "../src/node/index.ts";
import {
  FIXTURES,
  f32FromHex,
  fixtureBytes,
  fixtureJson,
  hexOf,
  type JsonValue,
  toGgufValue,
} from "./expected.ts";

interface ExpectedFile {
  what: string;
  version: number;
  alignment: number;
  data_offset: number;
  file_size: number;
  metadata: ({ key: string } & JsonValue)[];
  tensors: {
    name: string;
    type: string;
    ne: number[];
    offset: number;
    n_elements: number;
    n_bytes: number;
    values_f32_hex: string;
  }[];
}

const expected = fixtureJson<{ versions: { gguf: string }; files: Record<string, ExpectedFile> }>(
  "expected.json",
);

describe(`files written by gguf-py ${expected.versions.gguf}`, () => {
  it("cover v2 and v3, every value type, the five tensor types and a non-default alignment", () => {
    const files = Object.values(expected.files);
    expect(new Set(files.map((f) => f.version))).toEqual(new Set([2, 3]));
    expect(files.some((f) => f.alignment !== 32)).toBe(true);
    const types = new Set(files.flatMap((f) => f.metadata.map((m) => m.type)));
    const itemTypes = new Set(
      files.flatMap((f) => f.metadata.map((m) => ("item_type" in m ? m.item_type : ""))),
    );
    for (const t of ["uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool", "string"]) {
      expect(types.has(t as never) && itemTypes.has(t as never)).toBe(true);
    }
    for (const t of ["uint64", "int64", "float64"])
      expect(types.has(t as never) && itemTypes.has(t as never)).toBe(true);
    expect(itemTypes.has("array")).toBe(true);
    const tensorTypes = new Set(files.flatMap((f) => f.tensors.map((t) => t.type)));
    expect([...tensorTypes].sort()).toEqual(["BF16", "F16", "F32", "Q4_0", "Q8_0"]);
  });

  for (const [name, file] of Object.entries(expected.files)) {
    const bytes = fixtureBytes(name);

    it(`${name}: our reader sees gguf-py's header and metadata (${file.what})`, () => {
      const g = parseGguf(bytes, name);
      expect(bytes.byteLength).toBe(file.file_size);
      expect({
        version: g.header.version,
        alignment: g.header.alignment,
        dataStart: g.header.dataStart,
      }).toEqual({
        version: file.version,
        alignment: file.alignment,
        dataStart: file.data_offset,
      });
      expect([...g.metadata.keys()]).toEqual(file.metadata.map((m) => m.key));
      for (const m of file.metadata) expect(g.metadata.get(m.key), m.key).toEqual(toGgufValue(m));
    });

    it(`${name}: our reader sees gguf-py's tensors and their dequantized values, bit for bit`, () => {
      const g = parseGguf(bytes, name);
      expect(g.tensors.map((t) => t.name)).toEqual(file.tensors.map((t) => t.name));
      for (const t of file.tensors) {
        const info = g.info(t.name);
        expect(info).toEqual({
          name: t.name,
          type: t.type,
          ne: t.ne,
          shape: [...t.ne].reverse(),
          elementCount: t.n_elements,
          byteLength: t.n_bytes,
          offset: t.offset,
        });
        expect(hexOf(toFloat32(g.get(t.name))), t.name).toBe(hexOf(f32FromHex(t.values_f32_hex)));
      }
    });

    it(`${name}: our writer writes the same bytes from what we read`, () => {
      const g = parseGguf(bytes, name);
      const tensors = g.tensors.map((t) => ({ name: t.name, ...g.get(t.name) }));
      const ours = writeGguf({ metadata: g.metadata, tensors });
      // We always write version 3; gguf-py's v2 file is its v3 output with the version patched.
      const reference = bytes.slice();
      new DataView(reference.buffer).setUint32(4, 3, true);
      expect(Buffer.from(ours).equals(Buffer.from(reference))).toBe(true);
    });

    it(`${name}: the node reader reads the same tensors from disk`, () => {
      const path = fileURLToPath(new URL(name, FIXTURES));
      const reader = openGguf(path);
      try {
        const whole = parseGguf(new Uint8Array(readFileSync(path)), name);
        expect(reader.header).toEqual(whole.header);
        for (const t of reader.tensors) expect(reader.read(t.name)).toEqual(whole.get(t.name));
      } finally {
        reader.close();
      }
    });
  }
});
