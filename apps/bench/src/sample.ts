// Benchmark: the cost of picking one token, i.e. what @llmts/sample adds to every decode step on
// top of the model's forward pass. Vocabulary sizes of stories15M / Llama 2 (32000) and GPT-2
// (50257); logits drawn N(0, 3^2) with a fixed seed (a flatter distribution than a trained model
// usually gives, so top-p keeps more candidates than it would in practice: a pessimistic case).
// Each pick includes the copy of the model's logits that generate() makes.
// Not a test: nothing asserts a speed.

import { GENERATION_DEFAULTS, Sampler, type SamplingConfig } from "@llmts/sample";
import { Rng } from "@llmts/tensor";
import { describeMachine } from "./machine.ts";
import type { BenchSection } from "./report.ts";

const SETTINGS: [string, Partial<SamplingConfig>][] = [
  ["greedy (temperature 0)", { temperature: 0 }],
  ["temperature 1, no filter", {}],
  ["top-k 40", { top_k: 40 }],
  ["top-p 0.9", { top_p: 0.9 }],
  ["min-p 0.05", { min_p: 0.05 }],
  ["top-k 40 + top-p 0.9 + rep. penalty 1.1", { top_k: 40, top_p: 0.9, repetition_penalty: 1.1 }],
];

/** Microseconds per pick, median of 5 runs of `iters` picks. */
function timePick(V: number, config: Partial<SamplingConfig>, iters: number): number {
  const rng = new Rng(1);
  const modelOut = Float32Array.from({ length: V }, () => rng.normal() * 3); // [V]
  const logits = new Float32Array(V);
  const sampler = new Sampler(V, { ...GENERATION_DEFAULTS, ...config });
  for (let i = 0; i < 256; i++) sampler.observe(rng.nextInt(V)); // a 256-token history
  const runs: number[] = [];
  for (let r = 0; r < 6; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) {
      logits.set(modelOut);
      sampler.sample(logits);
    }
    if (r > 0) runs.push(((performance.now() - t0) * 1000) / iters); // run 0 is warm-up
  }
  return runs.sort((a, b) => a - b)[2]!;
}

export async function run(): Promise<BenchSection> {
  const vocabs = [32000, 50257];
  const rows = SETTINGS.map(([name, config]) => {
    const cells = vocabs.map((V) => timePick(V, config, 200).toFixed(0));
    return `| ${name} | ${cells.join(" | ")} |`;
  });
  const markdown = [
    `Machine: ${describeMachine().summary}. Microseconds per sampled token (median of 5 runs of 200).`,
    "",
    "| sampler settings | V = 32000 (µs) | V = 50257 (µs) |",
    "| --- | ---: | ---: |",
    ...rows,
    "",
    "For scale: at 300 tokens/s a decode step has ~3300 µs in total.",
  ].join("\n");
  return { title: "Sampling cost per token", command: "pnpm bench --only sample", markdown };
}
