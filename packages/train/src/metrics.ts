// metrics.jsonl: one JSON object per line, appended as training goes, so a crashed or running job
// can be plotted at any time (`loss.svg` is drawn from it, see svg.ts).
//
// A step line, written after every optimizer step:
//   {"iter": 41, "train_loss": 2.5312, "lr": 0.00042, "tokens_per_second": 1830.2,
//    "grad_norm": 0.87, "step_ms": 419.6}
// An evaluation line, written every eval-interval iterations (before that iteration's step, like
// nanoGPT) and after the last step:
//   {"iter": 250, "train_loss": 2.21, "val_loss": 2.29, "lr": 0.00096, "tokens_per_second": 1791.5}
//
//   iter               optimizer steps completed when the numbers were taken (step line: this
//                      step's index, i.e. the loss is that of the weights after `iter` steps)
//   train_loss         step line: mean cross-entropy (nats/token) of this step's batch (over its
//                      gradient-accumulation micro-batches); evaluation line: mean over eval-iters
//                      random training batches, without dropout
//   val_loss           evaluation lines only: the same on the validation split
//   lr                 the learning rate of step `iter` (getLr)
//   tokens_per_second  step line: this step's tokens / its wall time; evaluation line: the
//                      average over every step of the run so far (evaluations excluded)
//   grad_norm          step lines: the global gradient norm before clipping
//   step_ms            step lines: wall time of the step (forward, backward, clip, AdamW)
// Not here: the file itself (node/metrics-log.ts), the plot (svg.ts), console output (the CLI's progress bar).

export interface StepRecord {
  iter: number;
  train_loss: number;
  lr: number;
  tokens_per_second: number;
  grad_norm: number;
  step_ms: number;
}

export interface EvalRecord {
  iter: number;
  train_loss: number;
  val_loss: number;
  lr: number;
  tokens_per_second: number;
}

export type MetricsRecord = StepRecord | EvalRecord;

export function isEvalRecord(r: MetricsRecord): r is EvalRecord {
  return "val_loss" in r;
}
