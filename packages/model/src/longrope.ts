// LongRoPE (Ding et al. 2024, "LongRoPE: Extending LLM Context Window Beyond 2 Million Tokens"), as
// Phi-3 (128k) and Phi-4-mini use it: two sets of rotary frequencies, one for sequences within the
// pretraining context and one for longer ones, each frequency stretched by a factor of its own:
//
//   invFreq[i] = 1 / (factor[i] · theta^(2i / R))      factor = short_factor or long_factor
//   cos, sin   · attentionFactor                        sqrt(1 + ln(s) / ln(original)), s = max / original
//
// Which set: a sequence of n tokens uses long_factor for every position iff n > original (the
// config's original_max_position_embeddings), else short_factor. transformers decides per forward
// call (`max(position_ids) + 1 > original`), which is the same rule when a call sees the whole
// sequence. With a KV cache it is not: the keys cached while the sequence was short were rotated
// with the short factors, so the first pass that takes a sequence past `original` must recompute
// the whole prefix with the long ones (what Phi3ForCausalLM.prepare_inputs_for_generation sets up
// by dropping the cache; the decoder does it: Decoder.recomputesPrefix). After that every pass is
// past `original` and the cache stays consistent.
// Not here: parsing the factors (config-rope.ts), the cos/sin tables and the rotation (rope.ts),
// the recompute (decoder.ts).
// Reference: transformers modeling_rope_utils.py (_compute_longrope_parameters,
// dynamic_rope_update / longrope_frequency_update), models/phi3/modeling_phi3.py
// (Phi3ForCausalLM.prepare_inputs_for_generation).

import { concat, type Tensor } from "@llmts/tensor";
import type { LongRopeScaling } from "./config-rope.ts";
import { applyRope, RopeTables } from "./rope.ts";

const f32 = Math.fround;

/** 1 / (factor_i · theta^(2i / R)) in float32, as _compute_longrope_parameters computes it. */
export function longRopeInverseFrequencies(
  rotaryDim: number,
  theta: number,
  factors: readonly number[],
): Float32Array {
  const inv = new Float32Array(rotaryDim / 2);
  for (let i = 0; i < inv.length; i++) {
    inv[i] = f32(1 / f32(f32(factors[i]!) * f32(theta ** f32((2 * i) / rotaryDim))));
  }
  return inv;
}

export class LongRope {
  readonly original: number;
  private readonly short: RopeTables;
  private readonly long: RopeTables;

  constructor(rotaryDim: number, theta: number, s: LongRopeScaling, maxPositions: number) {
    this.original = s.originalMaxPositionEmbeddings;
    const tables = (factors: readonly number[]) =>
      new RopeTables(longRopeInverseFrequencies(rotaryDim, theta, factors), maxPositions, s.attentionFactor);
    this.short = tables(s.shortFactor);
    this.long = tables(s.longFactor);
  }

  /** The tables of a sequence that is `length` tokens long once this pass is done. */
  tablesFor(length: number): RopeTables {
    return length > this.original ? this.long : this.short;
  }

  /**
   * Does a pass that takes a sequence from `past` cached tokens to past + T have to recompute the
   * cached ones? Yes when it crosses `original`: they were rotated with the short factors.
   */
  crosses(past: number, T: number): boolean {
    return past > 0 && past <= this.original && past + T > this.original;
  }

  /**
   * x: [B, H, T, D], row b at positions start[b] .. start[b]+T-1 -> rotated x. Each row is rotated
   * with the factors of its own sequence's length (rows of a batch may sit on both sides).
   */
  apply(x: Tensor, start: readonly number[]): Tensor {
    const T = x.shape[2]!;
    const tables = start.map((s) => this.tablesFor(s + T));
    if (tables.every((t) => t === tables[0])) return applyRope(x, tables[0]!, start);
    return concat(
      tables.map((t, b) => applyRope(x.narrow(0, b, 1), t, start[b]!)),
      0,
    );
  }
}
