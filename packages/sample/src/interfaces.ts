// The small interfaces the generation loops need from the outside world: a model that turns
// tokens into next-token logits (one sequence: StepModel; several at once: SlotModel), and a
// tokenizer that turns ids back into text.
//
// They are defined here, by the code that needs them, and nowhere else: this package does not
// depend on @llmts/model or @llmts/tokenizer (only its integration test uses them), so sampling
// can be read and tested on its own with a 10-line fake model. TypeScript's structural typing
// does the rest: `stepModel(model)` from @llmts/model and the Tokenizer from @llmts/tokenizer fit
// them without naming them.
// Reference: llama2.c `generate()` (forward one position at a time, decode each token).

/**
 * A language model fed one sequence left to right, holding its own KV cache.
 *
 *   prefill([t0, ..., t(n-1)]) -> logits for position n       Float32Array [vocabSize]
 *   step(tn)                   -> logits for position n + 1   Float32Array [vocabSize]
 *
 * The generation loop copies the returned logits before changing them, so a model may return
 * a buffer it reuses.
 */
export interface StepModel {
  /** V: the length of every logits array. */
  readonly vocabSize: number;
  /** Longest sequence (prompt + generated) the model accepts, e.g. GPT-2's n_positions. */
  readonly contextLength: number;
  /**
   * Forgets any previous sequence, runs the whole prompt (at least one id) in one pass. Throws on
   * an id outside [0, vocabSize): the model is where ids are checked.
   */
  prefill(ids: ArrayLike<number>): Float32Array;
  /** Appends one token to the sequence and returns the logits for the token after it. */
  step(id: number): Float32Array;
}

/**
 * A language model holding several sequences side by side, one per slot (its KV cache has one
 * slot per sequence): what continuous batching needs. `slotModel(model, { slots })` from
 * @llmts/model fits it.
 *
 *   extend(s, [t0, ..., tk]) -> logits after tk, for the sequence in slot s   Float32Array [V]
 *   step([s0, s1], [a, b])   -> one forward pass: a appended to slot s0, b to s1
 *                               -> logits of row b at [b*V, (b+1)*V)            Float32Array [B*V]
 *
 * Returned buffers may be reused by the model: copy what you keep.
 */
export interface SlotModel {
  readonly vocabSize: number;
  /** Longest sequence one slot holds. */
  readonly contextLength: number;
  /** How many sequences the model holds at once. */
  readonly slots: number;
  /** Positions stored in `slot`. */
  length(slot: number): number;
  /** Keeps the first `length` positions of `slot` (0: empty). */
  truncate(slot: number, length: number): void;
  /** Appends `ids` (at least one) to the sequence in `slot`; checks them against the vocabulary. */
  extend(slot: number, ids: ArrayLike<number>): Float32Array;
  /** Appends ids[b] to slots[b] for every row b in one forward pass. */
  step(slots: readonly number[], ids: readonly number[]): Float32Array;
}

/** Ids in one at a time, text out once complete (the @llmts/tokenizer StreamDecoder shape). */
export interface TextStream {
  /** Text completed by this id ("" while a UTF-8 character is still incomplete). */
  push(id: number): string;
  /** Whatever is still held back, at the end of the sequence. */
  flush(): string;
}

/**
 * Ids -> text. `decode` must be a pure function of the ids; a result ending in the replacement
 * character U+FFFD is taken to mean "a multi-byte character is not complete yet". A tokenizer
 * that has its own incremental decoder (the @llmts/tokenizer Tokenizer does) offers it as
 * `createStreamDecoder`; otherwise stream-decoder.ts builds one from `decode`.
 */
export interface Detokenizer {
  decode(ids: readonly number[]): string;
  createStreamDecoder?(): TextStream;
  /** Added / special tokens by content ("<s>" -> 1): prompt ids that are not text. */
  readonly specialTokens?: ReadonlyMap<string, number>;
}
