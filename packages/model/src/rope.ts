// Rotary position embeddings (RoPE, Su et al. 2021, "RoFormer"), in Hugging Face's rotate-half
// convention: the head dimension is split into halves [x1, x2] and pair (x1[i], x2[i]) is rotated
// by the angle pos * invFreq[i]:
//
//   invFreq[i] = 1 / theta^(2i / headDim),               i = 0 .. headDim/2 - 1
//   cos[pos]   = cos(pos * [invFreq, invFreq])           [headDim]  (the halves repeat)
//   rope(x)    = x * cos + rotateHalf(x) * sin,  rotateHalf([x1, x2]) = [-x2, x1]
//              = x * cos + [x2, x1] * [-sin, sin]    (the sign kept in the table: one op fewer)
//
// (Meta's original code rotates interleaved pairs (x[2i], x[2i+1]); HF's conversion script permutes
// the q/k weights so the rotate-half form gives the same result on converted checkpoints.)
// The cos/sin tables are computed once per model, grown on demand, and every step in float32
// like transformers (LlamaRotaryEmbedding), so angles round the way the reference's do.
// rope_scaling "linear" divides invFreq by a factor; "llama3" divides only the low frequencies and
// blends in between (modeling_rope_utils._compute_llama3_parameters).
// Not here: dynamic NTK, YaRN, LongRoPE scaling (config.ts refuses them).

import { add, concat, mul, Tensor } from "@llmts/tensor";
import type { RopeScaling } from "./config.ts";

const f32 = Math.fround;

/** Inverse frequencies [headDim / 2], float32 as transformers computes them. */
export function ropeInverseFrequencies(
  headDim: number,
  theta: number,
  scaling: RopeScaling | null,
): Float32Array {
  const half = headDim / 2;
  const inv = new Float32Array(half);
  // 1 / theta ** (arange(0, dim, 2) / dim)  — in float32
  for (let i = 0; i < half; i++) inv[i] = f32(1 / f32(theta ** f32((2 * i) / headDim)));
  if (scaling === null) return inv;
  if (scaling.type === "linear") {
    for (let i = 0; i < half; i++) inv[i] = f32(inv[i]! / scaling.factor);
    return inv;
  }
  // llama3: wavelengths longer than the original context / lowFreqFactor are stretched by `factor`,
  // shorter than original / highFreqFactor are kept, and in between blended linearly in 1/wavelength.
  const { factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings: oldLen } = scaling;
  const lowFreqWavelen = oldLen / lowFreqFactor;
  const highFreqWavelen = oldLen / highFreqFactor;
  for (let i = 0; i < half; i++) {
    const freq = inv[i]!;
    const wavelen = f32((2 * Math.PI) / freq);
    if (wavelen < highFreqWavelen) continue;
    if (wavelen > lowFreqWavelen) {
      inv[i] = f32(freq / factor);
      continue;
    }
    const smooth = f32((f32(oldLen / wavelen) - lowFreqFactor) / (highFreqFactor - lowFreqFactor));
    inv[i] = f32(f32(f32(f32(1 - smooth) * freq) / factor) + f32(smooth * freq));
  }
  return inv;
}

/** Precomputed cos/sin tables for positions 0 .. length-1, each row [headDim]. */
export class RopeTables {
  readonly headDim: number;
  readonly maxPositions: number;
  private readonly invFreq: Float32Array;
  private cos = new Float32Array(0); // [length, headDim]
  private sin = new Float32Array(0); // [length, headDim], the first half negated: [-sin, sin]
  private length = 0;

  constructor(headDim: number, theta: number, scaling: RopeScaling | null, maxPositions: number) {
    this.headDim = headDim;
    this.maxPositions = maxPositions;
    this.invFreq = ropeInverseFrequencies(headDim, theta, scaling);
  }

  /** Makes sure positions < `positions` are in the tables, doubling them so growth is rare. */
  private ensure(positions: number): void {
    if (positions <= this.length) return;
    const length = Math.min(Math.max(positions, 2 * this.length, 64), Math.max(positions, this.maxPositions));
    const D = this.headDim;
    const half = D / 2;
    const cos = new Float32Array(length * D);
    const sin = new Float32Array(length * D);
    cos.set(this.cos);
    sin.set(this.sin);
    for (let p = this.length; p < length; p++) {
      for (let i = 0; i < half; i++) {
        const angle = f32(p * this.invFreq[i]!); // float32, like the reference's inv_freq @ positions
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        cos[p * D + i] = c;
        cos[p * D + half + i] = c;
        sin[p * D + i] = -s;
        sin[p * D + half + i] = s;
      }
    }
    this.cos = cos;
    this.sin = sin;
    this.length = length;
  }

  /** cos and signed sin for positions start .. start+T-1 as [T, headDim] views of the tables (no copy). */
  slice(start: number, T: number): { cos: Tensor; sin: Tensor } {
    this.ensure(start + T);
    const D = this.headDim;
    return {
      cos: new Tensor(this.cos, [T, D], [D, 1], start * D),
      sin: new Tensor(this.sin, [T, D], [D, 1], start * D),
    };
  }

  /**
   * cos and signed sin for rows at different positions (batched decoding): row b gets positions
   * start[b] .. start[b]+T-1, copied out as [B, 1, T, headDim] (broadcast over the heads).
   */
  rows(start: readonly number[], T: number): { cos: Tensor; sin: Tensor } {
    this.ensure(Math.max(...start) + T);
    const D = this.headDim;
    const [cos, sin] = [new Float32Array(start.length * T * D), new Float32Array(start.length * T * D)];
    start.forEach((s, b) => {
      cos.set(this.cos.subarray(s * D, (s + T) * D), b * T * D);
      sin.set(this.sin.subarray(s * D, (s + T) * D), b * T * D);
    });
    const shape = [start.length, 1, T, D];
    return { cos: new Tensor(cos, shape), sin: new Tensor(sin, shape) };
  }
}

/**
 * x: [B, H, T, headDim] at positions start .. start+T-1 -> rotated x, same shape. `start` is one
 * number for every row, or one per row ([B]) when the rows sit at different positions.
 * Built from differentiable tensor ops, so the same code serves training (the gradient of a
 * rotation is the opposite rotation, which autograd derives from mul and concat).
 */
export function applyRope(x: Tensor, tables: RopeTables, start: number | readonly number[]): Tensor {
  const T = x.shape[2]!;
  const half = tables.headDim / 2;
  const shared = typeof start === "number" ? start : start.every((s) => s === start[0]) ? start[0]! : null;
  // [T, headDim] (broadcast over B and H), or [B, 1, T, headDim] per row
  const { cos, sin } = shared === null ? tables.rows(start as readonly number[], T) : tables.slice(shared, T);
  const x1 = x.narrow(-1, 0, half); // [B, H, T, half]
  const x2 = x.narrow(-1, half, half);
  const swapped = concat([x2, x1], -1); // [x2, x1]: times [-sin, sin] it is rotateHalf(x) * sin
  return add(mul(x, cos), mul(swapped, sin));
}
