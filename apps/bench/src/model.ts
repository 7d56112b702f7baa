// Benchmark: loading and running real-size models (random weights, real shapes), and the memory
// `llmts generate` holds.
//
//   GPT-2 124M  (`llmts init --preset gpt2`: 12 layers, 768 wide, vocab 50257), and
//   stories15M  (`llmts init --preset stories15M`: llama2.c's TinyStories model shape)
//
// Each model is written into os.tmpdir() with @llmts/model's createModel + saveModel (what
// `llmts init` does) and measured in a fresh child process, so peak RSS belongs to that model,
// two ways:
//   "in place": loadModel(dir, { allocate: pinnedFloat32 }) — each weight read straight from the
//               file into the kernels' memory, where decoding reads it; the KV cache there too
//   "copied":   loadModel(dir) + pinWeights(parameters) — the weights in their own arrays, and the
//               kernels' copy of each made on first use (two copies)
// and in each:
//   - load: the time, and the peak RSS right after it (Linux VmHWM), against the f32 weight bytes;
//   - generate: greedy generate() of 64 tokens after an 8-token prompt (the goal: peak RSS during
//     generate <= 1.3x the weight bytes for GPT-2);
//   - prefill: forward of a 128-token prompt under noGrad, logits of the last position (what
//     generation needs) and of all 128 positions (what `llmts logits` computes).
// The directories are deleted afterwards. Not a test: nothing asserts a speed.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configureBackend, pinnedFloat32, pinWeights } from "@llmts/kernels/node";
import { createModel, PRESETS, parseConfig, stepModel } from "@llmts/model";
import { loadModel, saveModel } from "@llmts/model/node";
import { generate } from "@llmts/sample";
import { intTensor, noGrad, Rng } from "@llmts/tensor";
import type { BenchSection } from "./report.ts";

const PROMPT = 128;

interface ModelResult {
  parameters: number;
  loadMs: number;
  baseRss: number;
  /** VmHWM right after loading (bytes). */
  loadPeakRss: number;
  /** VmHWM right after generate() (bytes). */
  generatePeakRss: number;
  prefillLastMs: number;
  prefillAllMs: number;
  /** VmHWM at the end, after the prefills (bytes). */
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

/** Runs in the child process: load the model in `dir` ("in place" or "copied"), run it, report as JSON. */
export async function measureModel(dir: string, mode: string): Promise<ModelResult> {
  const inPlace = mode === "in place";
  configureBackend({ backend: "auto" });
  const baseRss = process.memoryUsage().rss;
  let t0 = performance.now();
  const { model } = loadModel(dir, inPlace ? { allocate: pinnedFloat32 } : {});
  const loadMs = performance.now() - t0;
  const loadPeakRss = peakRss();
  let parameters = 0;
  for (const p of model.parameters().values()) parameters += p.size;
  // What `llmts generate` runs: pinWeights (a no-op for weights already in place), then generate().
  pinWeights(model.parameters().values());
  const prompt8 = Array.from({ length: 8 }, (_, i) => (i * 31) % model.vocabSize);
  generate(stepModel(model, inPlace ? { allocate: pinnedFloat32 } : {}), prompt8, {
    temperature: 0,
    eos_token_id: [],
    max_new_tokens: 64,
  });
  const generatePeakRss = peakRss();

  const prompt = Array.from({ length: PROMPT }, (_, i) => (i * 7919) % model.vocabSize);
  const ids = intTensor([prompt]); // [1, 128]
  t0 = performance.now();
  noGrad(() => model.forward(ids, { lastOnly: true }));
  const prefillLastMs = performance.now() - t0;
  t0 = performance.now();
  noGrad(() => model.forward(ids));
  const prefillAllMs = performance.now() - t0;
  return {
    parameters,
    loadMs,
    baseRss,
    loadPeakRss,
    generatePeakRss,
    prefillLastMs,
    prefillAllMs,
    endPeakRss: peakRss(),
  };
}

function runChild(dir: string, mode: string): ModelResult {
  // The child registers tsx (our packages are TypeScript) from this app's own dependency.
  const tsx = import.meta.resolve("tsx/esm/api");
  const self = import.meta.url;
  const script =
    `import { register } from ${JSON.stringify(tsx)}; register();` +
    `const m = await import(${JSON.stringify(self)});` +
    `process.stdout.write(JSON.stringify(await m.measureModel(process.argv[1], process.argv[2])));`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script, dir, mode], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`bench child for ${dir} failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as ModelResult;
}

/** `llmts init --preset NAME` into a temp dir, measured in a child per mode; the dir is removed. */
function measurePreset(preset: string, modes: string[]): ModelResult[] {
  const dir = mkdtempSync(join(tmpdir(), `llmts-bench-${preset}-`));
  try {
    saveModel(dir, createModel(parseConfig(PRESETS[preset]!.config), new Rng(1337)));
    return modes.map((mode) => runChild(dir, mode));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(0);
const s = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

export async function run(): Promise<BenchSection> {
  const rows: string[] = [];
  const modes = ["in place", "copied"];
  for (const preset of ["gpt2", "stories15M"]) {
    measurePreset(preset, modes).forEach((r, i) => {
      const weights = r.parameters * 4;
      const peak = (bytes: number) =>
        `${mb(bytes)} MB (${(bytes / weights).toFixed(2)}x; +${mb(bytes - r.baseRss)})`;
      rows.push(
        `| ${preset} | ${(r.parameters / 1e6).toFixed(1)}M (${mb(weights)} MB) | ${modes[i]} | ${s(r.loadMs)} | ${peak(r.loadPeakRss)} | **${peak(r.generatePeakRss)}** | ${s(r.prefillLastMs)} | ${s(r.prefillAllMs)} | ${mb(r.endPeakRss)} MB |`,
      );
    });
  }
  const markdown = [
    `Random weights in the models' real shapes, written by \`llmts init --preset\`'s code path to the OS temp directory (F32) and loaded in a fresh process, two ways: **in place** = \`loadModel(dir, { allocate: pinnedFloat32 })\`, each weight read from the file straight into the kernels' memory where decoding reads it (and the KV cache there too); **copied** = \`loadModel(dir)\` then \`pinWeights()\`, whose copies the kernels make on first use. Peak RSS is the whole process's high-water mark (Linux VmHWM, Node's own ~40-90 MB included); in brackets: over the f32 weight bytes, and its growth over the RSS before loading. "During generate": after greedy \`generate()\` of 64 tokens after an 8-token prompt, load included (goal for GPT-2: at most 1.3x the weight bytes). Prefill: one forward pass over a ${PROMPT}-token prompt under noGrad; "last" computes the output layer for the last position only (as generation does), "all" for every position (${PROMPT} x vocabulary logits).`,
    "",
    "| model | parameters (f32 bytes) | weights | load | peak RSS after load | peak RSS during generate | prefill 128, last | prefill 128, all | peak RSS at end |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
  return { title: "Model load, memory and forward", command: "pnpm bench --only model", markdown };
}
