// The forge: a model trained in the worker, with @llmts/train's browser-safe core — newRun (a
// character vocabulary, the 90/10 split, the model, AdamW) and trainLoop, the loop `llmts train`
// runs, step for step. The page watches it through the loop's onStep / onEval hooks; Pause and
// Stop abort the loop through its AbortSignal between two steps. Pause keeps the run (its step
// count, optimizer moments and random streams) and a later resume calls trainLoop on it again,
// continuing exactly where it stopped; Stop ends it and the weights are frozen.
// Every evaluation also samples a short text from the weights as they are, so the page can show
// the model learning to write.
// Not here: queries on the frozen model (spark.ts), files (checkpoint-files.ts).

import { stepModel } from "@llmts/model";
import { generate } from "@llmts/sample";
import { noGrad } from "@llmts/tensor";
import { CharTokenizer } from "@llmts/tokenizer";
import {
  type EvalRecord,
  newRun,
  type PreparedRun,
  type StepRecord,
  type TrainConfig,
  trainLoop,
} from "@llmts/train";
import { forwardFlops, generationFlops, trainStepFlops } from "../shared/flops.ts";

/** Characters in each sample, and how it is drawn (fixed seed: the same weights give the same sample). */
const SAMPLE = { tokens: 120, temperature: 0.8, seed: 7 };

export interface ForgeHooks {
  step(record: StepRecord, elapsedMs: number): void;
  eval(record: EvalRecord): void;
  sample(iter: number, text: string): void;
}

export class Forge {
  readonly run: PreparedRun;
  /** FLOPs spent so far: training steps, evaluations and samples. */
  flops = 0;
  private controller: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private activeMs = 0;
  private runningSince = 0;
  private readonly samplePrompt: number[];

  /** Builds the run; throws @llmts/train's errors (an empty corpus, a corpus too short for a window). */
  constructor(
    corpus: string,
    config: TrainConfig,
    private readonly hooks: ForgeHooks,
  ) {
    this.run = newRun(config, corpus, { tokenizer: CharTokenizer.fromText(corpus) });
    // Samples start from a line break when the corpus has one, else from its first character.
    const tokenizer = this.run.tokenizer;
    const newline = tokenizer.tokenToId("\n");
    this.samplePrompt = [newline ?? this.run.splits.train[0]!];
  }

  get running(): boolean {
    return this.loop !== null;
  }

  /** Steps done: the number of times AdamW has updated the weights. */
  get steps(): number {
    return this.run.state.iter;
  }

  get finished(): boolean {
    return this.run.state.iter >= this.run.config.maxIters;
  }

  elapsedMs(): number {
    return this.activeMs + (this.loop === null ? 0 : performance.now() - this.runningSince);
  }

  /** Trains until maxIters or until pause(); resolves when the loop has returned. */
  start(): Promise<void> {
    if (this.loop !== null) return this.loop;
    const controller = new AbortController();
    this.controller = controller;
    this.runningSince = performance.now();
    const c = this.run.config;
    const modelConfig = this.run.model.config;
    const stepFlops = trainStepFlops(modelConfig, c.batchSize * c.gradientAccumulationSteps, c.blockSize);
    const evalFlops = 2 * c.evalIters * c.batchSize * forwardFlops(modelConfig, 0, c.blockSize, c.blockSize);
    this.loop = trainLoop(this.run, {
      signal: controller.signal,
      onStep: (record) => {
        this.flops += stepFlops;
        this.hooks.step(record, this.elapsedMs());
      },
      onEval: (record) => {
        this.flops += evalFlops;
        this.hooks.eval(record);
        this.hooks.sample(record.iter, this.sample());
      },
    }).then(
      () => this.ended(),
      (error: unknown) => {
        this.ended();
        throw error;
      },
    );
    return this.loop;
  }

  /** Asks the loop to stop after the step in progress; resolves once it has. */
  async pause(): Promise<void> {
    this.controller?.abort();
    await this.loop;
  }

  private ended(): void {
    this.activeMs += performance.now() - this.runningSince;
    this.loop = null;
    this.controller = null;
  }

  /** A short text from the weights as they are now (dropout off, nothing recorded). */
  private sample(): string {
    const { model, tokenizer } = this.run;
    const result = noGrad(() =>
      generate(
        stepModel(model),
        this.samplePrompt,
        {
          max_new_tokens: SAMPLE.tokens,
          temperature: SAMPLE.temperature,
          seed: SAMPLE.seed,
          crop_context: true,
        },
        { tokenizer },
      ),
    );
    this.flops += generationFlops(
      model.config,
      this.samplePrompt.length,
      result.generated_ids.length,
      model.contextLength,
    );
    return result.text;
  }
}
