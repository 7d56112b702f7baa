// The training loop, nanoGPT's train.py in miniature. One iteration:
//
//   lr = getLr(iter)                                   warmup, then cosine (schedule.ts)
//   if iter % evalInterval == 0: evaluate, log, save   (and once more after the last step)
//   repeat gradientAccumulationSteps times:
//     x, y = getBatch(train)                           int32 [B, T] each (data.ts)
//     loss = crossEntropy(model(x), y) / steps          dropout on
//     loss.backward()                                  gradients add up across micro-batches
//   clipGradNorm(params, gradClip)                     (clip.ts)
//   adamw.step(lr); zero the gradients                 (adamw.ts)
//
// Three random streams, so that each is reproducible on its own: batches (saved), dropout masks
// (saved), and evaluation batches (a fresh Rng(seed + 3) at every evaluation: every evaluation
// scores the same batches, and evaluating never shifts the training stream — which is what makes
// a resumed run bit-for-bit identical to an uninterrupted one).
// With config.threads > 1 the micro-batches' rows are split over worker threads (parallel.ts).
// The loop awaits the event loop after every step so a SIGINT handler (or a deadline) can ask it
// to stop via the AbortSignal; it then saves a checkpoint — evaluated first if evaluateOnStop
// says so — and returns.
// Not here: building the model and data (run.ts), files (checkpoint.ts, metrics.ts), console output.

import { join } from "node:path";
import { crossEntropy, noGrad, Rng } from "@llmts/tensor";
import { type CheckpointProbe, saveCheckpoint } from "./checkpoint.ts";
import { clipGradNorm } from "./clip.ts";
import { lrDecayItersOf } from "./config.ts";
import { getBatch } from "./data.ts";
import { type EvalRecord, MetricsLog, type StepRecord } from "./metrics.ts";
import { GradientWorkers } from "./parallel.ts";
import { type PreparedRun, writeLossCurve } from "./run.ts";
import { getLr } from "./schedule.ts";

export interface LoopOptions {
  /** Abort to stop after the current step: the loop saves a checkpoint and returns "interrupted". */
  signal?: AbortSignal;
  /**
   * Asked when `signal` has stopped the run: true = evaluate the weights before saving (one more
   * evaluation line), so the run's last numbers describe its checkpoint. The CLI says yes for
   * `llmts demo`'s deadline and no for Ctrl-C, which should stop at once.
   */
  evaluateOnStop?: () => boolean;
  onStep?: (record: StepRecord) => void;
  onEval?: (record: EvalRecord) => void;
  onCheckpoint?: (iter: number) => void;
  /** Tests: observe (or interrupt) each step of the checkpoint protocol. */
  probe?: CheckpointProbe;
}

export interface TrainResult {
  /** Optimizer steps completed. */
  iter: number;
  stopped: "finished" | "interrupted";
  lastEval: EvalRecord | null;
  tokensSeen: number;
  trainSeconds: number;
}

/** Trains `run` from run.state.iter up to config.maxIters (or until aborted). */
export async function trainLoop(run: PreparedRun, options: LoopOptions = {}): Promise<TrainResult> {
  const { config: c, model, optimizer, splits, state } = run;
  const schedule = { ...c, lrDecayIters: lrDecayItersOf(c) };
  const metrics = new MetricsLog(join(c.out, "metrics.jsonl"));
  const params = [...model.parameters().values()];
  const tokensPerStep = c.batchSize * c.blockSize * c.gradientAccumulationSteps;
  const averageSpeed = () => (state.trainSeconds > 0 ? state.tokensSeen / state.trainSeconds : 0);
  let lastEval: EvalRecord | null = null;
  let savedAt = -1;

  const save = () => {
    state.rng = { data: run.dataRng.getState(), dropout: run.dropoutRng.getState() };
    saveCheckpoint(c.out, { model, tokenizer: run.tokenizer, optimizer, state }, options.probe);
    writeLossCurve(c.out);
    savedAt = state.iter;
    options.onCheckpoint?.(state.iter);
  };

  // Mean loss over evalIters batches of each split, weights as they are, dropout off, no graph.
  const evaluate = (lr: number): EvalRecord => {
    const rng = new Rng(c.seed + 3);
    const meanLoss = (data: Int32Array) =>
      noGrad(() => {
        let total = 0;
        for (let k = 0; k < c.evalIters; k++) {
          const { x, y } = getBatch(data, c.batchSize, c.blockSize, rng);
          total += crossEntropy(model.forward(x), y).item();
        }
        return total / c.evalIters;
      });
    const trainLoss = meanLoss(splits.train);
    const valLoss = meanLoss(splits.val);
    return {
      iter: state.iter,
      train_loss: trainLoss,
      val_loss: valLoss,
      lr,
      tokens_per_second: averageSpeed(),
    };
  };

  // One optimizer step at iteration `it`: forward/backward over the micro-batches, clip, AdamW.
  const step = async (it: number, lr: number, workers: GradientWorkers | null): Promise<StepRecord> => {
    const start = performance.now();
    let lossSum = 0;
    // Dividing by the number of micro-batches makes the summed gradients those of their mean.
    const scale = 1 / c.gradientAccumulationSteps;
    for (let micro = 0; micro < c.gradientAccumulationSteps; micro++) {
      const { x, y } = getBatch(splits.train, c.batchSize, c.blockSize, run.dataRng); // int32 [B, T]
      if (workers) {
        // Rows split over threads (parallel.ts); one dropout seed per shard from the dropout stream.
        const seeds = Array.from({ length: workers.count + 1 }, () => run.dropoutRng.nextUint32());
        const [xs, ys] = [x.dataSync() as Int32Array, y.dataSync() as Int32Array];
        lossSum += await workers.backward(xs, ys, c.batchSize, c.blockSize, seeds, scale);
        continue;
      }
      const logits = model.forward(x, { training: true, rng: run.dropoutRng }); // [B, T, V]
      const loss = crossEntropy(logits, y);
      lossSum += loss.item();
      (scale === 1 ? loss : loss.mul(scale)).backward();
    }
    const gradNorm = clipGradNorm(params, c.gradClip > 0 ? c.gradClip : Number.POSITIVE_INFINITY);
    optimizer.step(lr);
    optimizer.zeroGrad();
    const seconds = (performance.now() - start) / 1000;
    return {
      iter: it,
      train_loss: lossSum / c.gradientAccumulationSteps,
      lr,
      tokens_per_second: tokensPerStep / seconds,
      grad_norm: gradNorm,
      step_ms: seconds * 1000,
    };
  };

  const result = (stopped: TrainResult["stopped"]): TrainResult => ({
    iter: state.iter,
    stopped,
    lastEval,
    tokensSeen: state.tokensSeen,
    trainSeconds: state.trainSeconds,
  });

  // Evaluates at iteration `it` (unless already logged) and records it as the latest evaluation.
  const evaluateOnce = (it: number, lr: number) => {
    if (state.lastEvalIter === it) return;
    if (c.evalIters > 0) {
      lastEval = evaluate(lr);
      metrics.append(lastEval);
      if (state.bestValLoss === null || lastEval.val_loss < state.bestValLoss)
        state.bestValLoss = lastEval.val_loss;
      options.onEval?.(lastEval);
    }
    state.lastEvalIter = it;
  };

  const workers = c.threads > 1 ? await GradientWorkers.start(model, c.threads - 1) : null;
  try {
    for (;;) {
      const it = state.iter;
      const lr = getLr(it, schedule);
      const evalDue = it % c.evalInterval === 0 || it === c.maxIters;
      if (evalDue && state.lastEvalIter !== it) {
        evaluateOnce(it, lr);
        if (it > 0) save();
      }
      if (it >= c.maxIters) break;
      if (options.signal?.aborted) {
        if (options.evaluateOnStop?.()) evaluateOnce(it, lr);
        if (savedAt !== it) save();
        return result("interrupted");
      }

      const record = await step(it, lr, workers);
      state.iter = it + 1;
      state.tokensSeen += tokensPerStep;
      state.trainSeconds += record.step_ms / 1000;
      metrics.append(record);
      options.onStep?.(record);
      // Let pending events (a Ctrl-C handler) run before the next step.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    await workers?.close();
  }
  if (savedAt !== state.iter) save();
  writeLossCurve(c.out);
  return result("finished");
}
