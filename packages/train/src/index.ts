// Public API of @llmts/train: data batches, AdamW, the learning-rate schedule, gradient clipping,
// checkpoints, metrics and the training loop. See README.md.
export { AdamW, type AdamWOptions, type AdamWState } from "./adamw.ts";
export {
  type CheckpointParts,
  type CheckpointProbe,
  hasCheckpoint,
  OPTIMIZER_FILE,
  readOptimizerState,
  readTrainingState,
  recoverCheckpoint,
  type Savable,
  STATE_FILE,
  saveCheckpoint,
  type TrainingState,
} from "./checkpoint.ts";
export { clipGradNorm } from "./clip.ts";
export {
  DEFAULT_TRAIN_CONFIG,
  flag,
  lrDecayItersOf,
  modelConfigFor,
  type TrainConfig,
  validateConfig,
} from "./config.ts";
export {
  checkSplits,
  FILE_SEPARATOR,
  getBatch,
  readTextFiles,
  splitTokens,
  type TokenSplits,
} from "./data.ts";
export { DataError, TrainError } from "./errors.ts";
export { type LoopOptions, type TrainResult, trainLoop } from "./loop.ts";
export { type EvalRecord, isEvalRecord, MetricsLog, type MetricsRecord, type StepRecord } from "./metrics.ts";
export { GradientWorkers, shareParameters } from "./parallel.ts";
export { type PreparedRun, type PrepareOptions, prepareRun, writeLossCurve } from "./run.ts";
export { getLr, type LrSchedule } from "./schedule.ts";
export { lossCurveSvg } from "./svg.ts";
