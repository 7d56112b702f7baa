// The byte format itself: files assembled by hand from the spec read correctly, and the files we
// write are byte-identical to what the reference Rust writer produces (pinned examples).
import { describe, expect, it } from "vitest";
import {
  createTensor,
  fromNumbers,
  parseSafetensors,
  serializeSafetensors,
  toFloat32,
  toInt32,
} from "../src/index.ts";
import { ascii, assemble, f32Bytes } from "./assemble.ts";

describe("reading files assembled by hand", () => {
  it("reads the Rust crate's documentation example (I32 [2, 2] of zeros)", () => {
    const file = parseSafetensors(
      assemble('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}', new Array(16).fill(0)),
    );
    expect(file.tensors.map((t) => t.name)).toEqual(["test"]);
    const t = file.get("test");
    expect(t.dtype).toBe("I32");
    expect(t.shape).toEqual([2, 2]);
    expect([...toInt32(t)]).toEqual([0, 0, 0, 0]);
    expect(file.metadata).toBeUndefined();
  });

  it("reads a 0-d scalar (shape []) as one element", () => {
    const file = parseSafetensors(
      assemble('{"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}', f32Bytes([2.5])),
    );
    expect(file.get("s").shape).toEqual([]);
    expect([...toFloat32(file.get("s"))]).toEqual([2.5]);
  });

  it("finds tensors by offset whatever their order in the header, and ignores unknown fields", () => {
    const header =
      '{ "b": {"data_offsets": [8, 12], "shape": [1], "dtype": "F32", "extra": {"x": [1]}},\n' +
      '  "__metadata__": {"format": "pt", "note": "caf\\u00e9 \\"quoted\\""},\n' +
      '  "a\\u00e9": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]} }    ';
    const file = parseSafetensors(assemble(header, f32Bytes([1, 2, 3])));
    expect(file.tensors.map((t) => t.name)).toEqual(["aé", "b"]);
    expect([...toFloat32(file.get("aé"))]).toEqual([1, 2]);
    expect([...toFloat32(file.get("b"))]).toEqual([3]);
    expect(file.metadata).toEqual({ format: "pt", note: 'café "quoted"' });
  });

  it("gives tensor data as views into the given bytes, not copies", () => {
    const bytes = assemble('{"x":{"dtype":"U8","shape":[3],"data_offsets":[0,3]}}', [7, 8, 9]);
    const t = parseSafetensors(bytes).get("x");
    expect(t.data.buffer).toBe(bytes.buffer);
    expect([...t.data]).toEqual([7, 8, 9]);
  });

  it("accepts zero-length tensors sharing an offset", () => {
    const header =
      '{"e1":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"e2":{"dtype":"I64","shape":[3,0],"data_offsets":[0,0]},' +
      '"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
    const file = parseSafetensors(assemble(header, [42]));
    expect(file.get("e2").data.byteLength).toBe(0);
    expect(file.get("x").data[0]).toBe(42);
  });
});

describe("writing byte-identical files", () => {
  it("matches the Rust crate's test_serialization bytes (F32 [1, 2, 3] named attn.0)", () => {
    // Copied from huggingface/safetensors safetensors/src/tensor.rs, `fn test_serialization`.
    const expected = [
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101,
      34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34,
      100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0,
      0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ];
    const t = createTensor("F32", [1, 2, 3], new Float32Array([0, 1, 2, 3, 4, 5]));
    expect([...serializeSafetensors({ "attn.0": t })]).toEqual(expected);
  });

  it("pads the header with spaces like the Rust crate's forced-alignment test (attn0, 7 spaces)", () => {
    const t = createTensor("F32", [1, 1, 2, 3], new Float32Array([0, 1, 2, 3, 4, 5]));
    const out = serializeSafetensors({ attn0: t });
    const json = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}'; // 65 bytes
    expect([...out]).toEqual([
      72,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      ...ascii(json),
      ...ascii("       "),
      ...f32Bytes([0, 1, 2, 3, 4, 5]),
    ]);
  });

  it("matches the Rust crate's test_empty bytes, with and without metadata", () => {
    expect([...serializeSafetensors({})]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect([...serializeSafetensors({}, { framework: "pt" })]).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95, 95, 34, 58, 123, 34,
      102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112, 116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
  });

  it("orders tensors by dtype (widest first, the crate's enum order) then name, metadata first", () => {
    const out = serializeSafetensors(
      {
        b: createTensor("U8", [3], new Uint8Array([1, 2, 3])),
        c: createTensor("F16", [2], new Uint16Array([0x3c00, 0xc000])),
        a: fromNumbers("I64", [1], [5]),
        e: createTensor("F32", [0], new Float32Array(0)),
        d: createTensor("BF16", [], new Uint16Array([0x3f80])),
      },
      { format: "pt" },
    );
    const json =
      '{"__metadata__":{"format":"pt"},' +
      '"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},' +
      '"e":{"dtype":"F32","shape":[0],"data_offsets":[8,8]},' +
      '"d":{"dtype":"BF16","shape":[],"data_offsets":[8,10]},' +
      '"c":{"dtype":"F16","shape":[2],"data_offsets":[10,14]},' +
      '"b":{"dtype":"U8","shape":[3],"data_offsets":[14,17]}}';
    expect(json.length).toBe(301); // 301 -> padded to 304 = 0x130 with 3 spaces
    const data = [5, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x3f, 0x00, 0x3c, 0x00, 0xc0, 1, 2, 3];
    expect([...out]).toEqual([0x30, 0x01, 0, 0, 0, 0, 0, 0, ...ascii(json), ...ascii("   "), ...data]);
  });

  it("sorts names by code point like Rust's byte order, not by UTF-16 unit", () => {
    const one = () => createTensor("U8", [1], new Uint8Array([0]));
    // UTF-16 puts "\u{1F600}" (surrogates 0xD83D...) before "\uFFFD"; code points put it after.
    const out = serializeSafetensors({
      "\u{1F600}": one(),
      "\uFFFD": one(),
      b9: one(),
      b10: one(),
      B: one(),
    });
    const names = parseSafetensors(out).tensors.map((t) => t.name);
    expect(names).toEqual(["B", "b10", "b9", "\uFFFD", "\u{1F600}"]);
  });

  it("escapes names and metadata like serde_json and writes non-ASCII as UTF-8", () => {
    const out = serializeSafetensors(
      { 'q"\\\n\u0001é': createTensor("U8", [0], new Uint8Array(0)) },
      { k: "\t" },
    );
    const json = new TextDecoder().decode(out.subarray(8)).trimEnd();
    expect(json).toBe(
      '{"__metadata__":{"k":"\\t"},"q\\"\\\\\\n\\u0001é":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}',
    );
  });

  it("writes back a file it read byte for byte", () => {
    const original = serializeSafetensors(
      {
        "h.0.w": createTensor("F32", [2, 2], new Float32Array([1, 2, 3, 4])),
        ids: fromNumbers("I64", [1, 3], [50256, 1, 2]),
        mask: createTensor("BOOL", [3], new Uint8Array([1, 0, 1])),
      },
      { format: "pt", z: "last", a: "first" },
    );
    const file = parseSafetensors(original);
    const tensors = Object.fromEntries(file.tensors.map((t) => [t.name, file.get(t.name)]));
    expect(serializeSafetensors(tensors, file.metadata)).toEqual(original);
  });
});
