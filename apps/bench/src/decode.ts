// Benchmark: what `llmts generate` does per token — decode tokens/s — for the stories15M shape
// (llama2.c's TinyStories model) side by side with llama2.c itself on the same weights, and for
// GPT-2 124M; on 1 thread and on all.
//
//   model  = `llmts init --preset stories15M | gpt2` (random weights, real shapes) in os.tmpdir(),
//            loaded into the kernels' memory (loadModel(dir, { allocate: pinnedFloat32 })), the
//            KV cache there too, auto backend — what the CLI's generate runs
//   run    = generate(), greedy, EOS disabled so every run has the same length; stories15M from
//            BOS (id 1) for 255 new tokens (llama2.c's `-n 256` positions), GPT-2 64 new tokens
//   peer   = llama2.c's run.c built here with gcc (-O3 `run`, -Ofast -march=native `runfast`,
//            + -fopenmp `runomp` with OMP_NUM_THREADS), on the same weights written in its format
//            (llama2c.ts), `-t 0 -n 256 -i ""`; its text must be what our greedy ids print
// Both report tok/s from the second token on (llama2.c's own "achieved tok/s"; generate()'s
// decode_tokens_per_second). The machine is shared, so every setting runs ROUNDS times,
// alternating ours and the peer's, and the best run counts. The model directories are deleted.
// Not a test: nothing asserts a speed.

import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { configureBackend, pinnedFloat32, pinWeights, unpinWeights } from "@llmts/kernels/node";
import { createModel, type LlamaConfig, PRESETS, parseConfig, stepModel } from "@llmts/model";
import { loadModel, saveModel } from "@llmts/model/node";
import { generate } from "@llmts/sample";
import { Rng } from "@llmts/tensor";
import {
  BUILDS,
  buildLlama2c,
  type Llama2cBuild,
  llama2cText,
  readLlama2cVocab,
  runLlama2c,
  writeLlama2cCheckpoint,
} from "./llama2c.ts";
import type { BenchSection } from "./report.ts";

const ROUNDS = Number(process.env.LLMTS_BENCH_ROUNDS ?? 3);
/** llama2.c's `-n 256`: positions, BOS included; we generate the 255 tokens after BOS. */
const STEPS = 256;

interface Row {
  model: string;
  engine: string;
  threads: number;
  tokensPerSecond: number;
}

const best = (rows: Row[], row: Omit<Row, "tokensPerSecond">, tps: number) => {
  const found = rows.find(
    (r) => r.model === row.model && r.engine === row.engine && r.threads === row.threads,
  );
  if (found) found.tokensPerSecond = Math.max(found.tokensPerSecond, tps);
  else rows.push({ ...row, tokensPerSecond: tps });
};

/** Writes the preset's random model (what `llmts init --preset` writes) and loads it as generate does. */
function presetModel(preset: string, dir: string) {
  saveModel(dir, createModel(parseConfig(PRESETS[preset]!.config), new Rng(1337)));
  const { model, config } = loadModel(dir, { allocate: pinnedFloat32 });
  pinWeights(model.parameters().values()); // a no-op for weights loaded into the kernels' memory
  return { model, config };
}

function ours(
  model: ReturnType<typeof presetModel>["model"],
  prompt: number[],
  newTokens: number,
  threads: number,
) {
  configureBackend({ backend: "auto", threads });
  const config = { temperature: 0, eos_token_id: [], max_new_tokens: newTokens };
  // The KV cache in the kernels' memory too, sized for this run.
  const step = () => stepModel(model, { allocate: pinnedFloat32, maxLength: prompt.length + newTokens });
  generate(step(), prompt, { ...config, max_new_tokens: 8 }); // warm-up
  return generate(step(), prompt, config);
}

export async function run(): Promise<BenchSection> {
  const all = availableParallelism();
  const threadCounts = all > 1 ? [1, all] : [1];
  const rows: Row[] = [];
  const load: number[] = [];
  const notes: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), "llmts-bench-decode-"));
  try {
    // stories15M, ours and llama2.c
    const { model, config } = presetModel("stories15M", join(dir, "stories15M"));
    const checkpoint = join(dir, "stories15M.bin");
    writeLlama2cCheckpoint(checkpoint, config as LlamaConfig, model.parameters());
    const why = buildLlama2c(dir);
    if (why) notes.push(`llama2.c was not run: ${why}.`);
    const vocab = why ? [] : readLlama2cVocab(model.vocabSize);
    let agreement = "";
    for (let round = 0; round < ROUNDS; round++) {
      load.push(loadavg()[0]!);
      for (const threads of threadCounts) {
        const r = ours(model, [1], STEPS - 1, threads);
        best(rows, { model: "stories15M", engine: "llm.ts", threads }, r.decode_tokens_per_second ?? 0);
        if (round === 0 && threads === 1 && !why) {
          // run.c prints one more token than our 255 (its 256th position's): ours is a prefix.
          const peer = runLlama2c(join(dir, "runfast"), checkpoint, STEPS, 1);
          const text = llama2cText(r.generated_ids, vocab);
          const same = peer.text.startsWith(text);
          agreement = same
            ? `Greedy check: llama2.c's text starts with ours for all ${r.generated_ids.length} tokens (${text.length} characters), so both run the same model.`
            : `Greedy check FAILED: llama2.c's text differs from ours at character ${[...text].findIndex((c, i) => c !== peer.text[i])}.`;
        }
      }
      if (why) continue;
      for (const build of Object.keys(BUILDS) as Llama2cBuild[]) {
        for (const threads of build === "runomp" ? threadCounts : [1]) {
          const peer = runLlama2c(join(dir, build), checkpoint, STEPS, threads);
          best(rows, { model: "stories15M", engine: `llama2.c ${build}`, threads }, peer.tokensPerSecond);
        }
      }
    }
    unpinWeights();
    // GPT-2 124M, ours only (llama2.c runs Llama models)
    const gpt2 = presetModel("gpt2", join(dir, "gpt2")).model;
    const prompt = Array.from({ length: 8 }, (_, i) => (i * 7919) % gpt2.vocabSize);
    for (let round = 0; round < ROUNDS; round++) {
      for (const threads of threadCounts) {
        const r = ours(gpt2, prompt, 64, threads);
        best(rows, { model: "gpt2", engine: "llm.ts", threads }, r.decode_tokens_per_second ?? 0);
      }
    }
    unpinWeights();
    if (agreement) notes.unshift(agreement);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    configureBackend({ backend: "auto" }); // leave the default for whatever runs next
  }
  const tps = (model: string, engine: string, threads: number) =>
    rows.find((r) => r.model === model && r.engine === engine && r.threads === threads)?.tokensPerSecond;
  const ratio = (a: number | undefined, b: number | undefined) =>
    a !== undefined && b !== undefined ? `${(a / b).toFixed(2)}×` : "—";
  const table = rows.map((r) => {
    const mine = r.engine === "llm.ts";
    const versus =
      r.model !== "stories15M"
        ? "—"
        : mine
          ? `${ratio(r.tokensPerSecond, tps("stories15M", r.threads === 1 ? "llama2.c runfast" : "llama2.c runomp", r.threads))} of ${r.threads === 1 ? "runfast" : "runomp"}`
          : `ours ${ratio(tps("stories15M", "llm.ts", r.threads), r.tokensPerSecond)}`;
    return `| ${r.model} | ${mine ? "**llm.ts**" : r.engine} | ${r.threads} | ${mine ? `**${r.tokensPerSecond.toFixed(1)}**` : r.tokensPerSecond.toFixed(1)} | ${versus} |`;
  });
  const flags = Object.entries(BUILDS)
    .map(([name, f]) => `\`${name}\` = \`gcc ${f.join(" ")}\``)
    .join(", ");
  const markdown = [
    `Greedy generation through \`generate()\` of @llmts/sample — what \`llmts generate --temperature 0\` runs — on random weights in the presets' shapes (\`llmts init --preset\`), loaded into the kernels' memory (\`loadModel(dir, { allocate: pinnedFloat32 })\`, the KV cache there too), auto backend. stories15M: from BOS for ${STEPS - 1} new tokens, like llama2.c's \`-n ${STEPS}\`; GPT-2: 8 prompt ids, 64 new tokens. Tokens/s count from the second token on (llama2.c's "achieved tok/s" counts the same way). Each setting ran ${ROUNDS} times, ours and llama2.c's alternating; the table has the best run (load average during the runs: ${load.map((l) => l.toFixed(1)).join(", ")} on ${all} cores).`,
    "",
    "| model | engine | threads | decode tok/s | ours / peer (same threads) |",
    "| --- | --- | ---: | ---: | --- |",
    ...table,
    "",
    `llama2.c: \`run.c\` from /work/shared/peers/llama2.c (commit in its COMMIT file), built in a temporary directory: ${flags}; the same random weights written in its legacy checkpoint format (apps/bench/src/llama2c.ts, q/k rows permuted back to its interleaved RoPE), \`-z tokenizer.bin -t 0 -n ${STEPS} -i ""\`.`,
    ...notes,
  ].join("\n");
  return { title: "Decode tokens/s", command: "pnpm bench --only decode", markdown };
}
