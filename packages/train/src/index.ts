// Public API of @llmts/train, platform-neutral (a browser worker can train with it): the run
// config, data batches, one training step, AdamW, the learning-rate schedule, gradient clipping,
// the loop, metrics records and the training state. Files — reading text, checkpoints,
// metrics.jsonl, loss.svg — and worker threads are in "@llmts/train/node". See README.md.
export { AdamW, type AdamWOptions, type AdamWState } from "./adamw.ts";
export { clipGradNorm } from "./clip.ts";
export {
  configFromJson,
  configToJson,
  DEFAULT_TRAIN_CONFIG,
  flag,
  lrDecayItersOf,
  modelConfigFor,
  type TrainConfig,
  validateConfig,
} from "./config.ts";
export { checkSplits, FILE_SEPARATOR, getBatch, splitTokens, type TokenSplits } from "./data.ts";
export { DataError, TrainError } from "./errors.ts";
export {
  activationValues,
  checkModelFits,
  checkRunFits,
  countParameters,
  formatBytes,
  MAX_TENSOR_ELEMENTS,
  MAX_TOKENS_PER_STEP,
  type ParameterCount,
} from "./footprint.ts";
export { type DataParallel, type LoopOptions, type TrainResult, trainLoop } from "./loop.ts";
export { type EvalRecord, isEvalRecord, type MetricsRecord, type StepRecord } from "./metrics.ts";
export { checkResumeOverrides, newRun, type PreparedRun } from "./run.ts";
export { getLr, type LrSchedule } from "./schedule.ts";
export { stateFromJson, stateToJson, type TrainingState } from "./state.ts";
export { applyGradients, type Batch, DivergedError, type Optimizer, trainStep } from "./step.ts";
export { lossCurveSvg } from "./svg.ts";
