// A training run at the console, shared by `llmts train` and `llmts demo`: @llmts/train/node's
// prepareRun + trainRun, plus what a person at a terminal needs —
//   - the run's output directory locked for the run (a second run there is refused with our pid);
//   - a progress bar on stderr (iteration, loss, tokens/s, ETA) with evaluation lines above it;
//   - signals: Ctrl-C (SIGINT), SIGTERM (`timeout`, `docker stop`, `kill`) and SIGHUP (a closed
//     terminal) all finish the step in progress, save a checkpoint, print the resume command and
//     exit with 128 + the signal's number; a second signal quits at once, which is safe because
//     checkpoint writes are atomic;
//   - a summary of where the results are.
// Not here: flags (commands/train.ts), the training itself (packages/train).

import type { PreparedRun, TrainConfig, TrainResult } from "@llmts/train";
import { lockRunDirectory, type PrepareOptions, prepareRun, trainRun } from "@llmts/train/node";
import { asCliError } from "./errors.ts";
import { shown } from "./outputs.ts";
import { Progress } from "./train-progress.ts";

/** How a run ended, for the caller: by a signal (`interrupted`) or a spent time budget (`timedOut`). */
export interface TrainOutcome {
  result: TrainResult | null;
  out: string;
  interrupted: boolean;
  timedOut: boolean;
}

/** The signals that stop a run gracefully, with the exit code a shell reports for each (128 + n). */
const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type StopSignal = keyof typeof STOP_SIGNALS;

const err = (line: string) => process.stderr.write(`${line}\n`);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * Runs prepareRun + trainRun with a progress bar and signal handling, then prints where the
 * results are. `deadline` (the demo's time budget) stops the run after the step in progress when
 * it aborts: the weights are evaluated and saved, and the run counts as done (no signal exit
 * code). `verbose` (--verbose) also says how each batch is split over threads.
 */
export async function trainWithProgress(
  config: TrainConfig,
  options: PrepareOptions,
  { deadline, verbose = false }: { deadline?: AbortSignal; verbose?: boolean } = {},
): Promise<TrainOutcome> {
  const release = asCliError(() => lockRunDirectory(config.out));
  try {
    const run = asCliError(() => prepareRun(config, options));
    if (run.mode === "resume" && run.state.iter >= run.config.maxIters) {
      const { iter } = run.state;
      const past = iter > run.config.maxIters ? `, past --max-iters ${run.config.maxIters}` : "";
      err(
        `the run in ${shown(config.out)} is already at iteration ${iter}${past}: nothing to do ` +
          `(pass a --max-iters above ${iter} to train further)`,
      );
      return { result: null, out: config.out, interrupted: false, timedOut: false };
    }
    return await train(run, deadline, verbose);
  } finally {
    release();
  }
}

async function train(
  run: PreparedRun,
  deadline: AbortSignal | undefined,
  verbose: boolean,
): Promise<TrainOutcome> {
  const c = run.config;
  const nParams = [...run.model.parameters().values()].reduce((n, p) => n + p.size, 0);
  const m = run.model.config;
  const shape = `${plural(m.nLayer, "layer")}, ${plural(m.nHead, "head")}, ${m.arch === "gpt2" ? m.nEmbd : m.hiddenSize} wide`;
  err(
    `${run.mode === "resume" ? `resuming at iteration ${run.state.iter}: ` : ""}${m.arch} (${shape}; ` +
      `${(nParams / 1e6).toFixed(2)}M parameters), vocabulary ${run.tokenizer.vocabSize}, ` +
      `${run.splits.train.length.toLocaleString("en-US")} training / ${run.splits.val.length.toLocaleString("en-US")} validation tokens`,
  );
  err(
    `${c.maxIters} iterations of ${c.batchSize}×${c.blockSize}${c.gradientAccumulationSteps > 1 ? `×${c.gradientAccumulationSteps}` : ""} tokens, ` +
      `lr ${c.learningRate} -> ${c.minLr}, evaluating every ${c.evalInterval}; writing ${shown(c.out)}/ (Ctrl-C saves and stops)`,
  );
  if (verbose) err(`llmts: each batch split over ${plural(c.dataParallel, "data-parallel thread")}`);

  const controller = new AbortController();
  let stoppedBy: StopSignal | null = null;
  const progress = new Progress(c.maxIters, run.state.iter);
  const onSignal = (signal: StopSignal) => {
    if (controller.signal.aborted) {
      progress.stop();
      err("llmts: stopped without saving this step (the last checkpoint in the output directory is intact)");
      process.exit(STOP_SIGNALS[signal]);
    }
    stoppedBy = signal;
    controller.abort();
    const name = signal === "SIGINT" ? "Ctrl-C" : signal;
    progress.log(`${name}: finishing this step and saving a checkpoint (send it again to quit at once)`);
  };
  const handlers = (Object.keys(STOP_SIGNALS) as StopSignal[]).map((signal) => {
    const handler = () => onSignal(signal);
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  const onDeadline = () =>
    progress.log(`time budget spent: stopping after this step (planned: ${c.maxIters} steps) and saving`);
  deadline?.addEventListener("abort", onDeadline, { once: true });
  let result: TrainResult;
  try {
    result = await asCliErrorAsync(() =>
      trainRun(run, {
        signal: deadline ? AbortSignal.any([controller.signal, deadline]) : controller.signal,
        // Stopped by the deadline, not a signal: one more evaluation, so the last losses are current.
        evaluateOnStop: () => !controller.signal.aborted,
        onStep: (r) => progress.step(r.iter + 1, r.train_loss, r.tokens_per_second),
        onEval: (r) =>
          progress.log(
            `iter ${r.iter}: train loss ${r.train_loss.toFixed(4)}, val loss ${r.val_loss.toFixed(4)}`,
          ),
      }),
    );
  } finally {
    progress.stop();
    for (const off of handlers) off();
    deadline?.removeEventListener("abort", onDeadline);
  }

  const minutes = Math.floor(result.trainSeconds / 60);
  const seconds = Math.round(result.trainSeconds % 60);
  const last = result.lastEval;
  const losses = last
    ? `; train loss ${last.train_loss.toFixed(4)}, val loss ${last.val_loss.toFixed(4)}` +
      (last.iter === result.iter ? "" : ` (evaluated at iteration ${last.iter})`)
    : "";
  // A signal aborts `controller`; a stop that did not come from it came from the deadline.
  const stoppedEarly = result.stopped === "interrupted";
  const interrupted = stoppedEarly && stoppedBy !== null;
  const timedOut = stoppedEarly && !interrupted;
  const ended = interrupted ? "stopped" : timedOut ? "time budget spent" : "done";
  err(
    `${ended} at iteration ${result.iter}${timedOut ? ` of ${c.maxIters}` : ""}: ${minutes}m${String(seconds).padStart(2, "0")}s of training, ` +
      `${Math.round(result.trainSeconds > 0 ? result.tokensSeen / result.trainSeconds : 0)} tokens/s on average${losses}`,
  );
  err(
    `checkpoint: ${shown(c.out)}/ (config.json, model.safetensors, tokenizer.json; optimizer.safetensors and training_state.json for --resume)`,
  );
  err(`metrics: ${shown(c.out)}/metrics.jsonl, loss curve: ${shown(c.out)}/loss.svg`);
  if (interrupted && stoppedBy !== null) {
    err(`continue with: npx -y pnpm@12.21.0 llmts train --resume --out ${shown(c.out)}`);
    process.exitCode = STOP_SIGNALS[stoppedBy as StopSignal];
  }
  return { result, out: c.out, interrupted, timedOut };
}

/** asCliError for a promise. */
async function asCliErrorAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    return asCliError(() => {
      throw error;
    });
  }
}
