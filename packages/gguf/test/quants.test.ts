// The block formats by hand: the worked examples in the headers of q8_0.ts and q4_0.ts, where
// each nibble goes, the error every block stays within, and the inputs quantize refuses.
// (Byte-for-byte agreement with gguf-py is python-quants.test.ts.)
import { describe, expect, it } from "vitest";
import {
  dequantize,
  dequantizeQ4_0,
  dequantizeQ8_0,
  GgufError,
  quantize,
  quantizeQ4_0,
  quantizeQ8_0,
} from "../src/index.ts";

/** 32 values: the given ones, then zeros. */
function block(...values: number[]): Float32Array {
  const x = new Float32Array(32);
  x.set(values);
  return x;
}

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("Q8_0", () => {
  it("follows the worked example: amax 2.54 gives d = 0.02, 1.0 -> 50, -0.011 -> -1", () => {
    const bytes = quantizeQ8_0(block(2.54, 1.0, -0.011));
    expect(bytes.byteLength).toBe(34);
    const d = new DataView(bytes.buffer).getUint16(0, true);
    expect(d).toBe(0x251f); // 0.02 as f16 (0.0200042724609375)
    expect([...new Int8Array(bytes.buffer, 2, 3)]).toEqual([127, 50, -1]);
    const back = dequantizeQ8_0(bytes);
    expect(back[1]).toBeCloseTo(1.0, 3);
    expect(back[2]).toBeCloseTo(-0.02, 4);
  });

  it("stays within half a step (plus the f16 rounding of d) on random blocks", () => {
    const random = prng(1);
    const x = Float32Array.from({ length: 32 * 64 }, () => (random() - 0.5) * 10 ** (4 * random() - 2));
    const back = dequantize(quantize(x, "Q8_0"), "Q8_0");
    for (let b = 0; b < 64; b++) {
      const block = x.subarray(32 * b, 32 * b + 32);
      const d = Math.max(...block.map(Math.abs)) / 127;
      for (let j = 0; j < 32; j++)
        expect(Math.abs(back[32 * b + j]! - block[j]!)).toBeLessThanOrEqual(0.57 * d);
    }
  });
});

describe("Q4_0", () => {
  it("follows the worked example: max -4 gives d = 0.5, -4 -> 0, 1.2 -> 10, 3.9 -> 15", () => {
    const bytes = quantizeQ4_0(block(-4.0, 1.2, 3.9));
    expect(bytes.byteLength).toBe(18);
    expect(new DataView(bytes.buffer).getUint16(0, true)).toBe(0x3800); // 0.5
    // Low nibbles are elements 0..15; elements 16..31 are zeros, code 8, in the high nibbles.
    expect([...bytes.subarray(2, 5)]).toEqual([0x80, 0x8a, 0x8f]);
    expect([...dequantizeQ4_0(bytes).subarray(0, 3)]).toEqual([-4, 1, 3.5]);
  });

  it("puts element j in the low nibble of byte j and element j + 16 in the high nibble", () => {
    // d = max / -8 = 1 with max = -8: codes are x + 8 (x + 8.5 truncated).
    const x = Float32Array.from({ length: 32 }, (_, i) => (i < 16 ? -8 + (i % 16) : 7 - (i % 16) / 2));
    x[0] = -8;
    const bytes = quantizeQ4_0(x);
    for (let j = 0; j < 16; j++) {
      expect(bytes[2 + j]! & 0x0f).toBe(Math.trunc(x[j]! + 8.5));
      expect(bytes[2 + j]! >> 4).toBe(Math.min(15, Math.trunc(x[j + 16]! + 8.5)));
    }
  });

  it("uses the full range on the side of the largest magnitude: -8 * d exactly", () => {
    const pos = dequantizeQ4_0(quantizeQ4_0(block(6, -2)));
    expect(pos[0]).toBe(6); // max 6: d = -0.75, code 0 -> (0 - 8) * -0.75
    const neg = dequantizeQ4_0(quantizeQ4_0(block(-6, 2)));
    expect(neg[0]).toBe(-6);
  });

  it("stays within one step (the clamp at code 15) on random blocks", () => {
    const random = prng(2);
    const x = Float32Array.from({ length: 32 * 64 }, () => (random() - 0.5) * 10 ** (4 * random() - 2));
    const back = dequantize(quantize(x, "Q4_0"), "Q4_0");
    for (let b = 0; b < 64; b++) {
      const block = x.subarray(32 * b, 32 * b + 32);
      const d = Math.max(...block.map(Math.abs)) / 8;
      for (let j = 0; j < 32; j++)
        expect(Math.abs(back[32 * b + j]! - block[j]!)).toBeLessThanOrEqual(1.01 * d);
    }
  });
});

describe("inputs quantize refuses", () => {
  const cases: [string, () => unknown, string][] = [
    [
      "a length that is not whole blocks",
      () => quantize(new Float32Array(33), "Q8_0"),
      "gguf: Q8_0 quantizes blocks of 32 values; got 33 values",
    ],
    ["NaN", () => quantize(block(1, Number.NaN), "Q4_0"), "gguf: Q4_0 cannot quantize NaN (value 1)"],
    [
      "infinity",
      () => quantize(block(Number.POSITIVE_INFINITY), "Q8_0"),
      "gguf: Q8_0 cannot quantize Infinity (value 0)",
    ],
    [
      "values whose scale overflows f16",
      () => quantize(new Float32Array([...new Float32Array(32), ...block(1e7)]), "Q8_0"),
      "gguf: Q8_0 block 1 needs a scale of 78740.15625, beyond the f16 maximum 65504: its values are too large",
    ],
    [
      "an unknown type",
      () => quantize(block(), "Q4_K" as never),
      'gguf: cannot convert to or from type "Q4_K" (known: F32, F16, BF16, Q8_0, Q4_0)',
    ],
    [
      "bytes that are not whole blocks",
      () => dequantize(new Uint8Array(35), "Q8_0"),
      "gguf: Q8_0 data is 35 bytes, not a whole number of 34-byte blocks",
    ],
    [
      "odd F16 bytes",
      () => dequantize(new Uint8Array(3), "F16"),
      "gguf: F16 data is 3 bytes, not a multiple of 2",
    ],
  ];
  for (const [what, run, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(run).toThrow(GgufError);
      expect(run).toThrow(message);
    });
  }
});
