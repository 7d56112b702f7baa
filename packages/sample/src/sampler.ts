// The Sampler: next-token logits [V] in, one token id out. It owns the PRNG, the scratch buffers
// (allocated once: picking a token allocates nothing) and the set of ids seen so
// far for the repetition penalty.
//
//   temperature == 0:  repetition penalty -> argmax                        (greedy)
//   temperature  > 0:  repetition penalty -> temperature -> top-k -> top-p -> min-p
//                      -> softmax (float64) -> inverse-CDF draw with the seeded Rng
//
// This is HF's order (`_get_logits_processor`: processors, then warpers). Not here: stopping
// rules and the model loop (generate.ts).
// Reference: transformers/generation/utils.py `_sample`; llama2.c `sample()`.

import { Rng } from "@llmts/tensor";
import type { ResolvedGenerationConfig } from "./config.ts";
import { GenerationError } from "./errors.ts";
import {
  applyMinP,
  applyRepetitionPenalty,
  applyTemperature,
  applyTopK,
  applyTopP,
  argmax,
  softmaxInto,
} from "./processors.ts";

export type SamplingConfig = Pick<
  ResolvedGenerationConfig,
  "temperature" | "top_k" | "top_p" | "min_p" | "repetition_penalty" | "seed"
>;

/**
 * Inverse-CDF draw: the first id whose cumulative probability exceeds u, for u uniform in [0, 1).
 * Walking ids in index order (not sorted) keeps the result a pure function of (probs, u).
 */
export function sampleIndex(probs: Float64Array, u: number): number {
  let cum = 0;
  let last = 0;
  for (let i = 0; i < probs.length; i++) {
    const q = probs[i]!;
    if (q <= 0) continue;
    cum += q;
    last = i;
    if (u < cum) return i;
  }
  return last; // u within rounding of 1 (the probabilities summed to 1 - epsilon)
}

export class Sampler {
  readonly config: SamplingConfig;
  private readonly rng: Rng;
  private readonly probs: Float64Array; // [V] softmax, float64
  private readonly scratch: Float32Array; // [V] top-k quickselect copy, top-p sorted candidates
  private readonly seen: Uint8Array; // [V] 1 if the id occurred in prompt or output
  private readonly seenIds: Int32Array; // [V] the distinct ids that occurred, in first-seen order
  private seenCount = 0;

  constructor(
    readonly vocabSize: number,
    config: SamplingConfig,
  ) {
    this.config = config;
    this.rng = new Rng(config.seed);
    this.probs = new Float64Array(vocabSize);
    this.scratch = new Float32Array(vocabSize);
    this.seen = new Uint8Array(vocabSize);
    this.seenIds = new Int32Array(vocabSize);
  }

  /** Records that `id` is part of the sequence (call for every prompt id and every new token). */
  observe(id: number): void {
    if (this.seen[id] === 1) return;
    this.seen[id] = 1;
    this.seenIds[this.seenCount++] = id;
  }

  /** Picks the next token. Rewrites `logits` in place (pass a copy if you need them after). */
  sample(logits: Float32Array): number {
    const c = this.config;
    if (logits.length !== this.vocabSize) {
      throw new GenerationError(
        `generate: the model returned ${logits.length} logits, expected vocabSize ${this.vocabSize}`,
      );
    }
    applyRepetitionPenalty(logits, this.seenIds, this.seenCount, c.repetition_penalty);
    if (c.temperature === 0) return argmax(logits);

    applyTemperature(logits, c.temperature);
    applyTopK(logits, c.top_k, this.scratch);
    applyTopP(logits, c.top_p, this.probs, this.scratch);
    applyMinP(logits, c.min_p);

    softmaxInto(logits, this.probs);
    if (!(this.probs[argmax(logits)]! > 0)) {
      throw new GenerationError(
        "generate: the logits have no finite maximum (NaN or all -Infinity); cannot sample",
      );
    }
    return sampleIndex(this.probs, this.rng.nextFloat());
  }
}
