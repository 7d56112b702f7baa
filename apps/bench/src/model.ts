// Benchmark: loading and running real-size models (random weights, real shapes).
//
//   GPT-2 124M  (`llmts init --preset gpt2`: 12 layers, 768 wide, vocab 50257), and
//   stories15M  (`llmts init --preset stories15M`: llama2.c's TinyStories model shape)
//
// Each model is written into os.tmpdir() with @llmts/model's createModel + saveModel (what
// `llmts init` does) and measured in a fresh child process, so peak RSS belongs to that model:
//   - load: loadModel(dir) — config, every tensor read and wrapped (F32: no copy);
//   - peak RSS right after loading, against the f32 weight bytes (goal: <= 1.5x);
//   - prefill: forward of a 128-token prompt under noGrad, logits of the last position (what
//     generation needs) and of all 128 positions (what `llmts logits` computes);
//   - decode: tokens per second feeding one token at a time through the KV cache.
// The directories are deleted afterwards. Not a test: nothing asserts a speed.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configureBackend, pinWeights } from "@llmts/kernels/node";
import { createModel, PRESETS, parseConfig, stepModel } from "@llmts/model";
import { loadModel, saveModel } from "@llmts/model/node";
import { intTensor, noGrad, Rng } from "@llmts/tensor";
import type { BenchSection } from "./report.ts";

const PROMPT = 128;

interface ModelResult {
  parameters: number;
  loadMs: number;
  baseRss: number;
  /** VmHWM right after loading (bytes). */
  loadPeakRss: number;
  prefillLastMs: number;
  prefillAllMs: number;
  decodeTokens: number;
  decodeMs: number;
  /** VmHWM at the end, with activations and the KV cache (bytes). */
  endPeakRss: number;
}

/** The process's own high-water mark (Linux VmHWM; not getrusage, which inherits the parent's). */
function peakRss(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage().rss;
}

/** Runs in the child process: load the model in `dir`, run it, report as JSON. */
export async function measureModel(dir: string, decodeTokens: number): Promise<ModelResult> {
  const baseRss = process.memoryUsage().rss;
  let t0 = performance.now();
  const { model } = loadModel(dir);
  const loadMs = performance.now() - t0;
  const loadPeakRss = peakRss();
  let parameters = 0;
  for (const p of model.parameters().values()) parameters += p.size;
  // What `llmts generate` runs: the auto backend with the weights pinned (packed once into wasm
  // memory). Pinning comes after the load measurement: the packed copy is the kernels' working
  // set, and shows in "peak RSS at end".
  configureBackend({ backend: "auto" });
  pinWeights(model.parameters().values());

  const prompt = Array.from({ length: PROMPT }, (_, i) => (i * 7919) % model.vocabSize);
  const ids = intTensor([prompt]); // [1, 128]
  t0 = performance.now();
  noGrad(() => model.forward(ids, { lastOnly: true }));
  const prefillLastMs = performance.now() - t0;
  t0 = performance.now();
  noGrad(() => model.forward(ids));
  const prefillAllMs = performance.now() - t0;

  const step = stepModel(model);
  step.prefill(prompt.slice(0, 8));
  t0 = performance.now();
  for (let i = 0; i < decodeTokens; i++) step.step((i * 31) % model.vocabSize);
  const decodeMs = performance.now() - t0;
  return {
    parameters,
    loadMs,
    baseRss,
    loadPeakRss,
    prefillLastMs,
    prefillAllMs,
    decodeTokens,
    decodeMs,
    endPeakRss: peakRss(),
  };
}

function runChild(dir: string, decodeTokens: number): ModelResult {
  // The child registers tsx (our packages are TypeScript) from this app's own dependency.
  const tsx = import.meta.resolve("tsx/esm/api");
  const self = import.meta.url;
  const script =
    `import { register } from ${JSON.stringify(tsx)}; register();` +
    `const m = await import(${JSON.stringify(self)});` +
    `process.stdout.write(JSON.stringify(await m.measureModel(process.argv[1], Number(process.argv[2]))));`;
  const child = spawnSync(
    process.execPath,
    ["--input-type=module", "-e", script, dir, String(decodeTokens)],
    {
      encoding: "utf8",
      maxBuffer: 1 << 20,
    },
  );
  if (child.status !== 0) throw new Error(`bench child for ${dir} failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as ModelResult;
}

/** `llmts init --preset NAME` into a temp dir, measured in a child; the dir is removed. */
function measurePreset(preset: string, decodeTokens: number): { r: ModelResult; initMs: number } {
  const dir = mkdtempSync(join(tmpdir(), `llmts-bench-${preset}-`));
  try {
    const t0 = performance.now();
    saveModel(dir, createModel(parseConfig(PRESETS[preset]!.config), new Rng(1337)));
    const initMs = performance.now() - t0;
    return { r: runChild(dir, decodeTokens), initMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(0);
const s = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

export async function run(): Promise<BenchSection> {
  const rows: string[] = [];
  for (const [preset, decode] of [
    ["gpt2", 16],
    ["stories15M", 64],
  ] as const) {
    const { r } = measurePreset(preset, decode);
    const weights = r.parameters * 4;
    const ratio = (r.loadPeakRss - r.baseRss) / weights;
    rows.push(
      `| ${preset} | ${(r.parameters / 1e6).toFixed(1)}M (${mb(weights)} MB) | ${s(r.loadMs)} | ${mb(r.loadPeakRss)} MB (+${mb(r.loadPeakRss - r.baseRss)}, ${ratio.toFixed(2)}x weights) | ${s(r.prefillLastMs)} | ${s(r.prefillAllMs)} | ${((r.decodeTokens * 1000) / r.decodeMs).toFixed(1)} tok/s | ${mb(r.endPeakRss)} MB |`,
    );
  }
  const markdown = [
    `Random weights in the models' real shapes, written by \`llmts init --preset\`'s code path to the OS temp directory (F32) and loaded in a fresh process. Peak RSS is the process's high-water mark (Linux VmHWM); in brackets its growth over the RSS before loading, and that growth over the f32 weight bytes. Prefill: one forward pass over a ${PROMPT}-token prompt under noGrad; "last" computes the output layer for the last position only (as generation does), "all" for every position. Decode: one token at a time through the KV cache after an 8-token prefill. Backend: auto (all threads), weights pinned after the load was measured, as \`llmts generate\` does; the pinned, packed copy is why the peak RSS at the end is above the load's.`,
    "",
    "| model | parameters (f32 bytes) | load | peak RSS after load | prefill 128, last | prefill 128, all | decode | peak RSS at end |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    "Goal: loading holds the weights once (growth <= 1.5x the f32 weight bytes). llama2.c's run.c does ~118 tok/s (-O3) / ~295 tok/s (-Ofast) on stories15M on this kind of machine (quoted from the toolchain notes, not measured here); the decode section below measures generation end to end.",
  ].join("\n");
  return { title: "Model load and forward", command: "pnpm bench --only model", markdown };
}
