// Public API of @llmts/sample: logits processors, the seeded Sampler, stop strings, streaming
// detokenization, the generate() loop, and continuous batching (ContinuousBatcher: many
// sequences decoded together, for a server). Runs in browsers; Node's memory measurement is in
// "@llmts/sample/node". See README.md.
export {
  type BatcherOptions,
  type BatchFinishReason,
  type BatchJob,
  type BatchRequest,
  type BatchResult,
  ContinuousBatcher,
  QueueFullError,
} from "./batcher.ts";
export {
  type EosSource,
  GENERATION_DEFAULTS,
  type GenerationConfig,
  type ResolvedGenerationConfig,
  readEosTokenIds,
  resolveGenerationConfig,
} from "./config.ts";
export { Continuation, type ContinuationOptions, type TokenEvent } from "./continuation.ts";
export { GenerationError } from "./errors.ts";
export { type FinishReason, type GenerateOptions, type GenerationResult, generate } from "./generate.ts";
export type { Detokenizer, SlotModel, StepModel, TextStream } from "./interfaces.ts";
export { logSumExp, type TokenLogprob, tokenLogprob } from "./logprobs.ts";
export {
  applyMinP,
  applyRepetitionPenalty,
  applyTemperature,
  applyTopK,
  applyTopP,
  argmax,
  kthLargest,
  softmaxInto,
} from "./processors.ts";
export { Sampler, type SamplingConfig, sampleIndex } from "./sampler.ts";
export { type SlotClaim, SlotTable } from "./slot-table.ts";
export { type StopResult, StopStringFilter } from "./stop-strings.ts";
export { openTextStream, StreamDecoder } from "./stream-decoder.ts";
