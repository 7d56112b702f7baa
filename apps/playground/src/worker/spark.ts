// The spark: one query through frozen weights. The prompt is encoded, @llmts/sample's generate()
// — the loop and Sampler `llmts generate` runs, so the same settings give the same tokens — runs
// the model a token at a time, and each token and each piece of text streams to the page as it
// is made. Around it, what the dashboard shows: the weights' checksum before and after (equal:
// nothing here writes a weight), the optimizer steps taken meanwhile (0), the times, and the
// FLOPs of exactly the forward passes generate() ran.
// Not here: loading models (checkpoint-files.ts), training (forge.ts), the page's dashboard.

import type { CausalLM } from "@llmts/model";
import { stepModel } from "@llmts/model";
import { generate } from "@llmts/sample";
import { noGrad } from "@llmts/tensor";
import type { Tokenizer } from "@llmts/tokenizer";
import { checksumOf } from "../shared/checksum.ts";
import { generationFlops } from "../shared/flops.ts";
import { encodePrompt } from "../shared/prompt.ts";
import type { QuerySettings, QueryStats } from "../shared/protocol.ts";

/** A model queries run on, with what `llmts generate` would know about it. */
export interface Frozen {
  model: CausalLM;
  tokenizer: Tokenizer;
  eosIds: number[];
  source: "trained" | "loaded";
}

export interface QueryHooks {
  onToken(id: number): void;
  onText(piece: string): void;
  /** Asked after every token: true stops the query there. */
  cancelled(): boolean;
  /** Optimizer steps taken so far by anything in this worker. */
  weightUpdates(): number;
}

/** Thrown from inside generate() to stop it between tokens. */
class Cancelled extends Error {}

/** A prompt + max tokens longer than the window, without the sliding window: the page offers it. */
export class ContextOverflow extends Error {}

export function weightsChecksum(model: CausalLM): string {
  return checksumOf([...model.parameters().values()].map((t) => t.dataSync()));
}

export function runQuery(
  frozen: Frozen,
  prompt: string,
  settings: QuerySettings,
  hooks: QueryHooks,
): QueryStats {
  const { model, tokenizer } = frozen;
  const checksumBefore = weightsChecksum(model);
  const updatesBefore = hooks.weightUpdates();
  const ids = encodePrompt(tokenizer, prompt);
  const window = model.contextLength;
  if (!settings.crop_context && ids.length + settings.max_new_tokens > window) {
    throw new ContextOverflow(
      `max tokens ${settings.max_new_tokens} + the prompt's ${ids.length} tokens = ` +
        `${settings.max_new_tokens + ids.length}, more than the model's context window of ${window} tokens: ` +
        "lower max tokens, or let the window slide (as llmts generate --crop-context does)",
    );
  }

  const generated: number[] = [];
  let text = "";
  let firstTokenAt = 0;
  const start = performance.now();
  let result: ReturnType<typeof generate> | null = null;
  try {
    result = noGrad(() =>
      generate(
        stepModel(model),
        ids,
        { ...settings, eos_token_id: frozen.eosIds },
        {
          tokenizer,
          onText: (piece) => {
            text += piece;
            hooks.onText(piece);
          },
          onToken: (id) => {
            if (generated.length === 0) firstTokenAt = performance.now();
            generated.push(id);
            hooks.onToken(id);
            if (hooks.cancelled()) throw new Cancelled();
          },
        },
      ),
    );
  } catch (error) {
    if (!(error instanceof Cancelled)) throw error;
  }
  const responseMs = performance.now() - start;

  const fed = settings.crop_context ? Math.min(ids.length, window) : ids.length;
  return {
    promptTokens: ids.length,
    generatedIds: generated,
    text,
    finishReason: result?.finish_reason ?? "cancelled",
    responseMs,
    ttftMs: result?.time_to_first_token_ms ?? firstTokenAt - start,
    decodeTokensPerSecond: result?.decode_tokens_per_second ?? null,
    flops: generationFlops(model.config, fed, generated.length, window),
    weightUpdates: hooks.weightUpdates() - updatesBefore,
    checksumBefore,
    checksumAfter: weightsChecksum(model),
    contextCrops: result?.context_crops ?? 0,
  };
}
