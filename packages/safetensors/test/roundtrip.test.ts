// Write -> read round trips for every dtype (including empty tensors and 0-d scalars), through
// memory and through files, and the typed-array conversions at both ends.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  createTensor,
  DTYPES,
  dtypeSize,
  fromFloat32,
  fromNumbers,
  parseSafetensors,
  SafetensorsError,
  serializeSafetensors,
  type Tensor,
  toBigInt64,
  toFloat32,
  toFloat64,
  toInt32,
} from "../src/index.ts";
import { openSafetensors, readSafetensorsFile, writeSafetensors } from "../src/node/index.ts";

/** A tensor of `dtype` whose bytes are 0, 1, 2, ... (any bytes are a valid value of any dtype). */
function patterned(dtype: (typeof DTYPES)[number], shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const bytes = new Uint8Array(n * dtypeSize(dtype)).map((_, i) => (i * 37 + 11) & 0xff);
  return createTensor(dtype, shape, bytes);
}

const SHAPES = [[2, 3], [0], [4, 0, 2], []];

const dir = mkdtempSync(join(tmpdir(), "llmts-safetensors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("round trips", () => {
  it.each(DTYPES)(
    "keeps a %s tensor's dtype, shape and bytes for shapes [2,3], [0], [4,0,2] and []",
    (dtype) => {
      const tensors = Object.fromEntries(SHAPES.map((shape, i) => [`t${i}`, patterned(dtype, shape)]));
      const bytes = serializeSafetensors(tensors, { dtype });
      const file = parseSafetensors(bytes);
      expect(file.metadata).toEqual({ dtype });
      for (const [name, t] of Object.entries(tensors)) {
        const back = file.get(name);
        expect(back.dtype).toBe(dtype);
        expect(back.shape).toEqual(t.shape);
        expect([...back.data]).toEqual([...t.data]);
      }
    },
  );

  it("writes files atomically and reads them back lazily, tensor by tensor", () => {
    const path = join(dir, "model.safetensors");
    const w = fromFloat32(new Float32Array([1.5, -2, 3.25, 0]), [2, 2]);
    const ids = fromNumbers("I64", [1, 3], [50256, 0, 42]);
    writeSafetensors(path, { "h.0.w": w, input_ids: ids }, { format: "pt" });
    expect(readdirSync(dir)).toEqual(["model.safetensors"]); // no temp file left behind

    const reader = openSafetensors(path);
    try {
      expect(reader.tensors.map((t) => t.name)).toEqual(["input_ids", "h.0.w"]); // I64 sorts first
      expect(reader.metadata).toEqual({ format: "pt" });
      const back = reader.read("h.0.w");
      expect(back.data.byteOffset).toBe(0); // its own buffer, so the f32 view below is free
      expect(toFloat32(back).buffer).toBe(back.data.buffer);
      expect([...toFloat32(back)]).toEqual([1.5, -2, 3.25, 0]);
      expect([...toInt32(reader.read("input_ids"))]).toEqual([50256, 0, 42]);
      expect([...toBigInt64(reader.read("input_ids"))]).toEqual([50256n, 0n, 42n]);
    } finally {
      reader.close();
    }
    expect(readFileSync(path)).toEqual(
      Buffer.from(serializeSafetensors({ input_ids: ids, "h.0.w": w }, { format: "pt" })),
    );
    expect(toFloat32(readSafetensorsFile(path).get("h.0.w"))[2]).toBe(3.25);
  });

  it("leaves the old file untouched when a write is refused", () => {
    const path = join(dir, "keep.safetensors");
    writeFileSync(path, "old");
    const bad = { dtype: "F32", shape: [2], data: new Uint8Array(4) } as Tensor;
    expect(() => writeSafetensors(path, { bad })).toThrow(
      'safetensors: tensor "bad" is F32 [2] (8 bytes) but has 4 bytes of data',
    );
    expect(readFileSync(path, "utf8")).toBe("old");
    expect(readdirSync(dir).filter((f) => f.includes("keep"))).toEqual(["keep.safetensors"]);
  });

  it("reports a missing file as the file system does, naming it", () => {
    expect(() => openSafetensors(join(dir, "nope.safetensors"))).toThrow(/ENOENT.*nope\.safetensors/);
    expect(existsSync(join(dir, "nope.safetensors"))).toBe(false);
  });
});

describe("conversions", () => {
  it("views aligned F32 data without copying and copies misaligned data", () => {
    const f32 = new Float32Array([1, 2, 3]);
    const aligned = toFloat32(createTensor("F32", [3], f32));
    expect(aligned.buffer).toBe(f32.buffer);
    const shifted = new Uint8Array(13);
    shifted.set(new Uint8Array(f32.buffer), 1);
    const misaligned = toFloat32(createTensor("F32", [3], shifted.subarray(1)));
    expect(misaligned.buffer).not.toBe(shifted.buffer);
    expect([...misaligned]).toEqual([1, 2, 3]);
  });

  it("widens F16, BF16 and F64 to f32 from known bit patterns", () => {
    const f16 = createTensor("F16", [4], new Uint16Array([0x3c00, 0x0001, 0x7c00, 0xc000]));
    expect([...toFloat32(f16)]).toEqual([1, 2 ** -24, Number.POSITIVE_INFINITY, -2]);
    const bf16 = createTensor("BF16", [2], new Uint16Array([0x3f80, 0xbfc0]));
    expect([...toFloat32(bf16)]).toEqual([1, -1.5]);
    expect([...toFloat32(createTensor("F64", [1], new Float64Array([0.1])))]).toEqual([Math.fround(0.1)]);
    expect([...toFloat64(createTensor("F64", [1], new Float64Array([0.1])))]).toEqual([0.1]);
  });

  it("narrows f32 to F16 and BF16 with round-to-nearest-even bits", () => {
    expect([
      ...new Uint16Array(fromFloat32(new Float32Array([1, 65504, 1e6]), [3], "F16").data.buffer),
    ]).toEqual([0x3c00, 0x7bff, 0x7c00]);
    expect([...new Uint16Array(fromFloat32(new Float32Array([1, -1.5]), [2], "BF16").data.buffer)]).toEqual([
      0x3f80, 0xbfc0,
    ]);
  });

  it("encodes integers little-endian and refuses values that do not fit", () => {
    const t = fromNumbers("I64", [2], [-2, 2 ** 40]);
    const dv = new DataView(t.data.buffer);
    expect([dv.getBigInt64(0, true), dv.getBigInt64(8, true)]).toEqual([-2n, 2n ** 40n]);
    expect(() => fromNumbers("I8", [1], [128])).toThrow(SafetensorsError);
    expect(() => fromNumbers("I32", [1], [1.5])).toThrow("value 1.5 at index 0 is not a whole number (I32)");
    expect(() => toInt32(t)).toThrow("I64 value 1099511627776 at index 1 does not fit in an Int32Array");
    expect(() => toInt32(createTensor("F32", [1], new Float32Array(1)))).toThrow("not an integer type");
  });
});
