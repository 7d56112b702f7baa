// Logits processors: functions that rewrite next-token logits [V] in place before a token is
// picked. Applied by the Sampler in Hugging Face's order:
//
//   repetition penalty -> temperature -> top-k -> top-p -> min-p -> sample
//
// A filtered-out token gets logit -Infinity (probability exactly 0 after softmax). Every filter
// keeps at least the most likely token (HF's min_tokens_to_keep = 1).
//
// Not here: drawing a token and the order/defaults of the processors (both in sampler.ts).
// Reference: transformers/generation/logits_process.py — RepetitionPenaltyLogitsProcessor,
// TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper, MinPLogitsWarper. HF computes in
// float32 with torch ops; we compute the same rules with float64 accumulation, so results agree
// except for ties and boundaries within float rounding. HF's torch.sort leaves the order of
// equal logits unspecified; where a tie decides, we prefer the lower token id.

/**
 * CTRL's repetition penalty (Keskar et al. 2019, as HF implements it): for each id that already
 * occurred (prompt + generated),
 *   logit < 0  ->  logit * penalty        logit >= 0  ->  logit / penalty
 * so with penalty > 1 the token always becomes less likely. `uniqueIds` must list each id once:
 * HF applies the penalty at most once per token however often it occurred.
 */
export function applyRepetitionPenalty(
  logits: Float32Array,
  uniqueIds: ArrayLike<number>,
  count: number,
  penalty: number,
): void {
  if (penalty === 1) return;
  for (let j = 0; j < count; j++) {
    const id = uniqueIds[j]!;
    const x = logits[id]!;
    logits[id] = x < 0 ? x * penalty : x / penalty;
  }
}

/**
 * logits / T: T < 1 sharpens the distribution, T > 1 flattens it. T must be > 0.
 * Computed as (x - max) / T, which has the same softmax (a constant shift cancels) and keeps the
 * top logit at 0: x / T itself overflows float32 for a tiny T (10 / 1e-40 = Infinity, and
 * Infinity - Infinity is NaN in the softmax), whereas (x - max) / T only runs down to -Infinity,
 * which is probability 0. Every later filter (top-k, top-p, min-p) is shift-invariant too.
 */
export function applyTemperature(logits: Float32Array, temperature: number): void {
  if (temperature === 1) return;
  const max = maxOf(logits);
  if (!Number.isFinite(max)) return; // all -Infinity (or NaN): nothing to scale, sample() reports it
  for (let i = 0; i < logits.length; i++) logits[i] = (logits[i]! - max) / temperature;
}

/**
 * The k-th largest of a[0..n) (k = 1 is the maximum), by quickselect (Hoare partition, middle
 * pivot): O(n) on average instead of a full sort. Reorders `a`, so pass a scratch copy.
 */
export function kthLargest(a: Float32Array, n: number, k: number): number {
  const target = k - 1; // index of the answer if a were sorted descending
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    // Now a[lo..j] >= pivot >= a[i..hi], and everything strictly between j and i equals pivot.
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return pivot;
  }
  return a[target]!;
}

/**
 * Top-k (Fan et al. 2018): remove every logit below the k-th largest. Like HF
 * (`scores < topk(scores, k)[..., -1]`), tokens tied with the k-th are all kept, so more than k
 * may survive. k >= V keeps everything. `scratch` needs room for V floats.
 */
export function applyTopK(logits: Float32Array, k: number, scratch: Float32Array): void {
  const V = logits.length;
  if (k <= 0 || k >= V) return;
  scratch.set(logits);
  const kth = kthLargest(scratch, V, k);
  for (let i = 0; i < V; i++) if (logits[i]! < kth) logits[i] = Number.NEGATIVE_INFINITY;
}

/** The largest logit (-Infinity if all are). */
export function maxOf(logits: Float32Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  return max;
}

/**
 * Fills probs[0..V) with softmax(logits) in float64 and returns the max logit.
 *   softmax(x)_i = exp(x_i - max) / sum_j exp(x_j - max)  — subtracting the max keeps exp <= 1.
 */
export function softmaxInto(logits: Float32Array, probs: Float64Array): number {
  const max = maxOf(logits);
  const sum = expInto(logits, max, probs);
  for (let i = 0; i < logits.length; i++) probs[i] = probs[i]! / sum;
  return max;
}

/** out[i] = exp(x_i - max) (unnormalised softmax, float64); returns their sum. */
function expInto(logits: Float32Array, max: number, out: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp(logits[i]! - max); // exp(-Infinity) = 0 for filtered tokens
    out[i] = e;
    sum += e;
  }
  return sum;
}

/**
 * Top-p / nucleus (Holtzman et al. 2019): keep the smallest set of most likely tokens whose
 * probability adds up to at least p. HF's exact rule, which decides the boundary:
 *
 *   sort ascending, cum = cumsum(softmax);  remove a token iff cum <= 1 - p;  never remove the last
 *
 * i.e. a token is dropped when it and everything less likely together hold at most 1 - p.
 * Worked example, probs [0.25, 0.25, 0.25, 0.25], p = 0.5: cum = 0.25, 0.5, 0.75, 1 -> the
 * first two (ids 3 and 2, our tie order) have cum <= 0.5 and go; ids 0 and 1 stay (mass 0.5 = p).
 *
 * Speed (from llama2.c's sample_topp): a token with prob < (1 - p) / (n - 1), n = tokens with
 * prob > 0, is always removed — at most n - 1 tokens are at or below it, so its cum is below
 * 1 - p — so only the other "candidates" are sorted (by value, with the native numeric sort),
 * and their cum starts at the cropped mass. Probabilities are exp(x - max) / sum, computed the
 * same way for a token whether it is looked up by id or by sorted value.
 * Scratch: exps (V float64), values (V float32).
 */
export function applyTopP(logits: Float32Array, p: number, exps: Float64Array, values: Float32Array): void {
  if (p >= 1) return; // HF skips the warper at top_p = 1
  const V = logits.length;
  const max = maxOf(logits);
  const sum = expInto(logits, max, exps); // prob_i = exps[i] / sum
  let n = 0;
  for (let i = 0; i < V; i++) if (exps[i]! > 0) n++;
  if (n <= 1) return;

  const cutoff = ((1 - p) / (n - 1)) * sum; // in units of exps
  let m = 0; // candidate logits in values[0..m)
  let cum = 0; // starts as the mass of the cropped tokens
  for (let i = 0; i < V; i++) {
    if (exps[i]! >= cutoff || logits[i] === max) values[m++] = logits[i]!;
    else cum += exps[i]! / sum;
  }
  const sorted = values.subarray(0, m).sort(); // ascending

  // HF's walk: from the least likely candidate up, the first whose cum exceeds 1 - p is the
  // least likely token kept ("edge"); the last (most likely) one is kept in any case.
  let r = 0;
  for (; r < m - 1; r++) {
    cum += Math.exp(sorted[r]! - max) / sum;
    if (cum > 1 - p) break;
  }
  const edge = sorted[r]!;
  // Tokens tied at the edge value: those from r up are kept, the ones below r are not; among
  // equal logits the lower ids count as more likely.
  let tiesKept = 0;
  while (r + tiesKept < m && sorted[r + tiesKept] === edge) tiesKept++;
  for (let i = 0; i < V; i++) {
    const x = logits[i]!;
    if (x < edge) logits[i] = Number.NEGATIVE_INFINITY;
    else if (x === edge) {
      if (tiesKept > 0) tiesKept--;
      else logits[i] = Number.NEGATIVE_INFINITY;
    }
  }
}

/**
 * Min-p (Nguyen et al. 2024, "Turning Up the Heat"): keep tokens with
 *   prob_i >= min_p * prob_max   <=>   exp(x_i - x_max) >= min_p   <=>   x_i - x_max >= ln(min_p)
 * (the softmax normaliser cancels in the ratio, so no softmax is needed). The most likely
 * token always passes (ratio 1 >= min_p); min_p = 1 keeps exactly the tokens tied for the max.
 */
export function applyMinP(logits: Float32Array, minP: number): void {
  if (minP <= 0) return;
  const V = logits.length;
  const max = maxOf(logits);
  const logMinP = Math.log(minP);
  for (let i = 0; i < V; i++) if (logits[i]! - max < logMinP) logits[i] = Number.NEGATIVE_INFINITY;
}

/** Index of the largest logit; the lowest index among ties (like torch.argmax / numpy). */
export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  return best;
}
