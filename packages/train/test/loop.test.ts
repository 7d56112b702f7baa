// The training loop end to end on a tiny model: it learns, it logs what it promises, and a run
// interrupted and resumed is the same run, bit for bit.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { loadModel } from "@llmts/model/node";
import { CharTokenizer } from "@llmts/tokenizer";
import { afterEach, describe, expect, it } from "vitest";
import { isEvalRecord, newRun, type StepRecord, trainLoop } from "../src/index.ts";
import { GradientWorkers, MetricsLog, prepareRun, trainRun } from "../src/node/index.ts";
import { scratchDir, TEXT, tinyConfig } from "./helpers.ts";

const dirs: string[] = [];
function outDir(): string {
  const dir = scratchDir();
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("trainLoop", () => {
  it("overfits a short text: the training loss falls from ln(vocab) to below 0.6", async () => {
    const out = outDir();
    // 14 distinct characters: an untrained model is near ln(14) = 2.64 nats.
    const config = tinyConfig(out, {
      nLayer: 2,
      nEmbd: 32,
      blockSize: 16,
      batchSize: 8,
      maxIters: 150,
      warmupIters: 10,
      evalInterval: 150,
      evalIters: 4,
      learningRate: 1e-2,
      minLr: 1e-3,
      weightDecay: 0,
    });
    const run = prepareRun(config, { readText: () => TEXT });
    expect(run.tokenizer.vocabSize).toBe(14);
    const result = await trainRun(run);
    const records = new MetricsLog(join(out, "metrics.jsonl")).read();
    const steps = records.filter((r) => !isEvalRecord(r)) as StepRecord[];
    expect(steps[0]!.train_loss).toBeGreaterThan(2.3);
    expect(result.lastEval!.train_loss).toBeLessThan(0.6);
    expect(result.iter).toBe(150);
  });

  it("writes metrics.jsonl lines with exactly the documented keys", async () => {
    const out = outDir();
    await trainRun(prepareRun(tinyConfig(out, { maxIters: 7, evalInterval: 3 }), { readText: () => TEXT }));
    const lines = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n");
    const records = lines.map((l) => JSON.parse(l) as Record<string, number>);
    const stepKeys = ["grad_norm", "iter", "lr", "step_ms", "tokens_per_second", "train_loss"];
    const evalKeys = ["iter", "lr", "tokens_per_second", "train_loss", "val_loss"];
    const evals = records.filter((r) => "val_loss" in r);
    const steps = records.filter((r) => !("val_loss" in r));
    for (const r of steps) expect(Object.keys(r).sort()).toEqual(stepKeys);
    for (const r of evals) expect(Object.keys(r).sort()).toEqual(evalKeys);
    // steps 0..6; evaluations before steps 0, 3, 6 and after the last one (iter 7)
    expect(steps.map((r) => r.iter)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(evals.map((r) => r.iter)).toEqual([0, 3, 6, 7]);
    for (const r of records) for (const v of Object.values(r)) expect(Number.isFinite(v)).toBe(true);
    expect(readFileSync(join(out, "loss.svg"), "utf8")).toMatch(/^<svg[^>]*>[\s\S]*<path /);
  });

  it("resumes a run stopped at iteration 5 to exactly the losses, weights and moments of an uninterrupted run", async () => {
    // Dropout and gradient accumulation on, so both saved random streams and the optimizer matter.
    const settings = { maxIters: 10, evalInterval: 4, dropout: 0.1, gradientAccumulationSteps: 2 };
    const straight = outDir();
    await trainRun(prepareRun(tinyConfig(straight, settings), { readText: () => TEXT }));

    const stopped = outDir();
    const controller = new AbortController();
    const first = await trainRun(prepareRun(tinyConfig(stopped, settings), { readText: () => TEXT }), {
      signal: controller.signal,
      onStep: (r) => {
        if (r.iter === 4) controller.abort(); // after step 4: five steps done
      },
    });
    expect(first).toMatchObject({ iter: 5, stopped: "interrupted" });
    const resumed = prepareRun(tinyConfig(stopped), { resume: true, readText: () => TEXT });
    expect(resumed.state.iter).toBe(5);
    expect(resumed.config.dropout).toBe(0.1); // the saved run config, not the defaults passed in
    await trainRun(resumed);

    // Compare everything but the timings.
    const losses = (dir: string) =>
      new MetricsLog(join(dir, "metrics.jsonl"))
        .read()
        .map((r) =>
          isEvalRecord(r)
            ? [r.iter, r.train_loss, r.val_loss, r.lr]
            : [r.iter, r.train_loss, r.grad_norm, r.lr],
        );
    expect(losses(stopped)).toEqual(losses(straight));
    expect(losses(straight)).toHaveLength(10 + 4); // 10 steps; evaluations at 0, 4, 8, 10
    for (const file of ["model.safetensors", "optimizer.safetensors"]) {
      expect(readFileSync(join(stopped, file)).equals(readFileSync(join(straight, file)))).toBe(true);
    }
  });

  it("splits batches over threads with the same gradients as one thread, and resumes exactly with threads", async () => {
    // Without dropout, 1, 2 and 3 threads compute the same mean-loss gradient; only the order of
    // float32 sums differs, so the losses agree to ~1e-6 rather than bit for bit.
    const losses = async (threads: number, dir: string) => {
      await trainRun(
        prepareRun(tinyConfig(dir, { maxIters: 6, batchSize: 6, dataParallel: threads }), {
          readText: () => TEXT,
        }),
      );
      return new MetricsLog(join(dir, "metrics.jsonl"))
        .read()
        .filter((r) => !isEvalRecord(r))
        .map((r) => r.train_loss);
    };
    const one = await losses(1, outDir());
    for (const threads of [2, 3]) {
      const many = await losses(threads, outDir());
      for (const [i, loss] of many.entries()) expect(loss).toBeCloseTo(one[i]!, 5);
    }

    // With dropout and 2 threads, a stopped and resumed run still matches an uninterrupted one bit for bit.
    const settings = { maxIters: 6, batchSize: 6, dataParallel: 2, dropout: 0.1 };
    const straight = outDir();
    await trainRun(prepareRun(tinyConfig(straight, settings), { readText: () => TEXT }));
    const stopped = outDir();
    const controller = new AbortController();
    await trainRun(prepareRun(tinyConfig(stopped, settings), { readText: () => TEXT }), {
      signal: controller.signal,
      onStep: (r) => r.iter === 2 && controller.abort(),
    });
    await trainRun(prepareRun(tinyConfig(stopped), { resume: true, readText: () => TEXT }));
    const trainLosses = (dir: string) =>
      new MetricsLog(join(dir, "metrics.jsonl")).read().map((r) => r.train_loss);
    expect(trainLosses(stopped)).toEqual(trainLosses(straight));
    expect(
      readFileSync(join(stopped, "model.safetensors")).equals(
        readFileSync(join(straight, "model.safetensors")),
      ),
    ).toBe(true);
  });

  it("fine-tunes from a checkpoint with --init-from: its weights, tokenizer and shape, this run's dropout", async () => {
    const base = outDir();
    await trainRun(prepareRun(tinyConfig(base, { maxIters: 3, nEmbd: 24 }), { readText: () => TEXT }));
    const tuned = prepareRun(tinyConfig(outDir(), { initFrom: base, nEmbd: 999, dropout: 0.2 }), {
      readText: () => "the cat sat on the log. ".repeat(10),
    });
    expect(tuned.mode).toBe("fine-tune");
    expect(tuned.config.nEmbd).toBe(24); // the checkpoint's, recorded in the run config
    expect(tuned.tokenizer.vocabSize).toBe(14);
    expect(tuned.model.config.arch === "gpt2" && tuned.model.config.residPdrop).toBe(0.2);
    const saved = loadModel(base).model.parameters();
    for (const [name, p] of tuned.model.parameters()) expect(p.toArray()).toEqual(saved.get(name)!.toArray());
  });
});

describe("trainLoop stopped early", () => {
  it("evaluates the weights before saving when evaluateOnStop says so, and resumes to the same losses", async () => {
    const settings = { maxIters: 8, evalInterval: 4 };
    const straight = outDir();
    await trainRun(prepareRun(tinyConfig(straight, settings), { readText: () => TEXT }));

    const stopped = outDir();
    const controller = new AbortController();
    const result = await trainRun(prepareRun(tinyConfig(stopped, settings), { readText: () => TEXT }), {
      signal: controller.signal,
      evaluateOnStop: () => true,
      onStep: (r) => r.iter === 2 && controller.abort(), // three steps done
    });
    expect(result).toMatchObject({ iter: 3, stopped: "interrupted", lastEval: { iter: 3 } });
    const evalIters = (dir: string) =>
      new MetricsLog(join(dir, "metrics.jsonl"))
        .read()
        .filter(isEvalRecord)
        .map((r) => r.iter);
    expect(evalIters(stopped)).toEqual([0, 3]);

    await trainRun(prepareRun(tinyConfig(stopped), { resume: true, readText: () => TEXT }));
    expect(evalIters(stopped)).toEqual([0, 3, 4, 8]); // the stop's evaluation, then the usual ones
    const stepLosses = (dir: string) =>
      new MetricsLog(join(dir, "metrics.jsonl"))
        .read()
        .filter((r) => !isEvalRecord(r))
        .map((r) => r.train_loss);
    expect(stepLosses(stopped)).toEqual(stepLosses(straight));
  });

  it("saves without evaluating when evaluateOnStop is absent (Ctrl-C)", async () => {
    const out = outDir();
    const controller = new AbortController();
    const result = await trainRun(prepareRun(tinyConfig(out, { maxIters: 8 }), { readText: () => TEXT }), {
      signal: controller.signal,
      onStep: (r) => r.iter === 1 && controller.abort(),
    });
    expect(result).toMatchObject({ iter: 2, lastEval: { iter: 0 } });
    expect(JSON.parse(readFileSync(join(out, "training_state.json"), "utf8")).iter).toBe(2);
  });
});

describe("GradientWorkers", () => {
  it("rejects with a worker's error in one line, and leaves no worker promise rejected unhandled", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const run = prepareRun(tinyConfig(outDir(), { dataParallel: 2 }), { readText: () => TEXT });
    const workers = await GradientWorkers.start(run.model, 2);
    try {
      // Windows of 16 tokens for a model whose context is 8: every shard's forward throws.
      const tokens = new Int32Array(4 * 16).fill(1);
      const failure = workers.backward(tokens, tokens, 4, 16, [1, 2], 1);
      await expect(failure).rejects.toThrow(
        /^gradient worker: forward: 16 tokens exceed the model's context of 8$/,
      );
    } finally {
      await workers.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 50)); // let any stray rejection surface
    process.off("unhandledRejection", onUnhandled);
    expect(unhandled).toEqual([]);
  });
});

describe("trainLoop without files", () => {
  it("trains a run made in memory by newRun, and leaves checkpoints to its caller", async () => {
    // What a browser worker does: no --data files, no output directory, nothing written.
    const config = tinyConfig("unused", { maxIters: 40, evalInterval: 20, weightDecay: 0 });
    const run = newRun(config, TEXT, { tokenizer: CharTokenizer.fromText(TEXT) });
    const checkpoints: number[] = [];
    const steps: StepRecord[] = [];
    const result = await trainLoop(run, {
      onStep: (r) => steps.push(r),
      checkpoint: (r) => checkpoints.push(r.state.iter),
    });
    expect(result.iter).toBe(40);
    expect(checkpoints).toEqual([20, 40]);
    expect(steps.at(-1)!.train_loss).toBeLessThan(steps[0]!.train_loss - 0.5);
    expect(existsSync("unused")).toBe(false);
  });
});
