// Node entry point of @llmts/train (`import ... from "@llmts/train/node"`): training with files
// and threads — a run prepared from --data files or resumed from a checkpoint directory, the loop
// writing metrics.jsonl, checkpoints and loss.svg as it goes, and data parallelism over
// worker_threads. Everything else is in the main entry point and runs in browsers too.
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
} from "./checkpoint.ts";
export { LOCK_FILE, lockRunDirectory } from "./lock.ts";
export { MetricsLog } from "./metrics-log.ts";
export { GradientWorkers, shareParameters } from "./parallel.ts";
export { type PrepareOptions, prepareRun } from "./prepare.ts";
export { readTextFiles } from "./text.ts";
export { type RunOptions, trainRun, writeLossCurve } from "./train-run.ts";
