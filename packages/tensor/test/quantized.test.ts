// Quantized weights: the block decoding against gguf-py (llama.cpp's own Python package, whose
// `gguf.quants.dequantize` pinned its floats in fixtures/gguf/quants.json), and the ops on a
// quantized matrix against the same ops on its dequantized floats.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  dequantizeBlock,
  dequantizeRow,
  embeddingQuantized,
  halfToFloat,
  intTensor,
  matmul,
  matmulQuantized,
  QUANT_BLOCK_BYTES,
  QuantizedMatrix,
  type QuantType,
  Rng,
  randn,
  ShapeError,
  Tensor,
} from "../src/index.ts";
import { gradcheck } from "./gradcheck.ts";

const quants = JSON.parse(
  readFileSync(new URL("../../../fixtures/gguf/quants.json", import.meta.url), "utf8"),
) as { cases: { type: string; name: string; bytes_hex: string; dequantized_f32_hex: string }[] };
const bytesOf = (hex: string) => new Uint8Array(Buffer.from(hex, "hex"));

/** A [rows, cols] matrix of random blocks: scales around 2^-6, quants anywhere in their range. */
function randomQuantized(type: QuantType, rows: number, cols: number, seed: number): QuantizedMatrix {
  const rng = new Rng(seed);
  const blockBytes = QUANT_BLOCK_BYTES[type];
  const data = new Uint8Array(rows * (cols / 32) * blockBytes);
  for (let at = 0; at < data.length; at += blockBytes) {
    const half = ((14 - rng.nextInt(4)) << 10) | rng.nextInt(1024) | (rng.nextInt(2) << 15); // ±2^-1 .. 2^-4
    data[at] = half & 0xff;
    data[at + 1] = half >> 8;
    for (let j = 2; j < blockBytes; j++)
      data[at + j] = type === "Q8_0" ? rng.nextInt(255) + 129 : rng.nextInt(256);
  }
  return new QuantizedMatrix(type, [rows, cols], data);
}

/** W [N, K] as a float32 tensor, row by row through dequantizeRow. */
function dequantizedTensor(w: QuantizedMatrix): Tensor {
  const out = new Float32Array(w.rows * w.cols);
  for (let n = 0; n < w.rows; n++) dequantizeRow(w, n, out.subarray(n * w.cols, (n + 1) * w.cols));
  return Tensor.fromArray(out, [w.rows, w.cols]);
}

describe("decoding ggml blocks", () => {
  const cases = quants.cases.filter((c) => c.type === "Q8_0" || c.type === "Q4_0");

  it("covers Q8_0 and Q4_0 cases pinned by gguf-py", () => {
    expect(cases.filter((c) => c.type === "Q8_0").length).toBeGreaterThan(5);
    expect(cases.filter((c) => c.type === "Q4_0").length).toBeGreaterThan(5);
  });

  for (const c of cases) {
    it(`gives gguf.quants.dequantize's floats bit for bit: ${c.type} ${c.name}`, () => {
      const bytes = bytesOf(c.bytes_hex);
      const expected = new Float32Array(bytesOf(c.dequantized_f32_hex).buffer);
      const w = new QuantizedMatrix(c.type as QuantType, [1, expected.length], bytes);
      const got = new Float32Array(expected.length);
      dequantizeRow(w, 0, got);
      expect(Buffer.from(got.buffer).toString("hex")).toBe(c.dequantized_f32_hex);
    });
  }

  it("reads f16 scales: normals, subnormals, signs and infinities", () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  it("puts element j in the low nibble of byte j and element j + 16 in the high nibble (Q4_0)", () => {
    const data = new Uint8Array(18);
    data.set([0x00, 0x3c]); // d = 1
    data[2] = 0xf0; // byte 0: low nibble 0 -> element 0 = -8; high nibble 15 -> element 16 = 7
    const out = new Float32Array(32);
    dequantizeBlock(new QuantizedMatrix("Q4_0", [1, 32], data), 0, out);
    expect([out[0], out[16], out[1]]).toEqual([-8, 7, -8]);
  });
});

describe("QuantizedMatrix", () => {
  it("refuses rows that are not whole blocks, and data of the wrong length", () => {
    expect(() => new QuantizedMatrix("Q8_0", [2, 48], new Uint8Array(0))).toThrow(ShapeError);
    expect(() => new QuantizedMatrix("Q4_0", [2, 64], new Uint8Array(70))).toThrow(
      "Q4_0 [2, 64] takes 72 bytes, got 70",
    );
  });
});

describe("matmulQuantized on the reference backend", () => {
  for (const type of ["Q8_0", "Q4_0"] as const) {
    it(`equals matmul with the dequantized ${type} matrix`, () => {
      const w = randomQuantized(type, 7, 96, 1);
      const x = randn([2, 3, 96], new Rng(2)); // [B, T, K]
      const got = matmulQuantized(x, w).dataSync();
      const want = matmul(x, dequantizedTensor(w).transpose(0, 1)).dataSync(); // [2, 3, 7]
      expect(got.length).toBe(2 * 3 * 7);
      for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
    });
  }

  it("passes the gradient to x as g @ W (finite differences in float64)", () => {
    const w = randomQuantized("Q4_0", 3, 32, 3);
    gradcheck((x) => matmulQuantized(x, w), [randn([2, 32], new Rng(4), 1, "float64")]);
  });

  it("names both shapes when the inner dimensions differ", () => {
    expect(() => matmulQuantized(randn([2, 64], new Rng(1)), randomQuantized("Q8_0", 4, 32, 1))).toThrow(
      "matmulQuantized: x [2, 64] @ Q8_0 [4, 32]ᵀ: inner dimensions differ",
    );
  });
});

describe("embeddingQuantized", () => {
  it("returns the decoded rows of the ids, in the ids' shape", () => {
    const w = randomQuantized("Q8_0", 5, 64, 5);
    const rows = embeddingQuantized(
      w,
      intTensor([
        [4, 0],
        [2, 4],
      ]),
    ); // [2, 2, 64]
    expect(rows.shape).toEqual([2, 2, 64]);
    const table = dequantizedTensor(w).dataSync();
    expect(Array.from(rows.dataSync().subarray(0, 64))).toEqual(Array.from(table.subarray(4 * 64, 5 * 64)));
    expect(Array.from(rows.dataSync().subarray(128, 192))).toEqual(
      Array.from(table.subarray(2 * 64, 3 * 64)),
    );
  });

  it("refuses an id outside the table", () => {
    expect(() => embeddingQuantized(randomQuantized("Q4_0", 3, 32, 1), intTensor([[3]]))).toThrow(
      "embeddingQuantized: id 3 at position 0 is out of range for 3 rows",
    );
  });
});
