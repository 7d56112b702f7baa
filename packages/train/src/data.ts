// Training data, nanoGPT style: text -> one long array of token ids -> first 90% for training,
// last 10% for validation -> random batches of windows.
//
//   tokens:  t0 t1 t2 t3 t4 t5 t6 t7 ...
//   a window starting at i (block size T = 4):
//     x = t[i .. i+T)      the context
//     y = t[i+1 .. i+T]    the next token at every position (x shifted left by one)
//
// One window teaches T predictions at once: position j learns to predict t[i+j+1] from
// t[i..i+j], which is exactly what the causal mask lets it see.
// Not here: tokenization itself (@llmts/tokenizer), document boundaries or padding (the text is
// one stream, as nanoGPT's shakespeare_char), shuffling without replacement (windows are drawn
// independently, with replacement, like nanoGPT's torch.randint).
// Reference: karpathy/nanoGPT data/shakespeare_char/prepare.py (the split) and train.py get_batch().

import { type Rng, Tensor } from "@llmts/tensor";
import { DataError } from "./errors.ts";

/** The two halves of the token stream. */
export interface TokenSplits {
  train: Int32Array;
  val: Int32Array;
}

/**
 * Between two files: a blank line. Joined with nothing, the last word of one file and the first
 * of the next would fuse into a word neither contains ("...the end" + "Chapter 1" -> "endChapter");
 * a paragraph break is what a character-level model sees between sections anyway.
 */
export const FILE_SEPARATOR = "\n\n";

/** First `trainFraction` of the tokens for training, the rest for validation (nanoGPT: 0.9). */
export function splitTokens(tokens: Int32Array, trainFraction = 0.9): TokenSplits {
  const n = Math.floor(tokens.length * trainFraction);
  return { train: tokens.subarray(0, n), val: tokens.subarray(n) };
}

/** Throws a DataError unless both splits hold at least one window of blockSize + 1 tokens. */
export function checkSplits(splits: TokenSplits, blockSize: number): void {
  for (const [name, data] of [
    ["training", splits.train],
    ["validation", splits.val],
  ] as const) {
    if (data.length < blockSize + 1) {
      const total = splits.train.length + splits.val.length;
      throw new DataError(
        `data: the ${name} split has ${data.length} tokens but one window needs block-size + 1 = ${blockSize + 1} ` +
          `(${total} tokens in all, split 90/10): use more text or a smaller --block-size`,
      );
    }
  }
}

/**
 * batchSize windows at uniformly random starts i in [0, len − blockSize), drawn from `rng`
 * (one rng.nextInt per row, so a saved Rng state continues the exact same stream).
 * Returns x and y, both int32 [B, T].
 */
export function getBatch(
  data: Int32Array,
  batchSize: number,
  blockSize: number,
  rng: Rng,
): { x: Tensor; y: Tensor } {
  const B = batchSize;
  const T = blockSize;
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const i = rng.nextInt(data.length - T);
    x.set(data.subarray(i, i + T), b * T);
    y.set(data.subarray(i + 1, i + 1 + T), b * T);
  }
  return { x: Tensor.fromArray(x, [B, T]), y: Tensor.fromArray(y, [B, T]) };
}
