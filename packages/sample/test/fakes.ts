// Test doubles: tiny models and tokenizers whose behaviour is obvious by construction, so the
// expected outputs of the generation loop can be worked out by hand.

import type { Detokenizer, StepModel, TextStream } from "../src/index.ts";

/**
 * A bigram "model": the logits for the next token depend only on the last token,
 * logits = table[last] (a row of a [V, V] table). Returns the table row itself (a view), so a
 * test can check that generation never writes into the model's buffers.
 */
export class BigramModel implements StepModel {
  readonly fed: number[] = []; // every id fed, in order
  prefillCalls = 0;
  stepCalls = 0;

  constructor(
    readonly vocabSize: number,
    readonly table: Float32Array, // [V, V]
    readonly contextLength = 1024,
    private readonly clock?: { t: number; prefillMs: number; stepMs: number },
  ) {}

  private row(id: number): Float32Array {
    return this.table.subarray(id * this.vocabSize, (id + 1) * this.vocabSize);
  }

  prefill(ids: ArrayLike<number>): Float32Array {
    this.prefillCalls++;
    this.fed.length = 0;
    this.fed.push(...Array.from(ids));
    if (this.clock) this.clock.t += this.clock.prefillMs;
    return this.row(ids[ids.length - 1]!);
  }

  step(id: number): Float32Array {
    this.stepCalls++;
    this.fed.push(id);
    if (this.fed.length > this.contextLength) throw new Error("fake model: past its context window");
    if (this.clock) this.clock.t += this.clock.stepMs;
    return this.row(id);
  }
}

/** A bigram table where token i is followed by `next(i)` with logit 5 and all others get 0. */
export function deterministicTable(V: number, next: (i: number) => number): Float32Array {
  const table = new Float32Array(V * V);
  for (let i = 0; i < V; i++) table[i * V + next(i)] = 5;
  return table;
}

/**
 * A model that "says" a fixed script whatever it is fed: the k-th generated position gets logit
 * 10 on script[k] and 0 elsewhere, so greedy decoding reproduces the script exactly.
 */
export class ScriptedModel implements StepModel {
  private position = 0;
  constructor(
    readonly vocabSize: number,
    private readonly script: readonly number[],
    readonly contextLength = 1024,
  ) {}
  private logits(): Float32Array {
    const out = new Float32Array(this.vocabSize);
    out[this.script[this.position++] ?? 0] = 10;
    return out;
  }
  prefill(): Float32Array {
    this.position = 0;
    return this.logits();
  }
  step(): Float32Array {
    return this.logits();
  }
}

/**
 * Ids 0..255 are bytes, decoded as UTF-8 (incomplete or invalid sequences become U+FFFD, as
 * byte-level BPE decoders do); ids >= 256 are special tokens that decode to nothing.
 */
export class ByteTokenizer implements Detokenizer {
  private readonly utf8 = new TextDecoder("utf-8");
  encode(text: string): number[] {
    return Array.from(new TextEncoder().encode(text));
  }
  decode(ids: readonly number[]): string {
    return this.utf8.decode(Uint8Array.from(ids.filter((id) => id < 256)));
  }
}

/** The same bytes, plus its own O(1)-per-token stream decoder (TextDecoder's streaming mode). */
export class StreamingByteTokenizer extends ByteTokenizer {
  createStreamDecoder(): TextStream {
    const utf8 = new TextDecoder("utf-8");
    return {
      push: (id) => utf8.decode(Uint8Array.from(id < 256 ? [id] : []), { stream: true }),
      flush: () => utf8.decode(),
    };
  }
}

/**
 * A word-piece vocabulary with SentencePiece's convention: "▁" marks a space, and decoding
 * drops the one leading space of the result (Llama's `Strip` decoder).
 */
export class PieceTokenizer implements Detokenizer {
  /** Pieces written like "<s>" are special tokens (they decode to themselves, as HF's do). */
  readonly specialTokens: ReadonlyMap<string, number>;
  constructor(readonly pieces: readonly string[]) {
    this.specialTokens = new Map(pieces.flatMap((p, i) => (/^<.*>$/.test(p) ? [[p, i] as const] : [])));
  }
  id(piece: string): number {
    const i = this.pieces.indexOf(piece);
    if (i < 0) throw new Error(`no piece ${piece}`);
    return i;
  }
  decode(ids: readonly number[]): string {
    const text = ids
      .map((id) => this.pieces[id]!)
      .join("")
      .replaceAll("▁", " ");
    return text.startsWith(" ") ? text.slice(1) : text;
  }
}

/** PieceTokenizer with its own stream decoder, stripping one space at the start of its output. */
export class StreamingPieceTokenizer extends PieceTokenizer {
  createStreamDecoder(): TextStream {
    let started = false;
    return {
      push: (id) => {
        const text = this.pieces[id]!.replaceAll("▁", " ");
        if (started) return text;
        started = true;
        return text.startsWith(" ") ? text.slice(1) : text;
      },
      flush: () => "",
    };
  }
}

/** Float64 softmax written out independently of the code under test. */
export function softmax64(logits: ArrayLike<number>): number[] {
  const xs = Array.from(logits);
  const max = Math.max(...xs);
  const es = xs.map((x) => Math.exp(x - max));
  const sum = es.reduce((a, b) => a + b, 0);
  return es.map((e) => e / sum);
}

/** Ids whose logit is still finite after filtering, ascending. */
export function keptIds(logits: Float32Array): number[] {
  const out: number[] = [];
  logits.forEach((x, i) => {
    if (x !== Number.NEGATIVE_INFINITY) out.push(i);
  });
  return out;
}
