// Log-probabilities of the next token, for APIs that return them (OpenAI's `logprobs`,
// `top_logprobs`): the model's own distribution, log softmax(logits), before temperature or any
// other processor — what the model thinks, whatever the sampler then does with it.
//
//   logprob(i) = logits[i] - logZ,   logZ = max + log(sum_j exp(logits[j] - max))
//                                    (subtract the max so exp never overflows; sum in float64)
//
//   logits [2, 1, 0] -> logZ = 2.4076 -> logprobs [-0.4076, -1.4076, -2.4076]; top 2: ids 0, 1
// Not here: sampling (sampler.ts). Reference: OpenAI API `logprobs` / `top_logprobs`; HF
// `compute_transition_scores(..., normalize_logits=True)`.

export interface TokenLogprob {
  /** The chosen token and its log-probability. */
  id: number;
  logprob: number;
  /** The most likely tokens, most likely first (empty when none were asked for). */
  top: { id: number; logprob: number }[];
}

/** log Σ exp(logits): the normaliser of the softmax. logits: [V] */
export function logSumExp(logits: Float32Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  return max + Math.log(sum);
}

/** The log-probability of `id` and of the `topN` most likely ids (ties: lower id first). logits: [V] */
export function tokenLogprob(logits: Float32Array, id: number, topN: number): TokenLogprob {
  const logZ = logSumExp(logits);
  // Keep the best topN indices by insertion into a short sorted list: topN is at most ~20.
  const best: number[] = [];
  for (let i = 0; i < logits.length && topN > 0; i++) {
    const x = logits[i]!;
    if (best.length === topN && x <= logits[best[topN - 1]!]!) continue;
    let at = best.length;
    while (at > 0 && logits[best[at - 1]!]! < x) at--;
    best.splice(at, 0, i);
    if (best.length > topN) best.pop();
  }
  return {
    id,
    logprob: logits[id]! - logZ,
    top: best.map((i) => ({ id: i, logprob: logits[i]! - logZ })),
  };
}
