// The training loop, nanoGPT's train.py in miniature. One iteration:
//
//   lr = getLr(iter)                                   warmup, then cosine (schedule.ts)
//   if iter % evalInterval == 0: evaluate, report, checkpoint   (and once more after the last step)
//   one optimizer step: trainStep per micro-batch, clip, AdamW   (step.ts)
//
// Three random streams, so that each is reproducible on its own: batches (saved), dropout masks
// (saved), and evaluation batches (a fresh Rng(seed + 3) at every evaluation: every evaluation
// scores the same batches, and evaluating never shifts the training stream — which is what makes
// a resumed run bit-for-bit identical to an uninterrupted one).
// The loop yields to the event loop after every step, so a Ctrl-C handler (or a deadline, or a
// browser page's Stop button) can ask it to stop via the AbortSignal; it then checkpoints —
// evaluated first if evaluateOnStop says so — and returns.
// It touches no files: what a checkpoint or a metrics line means on disk is the caller's
// (node/train-run.ts writes them; a browser page keeps them in memory).
// Not here: building the model and data (run.ts), files (node/), console output.

import { crossEntropy, noGrad, Rng } from "@llmts/tensor";
import { lrDecayItersOf } from "./config.ts";
import { getBatch } from "./data.ts";
import { TrainError } from "./errors.ts";
import type { EvalRecord, StepRecord } from "./metrics.ts";
import type { PreparedRun } from "./run.ts";
import { getLr } from "./schedule.ts";
import { applyGradients, DivergedError, trainStep } from "./step.ts";

/**
 * A batch's gradient computed by several threads (data parallelism, node/parallel.ts): adds
 * scale · ∇(mean loss over the B rows of x, y) into every parameter's .grad and returns that loss.
 * `seeds` holds one dropout seed per shard (count).
 */
export interface DataParallel {
  /** Shards a batch is split into: one per thread. */
  readonly count: number;
  backward(
    x: Int32Array,
    y: Int32Array,
    B: number,
    T: number,
    seeds: number[],
    scale: number,
  ): Promise<number>;
}

export interface LoopOptions {
  /** Abort to stop after the current step: the loop checkpoints and returns "interrupted". */
  signal?: AbortSignal;
  /**
   * Asked when `signal` has stopped the run: true = evaluate the weights before the checkpoint
   * (one more evaluation), so the run's last numbers describe its checkpoint. The CLI says yes for
   * `llmts demo`'s deadline and no for Ctrl-C, which should stop at once.
   */
  evaluateOnStop?: () => boolean;
  onStep?: (record: StepRecord) => void;
  onEval?: (record: EvalRecord) => void;
  /**
   * Save everything a resume needs, now (run.state.rng is current when this is called): at every
   * evaluation after the first, when stopped, and at the end. Without it nothing is saved.
   */
  checkpoint?: (run: PreparedRun) => void;
  /** Split each batch over threads; default: every batch on this thread. */
  dataParallel?: DataParallel | null;
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
  const params = [...model.parameters().values()];
  const parallel = options.dataParallel ?? null;
  const tokensPerStep = c.batchSize * c.blockSize * c.gradientAccumulationSteps;
  const averageSpeed = () => (state.trainSeconds > 0 ? state.tokensSeen / state.trainSeconds : 0);
  const schedule = { ...c, lrDecayIters: lrDecayItersOf(c) };
  let lastEval: EvalRecord | null = null;
  // The iteration of the checkpoint on disk: where a resumed run started, then each save.
  let savedAt = run.mode === "resume" ? state.iter : -1;

  const save = () => {
    state.rng = { data: run.dataRng.getState(), dropout: run.dropoutRng.getState() };
    options.checkpoint?.(run);
    savedAt = state.iter;
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
    return {
      iter: state.iter,
      train_loss: meanLoss(splits.train),
      val_loss: meanLoss(splits.val),
      lr,
      tokens_per_second: averageSpeed(),
    };
  };

  // One optimizer step at iteration `it`: trainStep on each micro-batch (or its shards), then AdamW.
  const step = async (it: number, lr: number): Promise<StepRecord> => {
    const start = performance.now();
    let lossSum = 0;
    // Dividing by the number of micro-batches makes the summed gradients those of their mean.
    const scale = 1 / c.gradientAccumulationSteps;
    for (let micro = 0; micro < c.gradientAccumulationSteps; micro++) {
      const batch = getBatch(splits.train, c.batchSize, c.blockSize, run.dataRng); // int32 [B, T]
      if (parallel === null) {
        lossSum += trainStep(model, batch, scale, run.dropoutRng);
      } else {
        // One dropout seed per shard from the dropout stream, in shard order.
        const seeds = Array.from({ length: parallel.count }, () => run.dropoutRng.nextUint32());
        const [x, y] = [batch.x.dataSync() as Int32Array, batch.y.dataSync() as Int32Array];
        lossSum += await parallel.backward(x, y, c.batchSize, c.blockSize, seeds, scale);
      }
    }
    let gradNorm: number;
    try {
      if (!Number.isFinite(lossSum)) throw new DivergedError("training loss", lossSum);
      gradNorm = applyGradients(params, optimizer, lr, c.gradClip);
    } catch (error) {
      if (!(error instanceof DivergedError)) throw error;
      const last =
        savedAt >= 0 ? `the checkpoint of iteration ${savedAt} is intact` : "no checkpoint was written";
      throw new TrainError(
        `${error.message} at iteration ${it} (learning rate ${lr.toPrecision(3)}): training stopped before ` +
          `the weights changed; ${last}. A lower --learning-rate (or --grad-clip) usually keeps it finite`,
      );
    }
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

  // Evaluates at iteration `it` (unless already reported) and records it as the latest evaluation.
  const evaluateOnce = (it: number, lr: number) => {
    if (state.lastEvalIter === it) return;
    if (c.evalIters > 0) {
      lastEval = evaluate(lr);
      if (state.bestValLoss === null || lastEval.val_loss < state.bestValLoss)
        state.bestValLoss = lastEval.val_loss;
      options.onEval?.(lastEval);
    }
    state.lastEvalIter = it;
  };

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

    const record = await step(it, lr);
    state.iter = it + 1;
    state.tokensSeen += tokensPerStep;
    state.trainSeconds += record.step_ms / 1000;
    options.onStep?.(record);
    // Let pending events (a Ctrl-C handler, a page's Stop button) run before the next step.
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
  if (savedAt !== state.iter) save();
  return result("finished");
}
