// Our quantize / dequantize against gguf-py's `gguf.quants.quantize` / `dequantize` (llama.cpp's
// Python package, bit-exact with ggml-quants.c for Q8_0 and Q4_0), pinned in
// fixtures/gguf/quants.json by generate.py: for every input, the same bytes, and from those
// bytes the same floats, bit for bit. The inputs hit the edges of the block formats: zero
// blocks, ties at .5, the largest magnitude negative or shared by both signs, f16-subnormal
// scales, scales that underflow f16 or whose f32 reciprocal overflows; and random blocks. For F16
// and BF16, 256 random pairs of neighbours each: the f32 value exactly between them (a tie,
// which rounds to the even one) and the f32 values one step either side — the conversions are
// @llmts/safetensors' f32ToF16 / f32ToBf16, so this checks them against numpy and ggml too.
import { describe, expect, it } from "vitest";
import { dequantize, type GgufTensorType, quantize } from "../src/index.ts";
import { f32FromHex, fixtureJson, hexBytes, hexOf } from "./expected.ts";

interface QuantCase {
  type: GgufTensorType;
  name: string;
  input_f32_hex: string;
  bytes_hex: string;
  dequantized_f32_hex: string;
}

const pinned = fixtureJson<{ versions: { gguf: string }; cases: QuantCase[] }>("quants.json");

describe(`quantization against gguf-py ${pinned.versions.gguf}`, () => {
  it("covers every type with its edge cases", () => {
    const names = (type: string) => pinned.cases.filter((c) => c.type === type).map((c) => c.name);
    expect(names("Q8_0")).toContain("ties at .5 round away from zero (d = 1)");
    expect(names("Q8_0")).toContain("f32 subnormal scale whose reciprocal overflows");
    expect(names("Q4_0")).toContain("largest magnitude negative: d = -max/8 > 0");
    expect(names("Q4_0")).toContain("equal magnitudes, negative first: the first wins");
    expect(names("Q4_0")).toContain("subnormal f16 scale");
    expect(names("F16")).toEqual(["edges", "ties between f16 neighbours, and one f32 step either side"]);
    expect(names("BF16")).toEqual(["edges", "ties between bf16 neighbours, and one f32 step either side"]);
  });

  for (const c of pinned.cases) {
    it(`${c.type} ${c.name}: the same bytes as gguf.quants.quantize`, () => {
      expect(hexOf(quantize(f32FromHex(c.input_f32_hex), c.type))).toBe(c.bytes_hex);
    });

    it(`${c.type} ${c.name}: the same floats as gguf.quants.dequantize`, () => {
      expect(hexOf(dequantize(hexBytes(c.bytes_hex), c.type))).toBe(hexOf(f32FromHex(c.dequantized_f32_hex)));
    });
  }
});
