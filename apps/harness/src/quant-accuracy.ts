// How much quantizing a model changes what it says, measured the same way for the tests
// (apps/harness/test/quant-accuracy.test.ts) and the bench (apps/bench/src/quant-accuracy.ts):
//
//   quantizeInMemory(model, type)   the model as `llmts quantize` stores it (written to GGUF,
//                                   read back): what generate would run
//   evaluateTokens(model, tokens)   cross-entropy of every next token of a token stream, in
//                                   non-overlapping windows of the context length, and the
//                                   top-1 prediction at every position
//   compareLogits(a, b, V)          max |Δlogit| and top-1 agreement of two [N, V] logit arrays
//
// Not here: which backend runs (the caller sets it), the goals (the callers state them).

import { parseGguf, writeGguf } from "@llmts/gguf";
import { type CausalLM, modelFromGguf, modelToGguf } from "@llmts/model";
import { crossEntropy, intTensor, noGrad, type QuantType } from "@llmts/tensor";

/** The model with its matrices in `type`, through the GGUF bytes `llmts quantize` would write. */
export function quantizeInMemory(model: CausalLM, type: QuantType): CausalLM {
  const f = parseGguf(writeGguf(modelToGguf(model, { quantize: type }).spec), `${type}.gguf`);
  const source = { metadata: f.metadata, tensors: f.tensors, has: f.has, read: f.get };
  return modelFromGguf(source, `${type}.gguf`, model.config).model;
}

export interface TokenEvaluation {
  /** Mean cross-entropy of every predicted token (nats). */
  loss: number;
  /** The argmax prediction at every position, window after window. */
  top1: Int32Array;
  positions: number;
}

/**
 * Runs `tokens` through the model in windows of `window` tokens (each predicting its next token;
 * at most `maxWindows` of them, batched `batch` at a time): the mean loss and every top-1.
 */
export function evaluateTokens(
  model: CausalLM,
  tokens: Int32Array,
  { window = model.contextLength, batch = 16, maxWindows = Number.POSITIVE_INFINITY } = {},
): TokenEvaluation {
  const windows = Math.min(maxWindows, Math.floor((tokens.length - 1) / window));
  const top1 = new Int32Array(windows * window);
  let total = 0;
  for (let w0 = 0; w0 < windows; w0 += batch) {
    const B = Math.min(batch, windows - w0);
    const ids = new Int32Array(B * window);
    const targets = new Int32Array(B * window);
    for (let b = 0; b < B; b++) {
      const at = (w0 + b) * window;
      ids.set(tokens.subarray(at, at + window), b * window);
      targets.set(tokens.subarray(at + 1, at + window + 1), b * window);
    }
    noGrad(() => {
      const logits = model.forward(intTensor(ids, [B, window])); // [B, T, V]
      total += crossEntropy(logits, intTensor(targets, [B, window])).item() * B * window;
      const V = model.vocabSize;
      const values = logits.dataSync();
      for (let p = 0; p < B * window; p++) {
        let best = 0;
        for (let v = 1; v < V; v++) if (values[p * V + v]! > values[p * V + best]!) best = v;
        top1[w0 * window + p] = best;
      }
    });
  }
  return { loss: total / (windows * window), top1, positions: windows * window };
}

/** Share of positions where two top-1 lists agree. */
export function agreement(a: Int32Array, b: Int32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/** max |a - b| and the top-1 agreement of two logit arrays [N, V]. */
export function compareLogits(a: ArrayLike<number>, b: ArrayLike<number>, V: number) {
  let maxAbs = 0;
  let same = 0;
  for (let i = 0; i < a.length; i++) maxAbs = Math.max(maxAbs, Math.abs(a[i]! - b[i]!));
  const argmax = (x: ArrayLike<number>, o: number) => {
    let best = 0;
    for (let v = 1; v < V; v++) if (x[o + v]! > x[o + best]!) best = v;
    return best;
  };
  for (let o = 0; o < a.length; o += V) if (argmax(a, o) === argmax(b, o)) same++;
  return { maxAbs, top1Agreement: same / (a.length / V), positions: a.length / V };
}
