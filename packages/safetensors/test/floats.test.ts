// Scalar float conversions checked against known bit patterns and against values computed
// independently with Math.pow / DataView, never against the package's own output.
import { describe, expect, it } from "vitest";
import {
  bf16ToF32,
  f8e4m3ToF32,
  f8e5m2ToF32,
  f8e8m0ToF32,
  f16ToF32,
  f32ToBf16,
  f32ToF16,
} from "../src/index.ts";

/** The f32 whose bits are `bits`, via DataView. */
function f32FromBits(bits: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setUint32(0, bits >>> 0);
  return dv.getFloat32(0);
}
function f32Bits(x: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, x);
  return dv.getUint32(0);
}

/** binary16 from the IEEE definition: (-1)^s * 2^(e-15) * (1 + m/1024), subnormal 2^-14 * m/1024. */
function f16Definition(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 31;
  const m = h & 1023;
  if (e === 31) return m ? Number.NaN : s * Number.POSITIVE_INFINITY;
  if (e === 0) return s * 2 ** -14 * (m / 1024);
  return s * 2 ** (e - 15) * (1 + m / 1024);
}

describe("f16 -> f32", () => {
  it("decodes the textbook bit patterns", () => {
    expect(f16ToF32(0x3c00)).toBe(1);
    expect(f16ToF32(0xc000)).toBe(-2);
    expect(f16ToF32(0x7bff)).toBe(65504); // largest finite
    expect(f16ToF32(0x0001)).toBe(2 ** -24); // smallest subnormal
    expect(f16ToF32(0x03ff)).toBe(2 ** -14 - 2 ** -24); // largest subnormal
    expect(f16ToF32(0x0400)).toBe(2 ** -14); // smallest normal
    expect(f16ToF32(0x3555)).toBe(0.333251953125);
    expect(f16ToF32(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(f16ToF32(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
    expect(f16ToF32(0x7e00)).toBeNaN();
    expect(Object.is(f16ToF32(0x8000), -0)).toBe(true);
  });

  it("agrees with the IEEE definition on all 65536 patterns", () => {
    for (let h = 0; h < 65536; h++) {
      const want = f16Definition(h);
      const got = f16ToF32(h);
      if (Number.isNaN(want)) expect(got).toBeNaN();
      else if (got !== want || Object.is(got, -0) !== Object.is(want, -0))
        expect([h, got]).toEqual([h, want]);
    }
  });

  it("keeps NaN payload bits", () => {
    expect(f32Bits(f16ToF32(0x7e01))).toBe(0x7fc02000);
  });
});

describe("bf16 -> f32", () => {
  it("is the top half of the f32 bits", () => {
    expect(bf16ToF32(0x3f80)).toBe(1);
    expect(bf16ToF32(0x4049)).toBe(f32FromBits(0x40490000)); // 3.140625
    expect(bf16ToF32(0x0001)).toBe(2 ** -133); // smallest subnormal
    expect(bf16ToF32(0x7f80)).toBe(Number.POSITIVE_INFINITY);
    expect(bf16ToF32(0xff80)).toBe(Number.NEGATIVE_INFINITY);
    expect(bf16ToF32(0x7fc0)).toBeNaN();
  });
});

describe("fp8 -> f32", () => {
  it("decodes E4M3: bias 7, max 448, no infinity, S.1111.111 is NaN", () => {
    expect(f8e4m3ToF32(0x38)).toBe(1); // 0.0111.000
    expect(f8e4m3ToF32(0x7e)).toBe(448); // 0.1111.110
    expect(f8e4m3ToF32(0x78)).toBe(256); // 0.1111.000 is a number, not infinity
    expect(f8e4m3ToF32(0x01)).toBe(2 ** -9); // smallest subnormal
    expect(f8e4m3ToF32(0x08)).toBe(2 ** -6); // smallest normal
    expect(f8e4m3ToF32(0xb8)).toBe(-1);
    expect(f8e4m3ToF32(0x7f)).toBeNaN();
    expect(f8e4m3ToF32(0xff)).toBeNaN();
  });

  it("decodes E5M2: bias 15, max 57344, IEEE infinities and NaN", () => {
    expect(f8e5m2ToF32(0x3c)).toBe(1);
    expect(f8e5m2ToF32(0x7b)).toBe(57344);
    expect(f8e5m2ToF32(0x01)).toBe(2 ** -16);
    expect(f8e5m2ToF32(0x7c)).toBe(Number.POSITIVE_INFINITY);
    expect(f8e5m2ToF32(0xfc)).toBe(Number.NEGATIVE_INFINITY);
    expect(f8e5m2ToF32(0x7d)).toBeNaN();
  });

  it("decodes E8M0 as a power of two with 0xFF as NaN", () => {
    expect(f8e8m0ToF32(127)).toBe(1);
    expect(f8e8m0ToF32(0)).toBe(2 ** -127);
    expect(f8e8m0ToF32(254)).toBe(2 ** 127);
    expect(f8e8m0ToF32(0xff)).toBeNaN();
  });
});

describe("f32 -> f16 rounds to nearest even", () => {
  it("maps exactly representable values to their bits", () => {
    expect(f32ToF16(1)).toBe(0x3c00);
    expect(f32ToF16(-2)).toBe(0xc000);
    expect(f32ToF16(65504)).toBe(0x7bff);
    expect(f32ToF16(2 ** -24)).toBe(0x0001);
    expect(f32ToF16(2 ** -14)).toBe(0x0400);
    expect(f32ToF16(-0)).toBe(0x8000);
    expect(f32ToF16(Number.POSITIVE_INFINITY)).toBe(0x7c00);
    expect(f16ToF32(f32ToF16(Number.NaN))).toBeNaN();
  });

  it("breaks ties toward the even mantissa", () => {
    const ulp = 2 ** -10; // spacing of f16 values in [1, 2)
    expect(f32ToF16(1 + ulp / 2)).toBe(0x3c00); // tie: 1.0 is even
    expect(f32ToF16(1 + ulp + ulp / 2)).toBe(0x3c02); // tie: rounds up to the even 1 + 2 ulp
    expect(f32ToF16(1 + ulp / 2 + 2 ** -20)).toBe(0x3c01); // above the tie
    expect(f32ToF16(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal
    expect(f32ToF16(2 ** -25 + 2 ** -35)).toBe(0x0001);
    expect(f32ToF16(3 * 2 ** -25)).toBe(0x0002); // tie between subnormals 1 and 2
    expect(f32ToF16(65520)).toBe(0x7c00); // halfway to 65536 rounds to even = inf
    expect(f32ToF16(65519)).toBe(0x7bff);
  });

  it("round-trips every finite f16 value", () => {
    const wrong: number[] = [];
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7c00) !== 0x7c00 && f32ToF16(f16Definition(h)) !== h) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });
});

describe("f32 -> bf16 rounds to nearest even", () => {
  it("rounds on the low 16 bits", () => {
    expect(f32ToBf16(1)).toBe(0x3f80);
    expect(f32ToBf16(f32FromBits(0x3f808000))).toBe(0x3f80); // tie, even stays
    expect(f32ToBf16(f32FromBits(0x3f818000))).toBe(0x3f82); // tie, odd rounds up
    expect(f32ToBf16(f32FromBits(0x3f808001))).toBe(0x3f81);
    expect(f32ToBf16(f32FromBits(0x7f7fffff))).toBe(0x7f80); // max f32 rounds to inf
    expect(bf16ToF32(f32ToBf16(Number.NaN))).toBeNaN();
  });
});
