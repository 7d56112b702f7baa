// Public API of @llmts/sample: logits processors, the seeded Sampler, stop strings, streaming
// detokenization and the generate() loop. Runs in browsers; Node's memory measurement is in
// "@llmts/sample/node". See README.md.
export {
  type EosSource,
  GENERATION_DEFAULTS,
  type GenerationConfig,
  type ResolvedGenerationConfig,
  readEosTokenIds,
  resolveGenerationConfig,
} from "./config.ts";
export { GenerationError } from "./errors.ts";
export { type FinishReason, type GenerateOptions, type GenerationResult, generate } from "./generate.ts";
export type { Detokenizer, StepModel, TextStream } from "./interfaces.ts";
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
export { type StopResult, StopStringFilter } from "./stop-strings.ts";
export { openTextStream, StreamDecoder } from "./stream-decoder.ts";
