// The server's side of continuous batching: one ContinuousBatcher over the served model, stepped
// between I/O. Each submit starts the stepping loop if it is not running; between two steps the
// loop yields to Node's event loop (setImmediate), so new requests are read, streamed tokens are
// flushed, and a disconnected client's cancel() lands before the next step.
//
//   request -> submit() -> batcher queue -> step(): join / sample / one forward pass -> onToken
//
// Errors a submit can raise become HTTP errors here: a config the sampler refuses -> 400, a full
// queue -> 429. draining(): no new work, and a promise for when the running work is done.
// Not here: the batching itself (@llmts/sample's batcher.ts), HTTP (server.ts).

import { type BatchJob, ContinuousBatcher, QueueFullError, type TokenEvent } from "@llmts/sample";
import { ApiError } from "./api-error.ts";
import type { GenerationJob } from "./sampling.ts";
import type { ServedModel } from "./served-model.ts";

export class Engine {
  readonly batcher: ContinuousBatcher;

  constructor(model: ServedModel, options: { maxBatch?: number; maxQueue?: number }) {
    this.batcher = new ContinuousBatcher(model.slots, { ...options, tokenizer: model.tokenizer });
  }

  submit(job: GenerationJob, onToken: (event: TokenEvent) => void): BatchJob {
    let handle: BatchJob;
    try {
      handle = this.batcher.submit({ ...job, onToken });
    } catch (error) {
      if (error instanceof QueueFullError) {
        throw new ApiError(429, `The server is busy: ${error.message}; try again shortly`, {
          type: "rate_limit_error",
          code: "queue_full",
        });
      }
      if (error instanceof Error && error.name === "GenerationError") {
        throw new ApiError(400, error.message.replace(/^generate: /, ""));
      }
      throw error;
    }
    // Starts the stepping loop, or returns at once when it runs: it takes the new request at its next step.
    // The batcher fails requests one by one on their own errors; anything escaping it is a bug.
    this.batcher
      .drive(nextTurn)
      .catch((error) => console.error("llmts serve: the generation loop failed:", error));
    return handle;
  }

  /** Resolves once nothing is running or waiting. */
  async idle(): Promise<void> {
    while (this.batcher.busy) await nextTurn();
  }
}

/** Lets Node's event loop run (I/O callbacks included) before the next step. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
