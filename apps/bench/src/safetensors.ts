// Benchmark: reading a GPT-2-124M-sized safetensors checkpoint (~498 MB of f32).
//
// Writes the file itself into os.tmpdir() (GPT-2 small's tensor shapes, F32), then measures, each
// in a fresh child process so peak RSS belongs to that step alone:
//   - header parse: open the file, read and validate the header, close (no tensor data);
//   - lazy load: openCheckpoint + read every tensor + toFloat32 (the model loader's path);
//   - whole-file baseline: fs.readFileSync of the file (one copy, no parsing), the floor any
//     loader that holds the weights once can reach.
// Goal: the lazy load's peak RSS ≈ one copy of the weights (never two). The page cache is warm
// (the file was just written), so MB/s measures our code and memcpy, not the disk.
// Not a test: nothing asserts a speed. The file is deleted afterwards.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTensor, type Tensor, toFloat32 } from "@llmts/safetensors";
import { openCheckpoint, openSafetensors, writeSafetensors } from "@llmts/safetensors/node";
import type { BenchSection } from "./report.ts";

/** GPT-2 small (124M): vocab 50257, context 1024, width 768, 12 layers; HF tensor names. */
function gpt2Shapes(): [string, number[]][] {
  const C = 768;
  const shapes: [string, number[]][] = [
    ["wte.weight", [50257, C]],
    ["wpe.weight", [1024, C]],
  ];
  for (let l = 0; l < 12; l++) {
    const p = `h.${l}.`;
    shapes.push(
      [`${p}ln_1.weight`, [C]],
      [`${p}ln_1.bias`, [C]],
      [`${p}attn.c_attn.weight`, [C, 3 * C]],
      [`${p}attn.c_attn.bias`, [3 * C]],
      [`${p}attn.c_proj.weight`, [C, C]],
      [`${p}attn.c_proj.bias`, [C]],
      [`${p}ln_2.weight`, [C]],
      [`${p}ln_2.bias`, [C]],
      [`${p}mlp.c_fc.weight`, [C, 4 * C]],
      [`${p}mlp.c_fc.bias`, [4 * C]],
      [`${p}mlp.c_proj.weight`, [4 * C, C]],
      [`${p}mlp.c_proj.bias`, [C]],
    );
  }
  shapes.push(["ln_f.weight", [C]], ["ln_f.bias", [C]]);
  return shapes;
}

interface StepResult {
  ms: number;
  bytes: number;
  /** Peak resident set size of the child process, bytes. */
  maxRss: number;
  /** RSS of the child before the step, bytes (Node + tsx + our modules). */
  baseRss: number;
}

/**
 * Peak RSS of this process, bytes. On Linux, VmHWM from /proc/self/status: the high-water mark
 * of this process's own memory. (getrusage's maxRSS is not used: Linux carries the parent's
 * high-water mark across fork + exec, so a child of a big bench process reports the parent's.)
 * Elsewhere, the largest RSS seen by `sample()`.
 */
let sampledPeak = 0;
function sample(): void {
  sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss);
}
function peakRss(): number {
  sample();
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return sampledPeak;
}

/** Runs in the child process: one step, result as JSON on stdout. */
export async function measureStep(step: string, path: string): Promise<StepResult> {
  const baseRss = process.memoryUsage().rss;
  const t0 = performance.now();
  let bytes = 0;
  if (step === "header") {
    const runs = 50;
    for (let i = 0; i < runs; i++) openSafetensors(path).close();
    return { ms: (performance.now() - t0) / runs, bytes: 0, maxRss: peakRss(), baseRss };
  }
  if (step === "lazy") {
    const ckpt = openCheckpoint(path);
    const weights = new Map<string, Float32Array>();
    for (const t of ckpt.tensors) {
      const w = toFloat32(ckpt.read(t.name));
      weights.set(t.name, w);
      bytes += w.byteLength;
      sample();
    }
    ckpt.close();
  } else if (step === "readFileSync") {
    bytes = readFileSync(path).byteLength;
  }
  const ms = performance.now() - t0;
  return { ms, bytes, maxRss: peakRss(), baseRss };
}

function runChild(step: string, path: string): StepResult {
  // The child registers tsx (our packages are TypeScript) from this app's own dependency.
  const tsx = import.meta.resolve("tsx/esm/api");
  const self = import.meta.url;
  const script =
    `import { register } from ${JSON.stringify(tsx)}; register();` +
    `const m = await import(${JSON.stringify(self)});` +
    `process.stdout.write(JSON.stringify(await m.measureStep(process.argv[1], process.argv[2])));`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script, step, path], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`bench child "${step}" failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as StepResult;
}

const MB = 1e6;
const mb = (bytes: number) => (bytes / MB).toFixed(0);

export async function run(): Promise<BenchSection> {
  const path = join(tmpdir(), `llmts-bench-${process.pid}.safetensors`);
  try {
    // Write the checkpoint: values are a cheap pattern (their content does not matter here).
    const tensors: Record<string, Tensor> = {};
    for (const [name, shape] of gpt2Shapes()) {
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < data.length; i++) data[i] = (i % 1000) * 1e-3;
      tensors[name] = createTensor("F32", shape, data);
    }
    const t0 = performance.now();
    writeSafetensors(path, tensors);
    const writeMs = performance.now() - t0;
    const fileBytes = readFileSync(path, { flag: "r" }).byteLength;

    const header = runChild("header", path);
    const lazy = runChild("lazy", path);
    const whole = runChild("readFileSync", path);

    const rows = [
      `| write (atomic: temp file, fsync, rename) | ${(writeMs / 1000).toFixed(2)} s | ${mb(fileBytes / (writeMs / 1000))} MB/s | — |`,
      `| header parse (open, validate, close) | ${header.ms.toFixed(2)} ms | — | ${mb(header.maxRss)} MB |`,
      `| lazy load: every tensor -> Float32Array | ${(lazy.ms / 1000).toFixed(2)} s | ${mb(lazy.bytes / (lazy.ms / 1000))} MB/s | ${mb(lazy.maxRss)} MB (+${mb(lazy.maxRss - lazy.baseRss)}) |`,
      `| baseline: fs.readFileSync (one copy, no parsing) | ${(whole.ms / 1000).toFixed(2)} s | ${mb(whole.bytes / (whole.ms / 1000))} MB/s | ${mb(whole.maxRss)} MB (+${mb(whole.maxRss - whole.baseRss)}) |`,
    ];
    const markdown = [
      `A ${mb(fileBytes)} MB F32 checkpoint with GPT-2 small's ${gpt2Shapes().length} tensors, written to the OS temp directory and read back with a warm page cache. Each read step runs in a fresh process; peak RSS is that process's high-water mark (Linux VmHWM; in brackets: above its RSS before the step).`,
      "",
      "| step | time | throughput | peak RSS |",
      "| --- | --- | --- | --- |",
      ...rows,
      "",
      `Goal: the lazy load holds the weights once — its growth in RSS should be close to the file size (${mb(fileBytes)} MB), like the single-copy readFileSync baseline, never twice it.`,
    ].join("\n");
    return { title: "Safetensors load", command: "pnpm bench --only safetensors", markdown };
  } finally {
    rmSync(path, { force: true });
  }
}
