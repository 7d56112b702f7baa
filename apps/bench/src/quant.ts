// Benchmark: decoding with quantized weights (Q8_0, Q4_0) against f32, in the same run, for the
// stories15M and GPT-2 124M shapes; peak resident memory; and llama2.c's runq on the same int8
// weights.
//
//   models  = `llmts init --preset stories15M | gpt2` (random weights, real shapes), saved F32 in
//             os.tmpdir(), then quantized as `llmts quantize` writes them (model.gguf + config.json)
//   run     = in a fresh child process per setting (so its peak RSS is that setting's): loadModel,
//             pinWeights (f32: the packed copies decode reads), generate() greedy after an 8-token
//             warm-up; what `llmts generate --temperature 0` runs. Auto backend, 1 thread and all.
//   rounds  = f32, Q8_0, Q4_0 in turn, ROUNDS times; the best decode rate of each is reported
//             (the machine is shared: the best run is the one least disturbed)
//   runq    = built with gcc -Ofast -march=native (and -fopenmp, OMP_NUM_THREADS = our thread
//             count, for more than one thread), on our stories15M Q8_0 weights converted to its
//             format (runq.ts), 256 positions; best of ROUNDS
// Not a test: nothing asserts a speed. The goals (issue 17) are stated in the text.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { configureBackend, pinWeights } from "@llmts/kernels/node";
import { configToJson, createModel, PRESETS, parseConfig, stepModel } from "@llmts/model";
import { loadModel, saveGgufModel, saveModel } from "@llmts/model/node";
import { generate } from "@llmts/sample";
import { QuantizedMatrix, Rng } from "@llmts/tensor";
import type { BenchSection } from "./report.ts";
import { buildRunq, runRunq, writeRunqCheckpoint } from "./runq.ts";

const ROUNDS = 3;
const PROMPT = 8;
const FORMATS = ["f32", "q8_0", "q4_0"] as const;
type Format = (typeof FORMATS)[number];

interface ChildResult {
  decodeTokensPerSecond: number;
  peakRssBytes: number;
  weightBytes: number;
}

/** The process's own high-water mark (Linux VmHWM). */
function peakRss(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return match ? Number(match[1]) * 1024 : process.memoryUsage().rss;
}

/** Runs in the child: load `dir`, decode `tokens` greedy tokens after a warm-up, report. */
export function measureDecode(dir: string, tokens: number, threads: number): ChildResult {
  configureBackend({ backend: "auto", threads });
  const { model } = loadModel(dir);
  let weightBytes = 0;
  for (const w of model.weights().values())
    weightBytes += w instanceof QuantizedMatrix ? w.data.length : w.size * 4;
  pinWeights(model.parameters().values());
  const rng = new Rng(42);
  const prompt = Array.from({ length: PROMPT }, () => rng.nextInt(model.vocabSize));
  const config = { temperature: 0, eos_token_id: [] };
  generate(stepModel(model), prompt, { ...config, max_new_tokens: 8 }); // warm-up: JIT, workers, copies
  const r = generate(stepModel(model), prompt, { ...config, max_new_tokens: tokens });
  return { decodeTokensPerSecond: r.decode_tokens_per_second ?? 0, peakRssBytes: peakRss(), weightBytes };
}

function runChild(dir: string, tokens: number, threads: number): ChildResult {
  const tsx = import.meta.resolve("tsx/esm/api");
  const script =
    `import { register } from ${JSON.stringify(tsx)}; register();` +
    `const m = await import(${JSON.stringify(import.meta.url)});` +
    "process.stdout.write(JSON.stringify(m.measureDecode(process.argv[1], Number(process.argv[2]), Number(process.argv[3]))));";
  const child = spawnSync(
    process.execPath,
    ["--input-type=module", "-e", script, dir, String(tokens), String(threads)],
    { encoding: "utf8", maxBuffer: 1 << 20 },
  );
  if (child.status !== 0) throw new Error(`bench child for ${dir} failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as ChildResult;
}

/** f32, Q8_0 and Q4_0 directories of one preset (random weights), as `llmts quantize` writes them. */
function writeModels(root: string, preset: string): Record<Format, string> {
  const config = parseConfig(PRESETS[preset]!.config);
  const model = createModel(config, new Rng(1337));
  const dirs = {} as Record<Format, string>;
  for (const format of FORMATS) {
    const dir = join(root, `${preset}-${format}`);
    dirs[format] = dir;
    if (format === "f32") {
      saveModel(dir, model);
      continue;
    }
    mkdirSync(dir, { recursive: true });
    saveGgufModel(join(dir, "model.gguf"), model, { quantize: format === "q8_0" ? "Q8_0" : "Q4_0" });
    writeFileSync(join(dir, "config.json"), JSON.stringify(configToJson(config)));
  }
  return dirs;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

export async function run(): Promise<BenchSection> {
  const all = availableParallelism();
  const threadCounts = all > 1 ? [1, all] : [1];
  const root = mkdtempSync(join(tmpdir(), "llmts-bench-quant-"));
  const rows: string[] = [];
  const notes: string[] = [];
  try {
    for (const [preset, tokens] of [
      ["stories15M", 256 - PROMPT],
      ["gpt2", 64],
    ] as const) {
      const dirs = writeModels(root, preset);
      for (const threads of threadCounts) {
        const best = new Map<Format, ChildResult>();
        for (let round = 0; round < ROUNDS; round++) {
          for (const format of FORMATS) {
            const r = runChild(dirs[format], tokens, threads);
            const kept = best.get(format);
            if (kept === undefined || r.decodeTokensPerSecond > kept.decodeTokensPerSecond)
              best.set(format, r);
          }
        }
        const f32 = best.get("f32")!.decodeTokensPerSecond;
        for (const format of FORMATS) {
          const r = best.get(format)!;
          rows.push(
            `| ${preset} | ${threads} | ${format.toUpperCase()} | ${mb(r.weightBytes)} | **${r.decodeTokensPerSecond.toFixed(1)}** | ${(r.decodeTokensPerSecond / f32).toFixed(2)}x | ${mb(r.peakRssBytes)} |`,
          );
        }
        if (preset === "stories15M") rows.push(runqRow(root, dirs.q8_0, threads, best.get("q8_0")!, notes));
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const markdown = [
    `Greedy decoding with quantized weights against f32, in one run: random weights in the presets' shapes, quantized as \`llmts quantize\` writes them (model.gguf + config.json: linear layers, token embedding and output layer in Q8_0 / Q4_0, norms and biases F32), each setting in a fresh process (\`loadModel\`, \`pinWeights\`, \`generate()\` after an 8-token warm-up), auto backend; f32, Q8_0, Q4_0 in turn, ${ROUNDS} rounds, the best decode rate of each. "weight bytes" is what the model holds its weights in; peak RSS is the child's high-water mark (f32 also holds the packed copy pinning makes; quantized weights are copied into wasm memory once as well).`,
    "",
    "| model | threads | weights | weight bytes | decode tok/s | vs f32 | peak RSS |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows.filter((row) => row !== ""),
    "",
    "Goals (issue 17): Q8_0 decode >= 1.8x f32 on GPT-2 124M and >= 1.3x on stories15M. runq: llama2.c's int8 decoder, built here with gcc -Ofast -march=native (with -fopenmp and OMP_NUM_THREADS for more than one thread), on the same int8 values (each Q8_0 block's quants and scale), 256 positions from BOS, its own `achieved tok/s`, best of the rounds (peak RSS from /usr/bin/time).",
    ...[...new Set(notes)],
  ].join("\n");
  return { title: "Quantized decode (Q8_0, Q4_0)", command: "pnpm bench --only quant", markdown };
}

/** llama2.c's runq on our stories15M Q8_0 weights, `threads` threads: its row of the table. */
function runqRow(root: string, q8Dir: string, threads: number, ours: ChildResult, notes: string[]): string {
  const built = buildRunq(root);
  if ("error" in built) {
    notes.push(`llama2.c runq was not run: ${built.error}.`);
    return "";
  }
  const checkpoint = join(root, "stories15M-q8_0.runq.bin");
  writeRunqCheckpoint(join(q8Dir, "model.gguf"), checkpoint);
  const bin = threads === 1 ? built.single : built.omp;
  let runq = runRunq(bin, checkpoint, 256, threads);
  for (let round = 1; round < ROUNDS; round++) {
    const again = runRunq(bin, checkpoint, 256, threads);
    if (again.tokensPerSecond > runq.tokensPerSecond) runq = again;
  }
  const ratio = ours.decodeTokensPerSecond / runq.tokensPerSecond;
  return `| stories15M | ${threads} | llama2.c runq, same int8 weights | ${mb(statSync(checkpoint).size)} | **${runq.tokensPerSecond.toFixed(1)}** | ours Q8_0 / runq = ${ratio.toFixed(2)} | ${runq.peakRssBytes === null ? "n/a" : mb(runq.peakRssBytes)} |`;
}
