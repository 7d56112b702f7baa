// Rotary position embeddings (RoPE, Su et al. 2021, "RoFormer"), in Hugging Face's rotate-half
// convention: the rotated dims are split into halves [x1, x2] and pair (x1[i], x2[i]) is rotated
// by the angle pos * invFreq[i]:
//
//   invFreq[i] = 1 / theta^(2i / R),                      i = 0 .. R/2 - 1
//   cos[pos]   = cos(pos * [invFreq, invFreq])            [R]  (the halves repeat)
//   rope(x)    = x * cos + rotateHalf(x) * sin,  rotateHalf([x1, x2]) = [-x2, x1]
//
// R is the rotary dim: the whole head (Llama, Qwen, Gemma) or only its first dims (partial rotary:
// GPT-NeoX rotates 25% of each head, Phi-4-mini 75%); the other dims pass through unchanged.
// (Meta's original code rotates interleaved pairs (x[2i], x[2i+1]); HF's conversion script permutes
// the q/k weights so the rotate-half form gives the same result on converted checkpoints.)
// The cos/sin tables are computed once per model, grown on demand, and every step in float32
// like transformers (LlamaRotaryEmbedding), so angles round the way the reference's do.
// rope_scaling "linear" divides invFreq by a factor; "llama3" divides only the low frequencies and
// blends in between (modeling_rope_utils._compute_llama3_parameters). A table may also scale cos
// and sin by a constant (LongRoPE's attention factor: longrope.ts).
// Not here: dynamic NTK and YaRN (config-rope.ts refuses them), LongRoPE's choice between two sets
// of frequencies (longrope.ts).

import { add, concat, mul, neg, Tensor } from "@llmts/tensor";
import type { FrequencyScaling } from "./config-rope.ts";

const f32 = Math.fround;

/** Inverse frequencies [rotaryDim / 2], float32 as transformers computes them. */
export function ropeInverseFrequencies(
  rotaryDim: number,
  theta: number,
  scaling: FrequencyScaling | null,
): Float32Array {
  const half = rotaryDim / 2;
  const inv = new Float32Array(half);
  // 1 / theta ** (arange(0, dim, 2) / dim)  — in float32
  for (let i = 0; i < half; i++) inv[i] = f32(1 / f32(theta ** f32((2 * i) / rotaryDim)));
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

/** Precomputed cos/sin tables for positions 0 .. length-1, each row [rotaryDim]. */
export class RopeTables {
  /** The dims that rotate: the first rotaryDim of each head. */
  readonly rotaryDim: number;
  readonly maxPositions: number;
  private readonly invFreq: Float32Array;
  private readonly attentionFactor: number;
  private cos = new Float32Array(0); // [length, rotaryDim]
  private sin = new Float32Array(0); // [length, rotaryDim]
  private length = 0;

  /**
   * invFreq: [rotaryDim / 2] (ropeInverseFrequencies). attentionFactor multiplies cos and sin
   * (1 except under LongRoPE, where it scales every attention score by its square).
   */
  constructor(invFreq: Float32Array, maxPositions: number, attentionFactor = 1) {
    this.rotaryDim = 2 * invFreq.length;
    this.maxPositions = maxPositions;
    this.invFreq = invFreq;
    this.attentionFactor = attentionFactor;
  }

  /** Makes sure positions < `positions` are in the tables, doubling them so growth is rare. */
  private ensure(positions: number): void {
    if (positions <= this.length) return;
    const length = Math.min(Math.max(positions, 2 * this.length, 64), Math.max(positions, this.maxPositions));
    const D = this.rotaryDim;
    const half = D / 2;
    const factor = f32(this.attentionFactor);
    const cos = new Float32Array(length * D);
    const sin = new Float32Array(length * D);
    cos.set(this.cos);
    sin.set(this.sin);
    for (let p = this.length; p < length; p++) {
      for (let i = 0; i < half; i++) {
        const angle = f32(p * this.invFreq[i]!); // float32, like the reference's inv_freq @ positions
        const c = f32(f32(Math.cos(angle)) * factor); // cos(angle) * attention_scaling, as HF
        const s = f32(f32(Math.sin(angle)) * factor);
        cos[p * D + i] = c;
        cos[p * D + half + i] = c;
        sin[p * D + i] = s;
        sin[p * D + half + i] = s;
      }
    }
    this.cos = cos;
    this.sin = sin;
    this.length = length;
  }

  /** cos and sin for positions start .. start+T-1 as [T, rotaryDim] views of the tables (no copy). */
  slice(start: number, T: number): { cos: Tensor; sin: Tensor } {
    this.ensure(start + T);
    const D = this.rotaryDim;
    return {
      cos: new Tensor(this.cos, [T, D], [D, 1], start * D),
      sin: new Tensor(this.sin, [T, D], [D, 1], start * D),
    };
  }

  /**
   * cos and sin for rows at different positions (batched decoding): row b gets positions
   * start[b] .. start[b]+T-1, copied out as [B, 1, T, rotaryDim] (broadcast over the heads).
   */
  rows(start: readonly number[], T: number): { cos: Tensor; sin: Tensor } {
    this.ensure(Math.max(...start) + T);
    const D = this.rotaryDim;
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
 * Only the first tables.rotaryDim dims of each head rotate (all of them unless partial).
 * Built from differentiable tensor ops, so the same code serves training (the gradient of a
 * rotation is the opposite rotation, which autograd derives from mul/concat/neg).
 */
export function applyRope(x: Tensor, tables: RopeTables, start: number | readonly number[]): Tensor {
  const T = x.shape[2]!;
  const D = x.shape[3]!;
  const R = tables.rotaryDim;
  const half = R / 2;
  const shared = typeof start === "number" ? start : start.every((s) => s === start[0]) ? start[0]! : null;
  // [T, R] (broadcast over B and H), or [B, 1, T, R] per row
  const { cos, sin } = shared === null ? tables.rows(start as readonly number[], T) : tables.slice(shared, T);
  const rot = R === D ? x : x.narrow(-1, 0, R); // [B, H, T, R]: the dims that turn
  const x1 = rot.narrow(-1, 0, half); // [B, H, T, R/2]
  const x2 = rot.narrow(-1, half, half);
  const rotated = concat([neg(x2), x1], -1); // rotateHalf(x): [-x2, x1]
  const turned = add(mul(rot, cos), mul(rotated, sin)); // [B, H, T, R]
  return R === D ? turned : concat([turned, x.narrow(-1, R, D - R)], -1); // the rest pass through
}
