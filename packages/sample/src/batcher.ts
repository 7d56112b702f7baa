// Continuous batching: many requests share one model, decoded together. Every step runs one
// forward pass over all running sequences (one new token each, each in its own KV-cache slot);
// requests join between steps when a slot is free and leave as soon as they are done, so a short
// request never waits for a long one to finish (Orca's "iteration-level scheduling").
//
//   step():
//     1. leave   cancelled requests give their slots back
//     2. join    while a slot is free: take the oldest waiting request, feed its prompt into the
//                slot (one prefill pass each; a prefix the slot still holds is kept: slot-table.ts)
//     3. sample  one token per running sequence from its logits (Continuation); done -> leave
//     4. decode  one forward pass over the rest: row b = (slot_b, token_b) -> logits [B, V]
//
// Why it pays: decoding one token reads every weight once for a few flops per weight, so it is
// bound by memory bandwidth; a forward pass over B rows reads the weights once for B tokens.
// What a request gets does not depend on its neighbours: each row attends only to its own slot,
// and its Sampler and seed are its own. (Greedy tokens match a lone run as long as the kernels
// compute a row of a batched matmul as they compute it alone, or close enough not to flip an argmax.)
// Synchronous core: step() is a CPU loop. drive() calls it until idle, yielding to the platform's
// event loop between steps (Node: setImmediate) so requests can arrive and streams can flush.
// Not here: HTTP (apps/server), prompts from text (the caller encodes), chunked prefill (a long
// prompt that joins delays that step for everyone), preemption.
// Reference: Yu et al. 2022 "Orca" (OSDI); vLLM and text-generation-inference's schedulers;
// llama.cpp's server slots.

import { type GenerationConfig, type ResolvedGenerationConfig, resolveGenerationConfig } from "./config.ts";
import { Continuation, type TokenEvent } from "./continuation.ts";
import type { FinishReason } from "./generate.ts";
import type { Detokenizer, SlotModel } from "./interfaces.ts";
import { SlotTable } from "./slot-table.ts";

export interface BatchRequest {
  promptIds: readonly number[];
  /** Checked and defaulted here (resolveGenerationConfig), against the model's context length. */
  config: GenerationConfig;
  /** Log-probability of each sampled token plus this many top alternatives; undefined = none. */
  logprobs?: number;
  /** Called with each token as it is sampled, in order; the last one carries `finish`. */
  onToken?: (event: TokenEvent) => void;
}

export type BatchFinishReason = FinishReason | "cancelled";

/** A finished request. Times are in the clock's unit (milliseconds with the default clock). */
export interface BatchResult {
  prompt_ids: number[];
  generated_ids: number[];
  text: string;
  finish_reason: BatchFinishReason;
  /** Prompt tokens that were already in the slot, from an earlier request: not fed again. */
  cached_tokens: number;
  /** Submitted -> given a slot. */
  queue_ms: number;
  /** The prompt's forward pass (the tokens after cached_tokens). */
  prefill_ms: number;
  /** Submitted -> first token sampled. */
  time_to_first_token_ms: number;
  /** First token -> last token: the decode steps this request took part in. */
  decode_ms: number;
  /** Prompt fed -> last token: the time its generated tokens took (Ollama's eval_duration). */
  generate_ms: number;
  /** Submitted -> done. */
  total_ms: number;
  config: ResolvedGenerationConfig;
}

export interface BatchJob {
  /** Settles when the request is done; rejects if its forward pass failed. */
  readonly result: Promise<BatchResult>;
  /** Stops the request before its next token; its slot is free for the next step. */
  cancel(): void;
}

export interface BatcherOptions {
  /** Sequences decoded together at most (default: the model's slots). */
  maxBatch?: number;
  /** Requests waiting for a slot at most; submit() beyond it throws QueueFullError (default 64). */
  maxQueue?: number;
  tokenizer?: Detokenizer;
  /** Clock in milliseconds (tests may pass a fake). Default performance.now. */
  now?: () => number;
}

/** The queue is full: the caller should try again later (HTTP 429). */
export class QueueFullError extends Error {
  override name = "QueueFullError";
}

interface Request {
  input: BatchRequest;
  config: ResolvedGenerationConfig;
  resolve: (result: BatchResult) => void;
  reject: (error: unknown) => void;
  cancelled: boolean;
  tSubmit: number;
}

interface Running {
  request: Request;
  slot: number;
  seq: Continuation;
  logits: Float32Array; // [V] this sequence's next-token logits (its own copy)
  cached: number;
  tJoin: number;
  tPrefilled: number;
  tFirst: number;
  tLast: number;
}

export class ContinuousBatcher {
  readonly maxBatch: number;
  readonly maxQueue: number;
  private readonly slots: SlotTable;
  private readonly waiting: Request[] = [];
  private running: Running[] = [];
  private readonly now: () => number;
  private driving = false;

  constructor(
    private readonly model: SlotModel,
    private readonly options: BatcherOptions = {},
  ) {
    this.maxBatch = Math.min(options.maxBatch ?? model.slots, model.slots);
    this.maxQueue = options.maxQueue ?? 64;
    this.slots = new SlotTable(this.maxBatch);
    this.now = options.now ?? (() => performance.now());
  }

  /** Requests running (in a slot) and waiting (for one). */
  get load(): { running: number; waiting: number } {
    return { running: this.running.length, waiting: this.waiting.length };
  }

  get busy(): boolean {
    return this.running.length > 0 || this.waiting.length > 0;
  }

  /**
   * Queues a request. Throws at once (nothing queued) on a bad config or one that does not fit
   * the context (GenerationError), and when the queue is full (QueueFullError).
   */
  submit(input: BatchRequest): BatchJob {
    const config = resolveGenerationConfig(input.config, input.promptIds.length, this.model.contextLength);
    // Requests that will still be waiting after the next step has filled the free slots.
    const queued = this.waiting.length - this.slots.free;
    if (queued >= this.maxQueue)
      throw new QueueFullError(`the queue is full (${this.maxQueue} requests waiting)`);
    let request!: Request;
    const result = new Promise<BatchResult>((resolve, reject) => {
      request = { input, config, resolve, reject, cancelled: false, tSubmit: this.now() };
    });
    this.waiting.push(request);
    return {
      result,
      cancel: () => {
        request.cancelled = true;
      },
    };
  }

  /**
   * Calls step() until nothing is running or waiting, awaiting `pause()` before each step (so the
   * caller of submit() can get ready for the first token, and the platform can do its I/O).
   */
  async drive(pause: () => Promise<void>): Promise<void> {
    if (this.driving) return;
    this.driving = true;
    try {
      while (this.busy) {
        await pause();
        this.step();
      }
    } finally {
      this.driving = false;
    }
  }

  /** One scheduling step: leave, join, sample, one batched forward pass. */
  step(): void {
    this.leave();
    this.join();
    this.sample();
    this.decode();
  }

  private leave(): void {
    for (const r of this.waiting.filter((r) => r.cancelled)) {
      r.resolve(this.resultOf(r, null, "cancelled"));
    }
    this.waiting.splice(0, this.waiting.length, ...this.waiting.filter((r) => !r.cancelled));
    for (const run of this.running.filter((run) => run.request.cancelled)) this.finish(run, "cancelled");
  }

  private join(): void {
    while (this.slots.free > 0 && this.waiting.length > 0) {
      const request = this.waiting.shift()!;
      const prompt = request.input.promptIds;
      const { slot, reuse } = this.slots.claim(prompt);
      const tJoin = this.now();
      try {
        this.model.truncate(slot, reuse);
        const logits = this.model.extend(slot, prompt.slice(reuse)).slice(); // [V]
        const t = this.now();
        this.slots.fed(slot, prompt.slice(reuse));
        const seq = new Continuation(this.model.vocabSize, prompt, request.config, {
          tokenizer: this.options.tokenizer,
          logprobs: request.input.logprobs,
        });
        this.running.push({
          request,
          slot,
          seq,
          logits,
          cached: reuse,
          tJoin,
          tPrefilled: t,
          tFirst: t,
          tLast: t,
        });
      } catch (error) {
        // A prompt the model refused (an id outside the vocabulary): this request fails alone.
        this.clear(slot);
        request.reject(error);
      }
    }
  }

  private sample(): void {
    for (const run of [...this.running]) {
      let event: TokenEvent;
      try {
        event = run.seq.next(run.logits);
      } catch (error) {
        // Logits with no finite maximum (NaN weights): this sequence cannot go on.
        this.running = this.running.filter((r) => r !== run);
        this.clear(run.slot);
        run.request.reject(error);
        continue;
      }
      run.tLast = this.now();
      if (run.seq.generated.length === 1) run.tFirst = run.tLast;
      try {
        run.request.input.onToken?.(event);
      } catch {
        // A listener that throws (a closed connection) stops its own request, nobody else's.
        run.request.cancelled = true;
      }
      if (event.finish) this.finish(run, event.finish);
    }
  }

  private decode(): void {
    if (this.running.length === 0) return;
    const slots = this.running.map((run) => run.slot);
    const ids = this.running.map((run) => run.seq.generated.at(-1)!);
    let logits: Float32Array; // [B * V]
    try {
      logits = this.model.step(slots, ids);
    } catch (error) {
      for (const run of this.running) {
        this.clear(run.slot);
        run.request.reject(error);
      }
      this.running = [];
      return;
    }
    const V = this.model.vocabSize;
    this.running.forEach((run, b) => {
      run.logits.set(logits.subarray(b * V, (b + 1) * V));
      this.slots.fed(run.slot, [ids[b]!]);
    });
  }

  /** After a failed forward pass: the slot is emptied and free. */
  private clear(slot: number): void {
    this.model.truncate(slot, 0);
    this.slots.forget(slot);
    this.slots.release(slot);
  }

  private finish(run: Running, reason: BatchFinishReason): void {
    this.running = this.running.filter((r) => r !== run);
    this.slots.release(run.slot);
    run.request.resolve(this.resultOf(run.request, run, reason));
  }

  private resultOf(request: Request, run: Running | null, reason: BatchFinishReason): BatchResult {
    const t = this.now();
    const generated = run ? run.seq.generated : [];
    return {
      prompt_ids: [...request.input.promptIds],
      generated_ids: [...generated],
      text: run ? run.seq.text : "",
      finish_reason: reason,
      cached_tokens: run ? run.cached : 0,
      queue_ms: (run ? run.tJoin : t) - request.tSubmit,
      prefill_ms: run ? run.tPrefilled - run.tJoin : 0,
      time_to_first_token_ms: run && generated.length > 0 ? run.tFirst - request.tSubmit : 0,
      decode_ms: run && generated.length > 0 ? run.tLast - run.tFirst : 0,
      generate_ms: run && generated.length > 0 ? run.tLast - run.tPrefilled : 0,
      total_ms: t - request.tSubmit,
      config: request.config,
    };
  }
}
