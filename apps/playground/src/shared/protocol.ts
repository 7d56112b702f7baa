// The messages between the page (main thread) and its worker (where every model runs). The page
// asks; the worker answers with events that carry the request's id, streaming as it goes.
//
//   page -> worker   train | pause | resume | stop | query | load | download | finetune | kernels
//   worker -> page   step, eval, sample (training)  token, text, query-done (a query)  state (weights)
//                    loaded, checkpoint, finetune-step, kernels, error
//
// Numbers cross as numbers; the page formats them. Files cross as File objects (the worker reads
// them, so a 500 MB checkpoint never blocks the page); a download crosses as transferred bytes.
// Not here: what either side does with them (page/worker-client.ts, worker/worker.ts).

import type { TrainConfig } from "@llmts/train";

/** The knobs of a query: @llmts/sample's GenerationConfig fields, as `llmts generate` takes them. */
export interface QuerySettings {
  temperature: number;
  top_p: number;
  top_k: number;
  max_new_tokens: number;
  seed: number;
  stop_strings: string[];
  crop_context: boolean;
}

export type Request =
  | { type: "train"; id: number; corpus: string; config: TrainConfig }
  | { type: "pause"; id: number }
  | { type: "resume"; id: number }
  | { type: "stop"; id: number }
  /** `cancel`: an Int32Array's buffer the page sets to 1 to stop a query between tokens. */
  | { type: "query"; id: number; prompt: string; settings: QuerySettings; cancel?: SharedArrayBuffer }
  | { type: "load"; id: number; files: File[] }
  | { type: "download"; id: number }
  /** Fine-tunes a copy of the frozen model on `text`, then answers `prompt` with the copy. */
  | {
      type: "finetune";
      id: number;
      text: string;
      steps: number;
      learningRate: number;
      prompt: string;
      settings: QuerySettings;
    }
  | { type: "kernels"; id: number; name: string };

export type WeightsState = "empty" | "training" | "paused" | "frozen";

/** What the worker holds: the model being trained, or the frozen one queries run on. */
export interface ModelSummary {
  source: "trained" | "loaded";
  modelType: string;
  parameters: number;
  layers: number;
  contextLength: number;
  vocabSize: number;
  tokenizer: string;
  checksum: string;
}

export interface QueryStats {
  promptTokens: number;
  generatedIds: number[];
  text: string;
  finishReason: "length" | "eos_token" | "stop_sequence" | "cancelled";
  responseMs: number;
  ttftMs: number;
  /** Tokens after the first per second of decoding; null when not measurable (one token). */
  decodeTokensPerSecond: number | null;
  flops: number;
  /** Optimizer steps taken while the query ran: always 0 — inference only reads the weights. */
  weightUpdates: number;
  checksumBefore: string;
  checksumAfter: string;
  contextCrops: number;
}

export interface KernelsInfo {
  /** The backend that runs every op now. */
  name: string;
  choices: string[];
  /** What it runs, per op, in one line. */
  description: string;
}

export type WorkerEvent =
  | { type: "ready"; kernels: KernelsInfo; isolated: boolean }
  | { type: "corpus"; id: number; characters: number; tokens: number; vocabSize: number; parameters: number }
  | {
      type: "step";
      id: number;
      iter: number;
      maxIters: number;
      loss: number;
      lr: number;
      tokensPerSecond: number;
      elapsedMs: number;
      weightUpdates: number;
      trainingFlops: number;
    }
  | { type: "eval"; id: number; iter: number; trainLoss: number; valLoss: number }
  | { type: "sample"; id: number; iter: number; text: string }
  | { type: "state"; weights: WeightsState; model: ModelSummary | null; trainingFlops: number }
  /** A sampled token (the network picture lights up), then, once complete, its text. */
  | { type: "token"; id: number; tokenId: number; token: string }
  | { type: "text"; id: number; piece: string }
  | { type: "query-done"; id: number; stats: QueryStats }
  | { type: "loaded"; id: number; readMs: number; parseMs: number; coldStartMs: number; notes: string[] }
  | { type: "checkpoint"; id: number; files: { name: string; bytes: Uint8Array }[] }
  | { type: "finetune-step"; id: number; step: number; steps: number; loss: number; checksum: string }
  | { type: "kernels"; id: number; kernels: KernelsInfo }
  /** `hint` "sliding-window": the query does not fit in the context window; crop_context would let it. */
  | { type: "error"; id: number; request: Request["type"]; message: string; hint?: "sliding-window" };
