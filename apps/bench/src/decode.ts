// Benchmark: what `llmts generate` does per token — decode tokens/s and time to first token — for
// the stories15M shapes (llama2.c's TinyStories model) and GPT-2 124M, on 1 thread and on all.
//
//   model  = `llmts init --preset stories15M | gpt2` (random weights, real shapes) in os.tmpdir()
//   run    = loadModel + pinWeights (the auto backend's packed copies) + generate(), greedy,
//            a fixed prompt of 8 random ids, EOS disabled so every run has the same length
//   tokens = stories15M: 8 prompt + 248 new = 256 positions, llama2.c's default `-n 256`
//            (its count includes the prompt); GPT-2: 64 new tokens
// Each setting runs once untraced for warm-up (JIT, wasm compilation, worker start-up), then once
// measured; the numbers are @llmts/sample's own stats. The model directories are deleted after.
// llama2.c is not run here: its numbers are quoted from /work/shared/TOOLCHAIN.md (same kind of
// machine, `run.c` on a stories15M-shaped model, 256 tokens, 1 thread).
// Not a test: nothing asserts a speed.
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { configureBackend, pinWeights, unpinWeights } from "@llmts/kernels/node";
import { createModel, PRESETS, parseConfig, stepModel } from "@llmts/model";
import { loadModel, saveModel } from "@llmts/model/node";
import { type GenerationResult, generate } from "@llmts/sample";
import { residentSetBytes } from "@llmts/sample/node";
import { Rng } from "@llmts/tensor";
import type { BenchSection } from "./report.ts";

const PROMPT = 8;

interface Row {
  preset: string;
  threads: number;
  result: GenerationResult;
}

function measurePreset(preset: string, newTokens: number, threadCounts: number[]): Row[] {
  const dir = mkdtempSync(join(tmpdir(), `llmts-bench-decode-${preset}-`));
  try {
    saveModel(dir, createModel(parseConfig(PRESETS[preset]!.config), new Rng(1337)));
    const { model } = loadModel(dir);
    pinWeights(model.parameters().values());
    const rng = new Rng(42);
    const prompt = Array.from({ length: PROMPT }, () => rng.nextInt(model.vocabSize));
    const config = { temperature: 0, eos_token_id: [] };
    const rows: Row[] = [];
    for (const threads of threadCounts) {
      configureBackend({ backend: "auto", threads });
      generate(stepModel(model), prompt, { ...config, max_new_tokens: 8 }); // warm-up
      const result = generate(
        stepModel(model),
        prompt,
        { ...config, max_new_tokens: newTokens },
        { memoryBytes: residentSetBytes },
      );
      rows.push({ preset, threads, result });
    }
    unpinWeights();
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchSection> {
  const all = availableParallelism();
  const threadCounts = all > 1 ? [1, all] : [1];
  const rows = [
    ...measurePreset("stories15M", 256 - PROMPT, threadCounts),
    ...measurePreset("gpt2", 64, threadCounts),
  ];
  configureBackend({ backend: "auto" }); // leave the default for whatever runs next
  const fmt = (x: number | null, digits = 1) =>
    x === null || !Number.isFinite(x) ? "n/a" : x.toFixed(digits);
  const table = rows.map(
    ({ preset, threads, result: r }) =>
      `| ${preset} | ${threads} | ${r.prompt_ids.length} + ${r.generated_ids.length} | ${fmt(r.time_to_first_token_ms)} ms | ${fmt(r.prefill_tokens_per_second)} | **${fmt(r.decode_tokens_per_second)}** | ${fmt(r.peak_rss_mb, 0)} MB |`,
  );
  const markdown = [
    `Greedy generation through \`generate()\` of @llmts/sample — what \`llmts generate --temperature 0\` runs — on random weights in the presets' shapes (\`llmts init --preset\`), auto backend, weights pinned. Prompt: ${PROMPT} random ids, one prefill pass; then one token per forward pass through the KV cache. Each setting is warmed up once (8 tokens) before the measured run. Decode tok/s counts the tokens after the first over the time from the first to the last.`,
    "",
    "| model | threads | prompt + new tokens | time to first token | prefill tok/s | decode tok/s | peak RSS (process) |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...table,
    "",
    "For comparison, llama2.c's `run.c` on a stories15M-shaped model, greedy, 256 tokens, 1 thread, on this kind of machine: ~118 tok/s with `make run` (-O3), ~295 tok/s with `make runfast` (-Ofast), ~313 tok/s with `-Ofast -march=native`. These are quoted from the toolchain notes (/work/shared/TOOLCHAIN.md), not measured in this run.",
  ].join("\n");
  return { title: "Decode tokens/s", command: "pnpm bench --only decode", markdown };
}
