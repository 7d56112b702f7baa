// Scalar conversions between the small float formats found in checkpoints and JS numbers.
//
// Widening (f16, bf16, fp8 -> f32) is exact bit for bit: subnormals, ±inf and NaN included.
// Narrowing (f32 -> f16 / bf16, for writing half-precision checkpoints) rounds to nearest, ties to
// even, as IEEE 754 and numpy's `astype` do. References: IEEE 754-2008 binary16; bfloat16 = the
// top 16 bits of binary32; "FP8 Formats for Deep Learning" (arXiv:2209.05433) for E4M3 (no inf,
// NaN = S.1111.111, max 448) and E5M2 (= the top byte of binary16); the OCP Microscaling spec for
// E8M0 (2^(e-127), 0xFF = NaN). Whole-tensor loops live in convert.ts.

// Scratch space to move bits between a float and an integer.
const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

function bitsToF32(bits: number): number {
  u32Scratch[0] = bits;
  return f32Scratch[0]!;
}

/** binary16 bits -> number. 0x3c00 -> 1, 0x0001 -> 2^-24, 0x7c00 -> Infinity. */
export function f16ToF32(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return bitsToF32(sign | 0x7f800000 | (mant << 13)); // inf or NaN (payload kept)
  if (exp === 0) {
    // Zero or subnormal: mant * 2^-24, exact in f32.
    const magnitude = mant * 2 ** -24;
    return sign ? -magnitude : magnitude;
  }
  // Normal: rebias the exponent from 15 to 127, widen the mantissa from 10 to 23 bits.
  return bitsToF32(sign | ((exp + 112) << 23) | (mant << 13));
}

/** bfloat16 bits -> number: bf16 is the top half of an f32, so this is a shift. */
export function bf16ToF32(b: number): number {
  return bitsToF32((b & 0xffff) << 16);
}

/** FP8 E4M3 (bias 7, no infinities, S.1111.111 = NaN, max 448) -> number. */
export function f8e4m3ToF32(byte: number): number {
  const sign = byte & 0x80 ? -1 : 1;
  const exp = (byte >> 3) & 0xf;
  const mant = byte & 0x7;
  if (exp === 0xf && mant === 0x7) return Number.NaN;
  if (exp === 0) return sign * mant * 2 ** -9; // subnormal: (mant / 8) * 2^(1 - 7)
  return sign * (1 + mant / 8) * 2 ** (exp - 7);
}

/** FP8 E5M2 (bias 15, IEEE-style inf/NaN) -> number: the top byte of a binary16. */
export function f8e5m2ToF32(byte: number): number {
  return f16ToF32((byte & 0xff) << 8);
}

/** FP8 E8M0 (exponent only, bias 127, 0xFF = NaN) -> number. */
export function f8e8m0ToF32(byte: number): number {
  return byte === 0xff ? Number.NaN : 2 ** (byte - 127);
}

/** number -> binary16 bits, rounding to nearest even; overflow -> ±inf, NaN stays NaN. */
export function f32ToF16(x: number): number {
  f32Scratch[0] = x;
  const u = u32Scratch[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  const mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0); // quiet NaN / inf
  const halfExp = exp - 112; // rebias 127 -> 15
  if (halfExp >= 0x1f) return sign | 0x7c00; // too large: inf
  if (halfExp <= 0) {
    // Subnormal (or zero) in f16: value = m * 2^(exp - 150), unit 2^-24 -> shift right by 14 - halfExp.
    if (halfExp < -10) return sign; // below half the smallest subnormal: rounds to zero
    const m = mant | 0x800000;
    const shift = 14 - halfExp;
    let half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half; // a carry out of the mantissa lands in the exponent: still correct
  }
  let half = (halfExp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++; // may carry up to inf: correct
  return sign | half;
}

/** number -> bfloat16 bits, rounding to nearest even; NaN stays a (quiet) NaN. */
export function f32ToBf16(x: number): number {
  f32Scratch[0] = x;
  const u = u32Scratch[0]!;
  if ((u & 0x7f800000) === 0x7f800000 && u & 0x7fffff) return (u >>> 16) | 0x40;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}
