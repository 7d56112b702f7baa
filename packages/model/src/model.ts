// The interface every architecture implements, and the check every forward pass starts with.
// A model is its config plus a map of parameters under their Hugging Face names; forward() maps
// token ids to next-token logits. The same forward() trains (autograd records the graph when
// parameters require grad) and generates (under noGrad, with a KV cache).
// checkIds is where token ids enter a model, whoever sends them (generation, training, the
// harness): the one place they are checked against the vocabulary (checkContext: the window).
// Not here: the forward pass (decoder.ts, gpt2.ts, llama.ts), loading (load.ts), sampling
// (@llmts/sample).

import { type QuantizedMatrix, type Rng, ShapeError, type Tensor } from "@llmts/tensor";
import type { ModelConfig } from "./config.ts";
import type { KVCache } from "./kv-cache.ts";
import type { TraceRecord } from "./trace.ts";
import type { Allocate } from "./weights.ts";

export interface ForwardOptions {
  /**
   * Inference with a KV cache: row b's tokens sit at the positions after those stored in its
   * slot, their keys and values are appended, and the slot's length advances by T. Runs without
   * recording a graph.
   */
  cache?: KVCache;
  /** The cache slot of each row ([B], distinct); default row b -> slot b. See kv-cache.ts. */
  slots?: readonly number[];
  /** Dropout on (needs `rng` when the config has any dropout > 0). Default false. */
  training?: boolean;
  rng?: Rng;
  /** Compute logits for the last position only: [B, 1, V] (prefill needs nothing else). */
  lastOnly?: boolean;
  /** Appends one record per module (name, input/output shape, time) in the order they ran. */
  trace?: TraceRecord[];
}

export interface CacheOptions {
  /** Slots: sequences held side by side, one per row of a batch (default 1). */
  batchSize?: number;
  /** Longest sequence the cache holds (default and maximum: the context window). */
  maxLength?: number;
  /** Where the keys and values live (default: Float32Arrays of their own; see LoadOptions). */
  allocate?: Allocate;
}

export interface CausalLM {
  readonly config: ModelConfig;
  /** Longest sequence forward() accepts (GPT-2 n_positions, Llama max_position_embeddings). */
  readonly contextLength: number;
  readonly vocabSize: number;
  /** ids: int32 [B, T] -> logits [B, T, V] (or [B, 1, V] with lastOnly). */
  forward(ids: Tensor, options?: ForwardOptions): Tensor;
  /**
   * The trainable tensors by Hugging Face name, in the checkpoint's layout (GPT-2 Conv1D [in, out],
   * Llama Linear [out, in]). Tied embeddings appear once (no lm_head.weight). The tensors are the
   * model's own: an optimizer updating their values in place updates the model.
   */
  parameters(): Map<string, Tensor>;
  /**
   * Every weight by Hugging Face name: the float parameters and, in a quantized model, the
   * Q8_0 / Q4_0 matrices of its linear layers and token embedding (stored [out, in]).
   */
  weights(): Map<string, Tensor | QuantizedMatrix>;
  newCache(options?: CacheOptions): KVCache;
}

/** ids must be int32 [B, T] with T >= 1 and every id in [0, V). */
export function checkIds(ids: Tensor, vocabSize: number): void {
  if (ids.dtype !== "int32" || ids.ndim !== 2 || ids.shape[1] === 0) {
    throw new ShapeError(
      `forward: ids must be int32 [B, T] with T >= 1, got ${ids.dtype} [${ids.shape.join(", ")}]`,
    );
  }
  const T = ids.shape[1]!;
  const data = ids.dataSync();
  for (let i = 0; i < data.length; i++) {
    const id = data[i]!;
    if (id < 0 || id >= vocabSize) {
      // [b, t] rather than the flat index: the row and position a user can find in their input.
      const b = Math.floor(i / T);
      throw new ShapeError(
        `forward: token id ${id} at ids[${b}, ${i - b * T}] is out of range for a vocabulary of ${vocabSize}`,
      );
    }
  }
}

/** The T new tokens must fit in the window after the `past` tokens already cached. */
export function checkContext(T: number, past: number, contextLength: number): void {
  if (past + T > contextLength) {
    const where = past > 0 ? ` (${past} cached + ${T} new)` : "";
    throw new ShapeError(
      `forward: ${past + T} tokens${where} exceed the model's context of ${contextLength}`,
    );
  }
}
