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
// Not here: the plot (svg.ts), console output (the CLI's progress bar).

import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "@llmts/safetensors/node";

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

/** Appends records to a metrics.jsonl file. */
export class MetricsLog {
  constructor(readonly path: string) {}

  append(record: MetricsRecord): void {
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
  }

  /** Every record in the file (a torn last line from a killed process is skipped). */
  read(): MetricsRecord[] {
    if (!existsSync(this.path)) return [];
    const records: MetricsRecord[] = [];
    for (const line of readFileSync(this.path, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      try {
        records.push(JSON.parse(line) as MetricsRecord);
      } catch {
        // only the last line can be torn (appends are sequential); nothing after it to lose
      }
    }
    return records;
  }

  /** Rewrites the file with the records that `keep` accepts (atomically: writeFileAtomic). */
  filter(keep: (r: MetricsRecord) => boolean): MetricsRecord[] {
    const kept = this.read().filter(keep);
    writeFileAtomic(this.path, [kept.map((r) => `${JSON.stringify(r)}\n`).join("")]);
    return kept;
  }
}
