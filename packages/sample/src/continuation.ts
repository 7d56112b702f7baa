// One sequence's side of generation, token by token: given the next-token logits, pick a token
// (the Sampler), and decide whether the sequence is done (EOS id, stop string, max_new_tokens),
// streaming its text as it completes. The same rules as generate()'s loop, kept in an object so
// a batcher can hold many sequences and feed each its row of a batched forward pass.
//
//   const c = new Continuation(V, promptIds, config, { tokenizer });
//   while (!c.finishReason) {
//     const event = c.next(logits);          // { id, text, finish? }
//     logits = model.step(event.id) ...      // the caller runs the model, alone or batched
//   }
//
// Not here: running the model, slots, timing (batcher.ts); validating the config
// (resolveGenerationConfig, called by whoever builds this).
// Reference: generate.ts (the single-sequence loop these rules come from).

import type { ResolvedGenerationConfig } from "./config.ts";
import type { FinishReason } from "./generate.ts";
import type { Detokenizer, TextStream } from "./interfaces.ts";
import { type TokenLogprob, tokenLogprob } from "./logprobs.ts";
import { Sampler } from "./sampler.ts";
import { StopStringFilter } from "./stop-strings.ts";
import { openTextStream } from "./stream-decoder.ts";

/** What one sampled token added. */
export interface TokenEvent {
  id: number;
  /** Text it completed ("" mid-character or while a stop string may be starting); on the last
   * token, also whatever was held back. */
  text: string;
  /** Present when log-probabilities were asked for. */
  logprob?: TokenLogprob;
  /** Set on the last token: why the sequence ended. */
  finish?: FinishReason;
}

export interface ContinuationOptions {
  /** Needed for text and stop strings; without it only ids come out. */
  tokenizer?: Detokenizer;
  /** Log-probability of each sampled token plus this many top alternatives; undefined = none. */
  logprobs?: number;
}

export class Continuation {
  readonly generated: number[] = [];
  text = "";
  finishReason: FinishReason | null = null;
  private readonly sampler: Sampler;
  private readonly eos: Set<number>;
  private readonly decoder: TextStream | null;
  private readonly stops: StopStringFilter;

  constructor(
    vocabSize: number,
    promptIds: readonly number[],
    readonly config: ResolvedGenerationConfig,
    private readonly options: ContinuationOptions = {},
  ) {
    this.sampler = new Sampler(vocabSize, config);
    for (const id of promptIds) this.sampler.observe(id);
    this.eos = new Set(config.eos_token_id);
    this.decoder = options.tokenizer ? openTextStream(options.tokenizer, promptIds) : null;
    this.stops = new StopStringFilter(config.stop_strings);
  }

  /** Samples the next token from `logits` [V] (rewritten in place) and says what it added. */
  next(logits: Float32Array): TokenEvent {
    // Log-probabilities of the model's distribution, before the sampler rewrites the logits.
    const wanted = this.options.logprobs;
    const before = wanted === undefined ? null : logits.slice();
    const id = this.sampler.sample(logits);
    this.sampler.observe(id);
    this.generated.push(id);
    const event: TokenEvent = { id, text: "" };
    if (before) event.logprob = tokenLogprob(before, id, wanted!);

    if (this.eos.has(id)) return this.finish(event, "eos_token");
    if (this.decoder) {
      const out = this.stops.push(this.decoder.push(id));
      event.text = out.text;
      if (out.stopped) return this.finish(event, "stop_sequence", false);
    }
    if (this.generated.length >= this.config.max_new_tokens) return this.finish(event, "length");
    this.text += event.text;
    return event;
  }

  /** Ends the sequence; unless a stop string ended it, lets out the text still held back. */
  private finish(event: TokenEvent, reason: FinishReason, flush = true): TokenEvent {
    if (flush && this.decoder) {
      const out = this.stops.push(this.decoder.flush());
      event.text += out.text;
      if (out.stopped) reason = "stop_sequence";
      else event.text += this.stops.flush();
    }
    this.text += event.text;
    this.finishReason = reason;
    event.finish = reason;
    return event;
  }
}
