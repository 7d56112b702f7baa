// A training run with its files: ../loop.ts's trainLoop, plus what it leaves in config.out —
//
//   metrics.jsonl   a line per step and per evaluation, appended as they happen (metrics-log.ts)
//   checkpoints     at every evaluation, when stopped, at the end (checkpoint.ts, crash-safe)
//   loss.svg        redrawn from metrics.jsonl with every checkpoint (../svg.ts)
//
// and, with config.dataParallel > 1, the worker threads that split each batch (parallel.ts).
// Not here: the loop itself, preparing the run (prepare.ts), console output (apps/cli).

import { existsSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@llmts/safetensors/node";
import { type LoopOptions, type TrainResult, trainLoop } from "../loop.ts";
import type { PreparedRun } from "../run.ts";
import { lossCurveSvg } from "../svg.ts";
import { type CheckpointProbe, saveCheckpoint } from "./checkpoint.ts";
import { MetricsLog } from "./metrics-log.ts";
import { GradientWorkers } from "./parallel.ts";

export interface RunOptions extends Omit<LoopOptions, "checkpoint" | "dataParallel"> {
  /** Called after each checkpoint is on disk, with its iteration. */
  onCheckpoint?: (iter: number) => void;
  /** Tests: observe (or interrupt) each step of the checkpoint protocol. */
  probe?: CheckpointProbe;
}

/** Trains `run` (from prepareRun) to config.maxIters or until aborted, writing its files as it goes. */
export async function trainRun(run: PreparedRun, options: RunOptions = {}): Promise<TrainResult> {
  const out = run.config.out;
  const metrics = new MetricsLog(join(out, "metrics.jsonl"));
  const workers =
    run.config.dataParallel > 1 ? await GradientWorkers.start(run.model, run.config.dataParallel) : null;
  try {
    const result = await trainLoop(run, {
      ...options,
      dataParallel: workers,
      onStep: (record) => {
        metrics.append(record);
        options.onStep?.(record);
      },
      onEval: (record) => {
        metrics.append(record);
        options.onEval?.(record);
      },
      checkpoint: ({ model, tokenizer, optimizer, state }) => {
        saveCheckpoint(out, { model, tokenizer, optimizer, state }, options.probe);
        writeLossCurve(out);
        options.onCheckpoint?.(state.iter);
      },
    });
    writeLossCurve(out);
    return result;
  } finally {
    await workers?.close();
  }
}

/** Redraws DIR/loss.svg from DIR/metrics.jsonl (atomically, so a viewer never sees half a file). */
export function writeLossCurve(dir: string): void {
  const records = new MetricsLog(join(dir, "metrics.jsonl")).read();
  if (records.length === 0 && !existsSync(join(dir, "metrics.jsonl"))) return;
  writeFileAtomic(join(dir, "loss.svg"), [lossCurveSvg(records, `training loss — ${dir}`)]);
}
