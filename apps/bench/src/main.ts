// `pnpm bench`: runs every benchmark module and rewrites docs/benchmarks.md.
//
// Each module (matmul.ts, safetensors.ts, ...) measures one area side by side with its peers in
// this one process and returns a markdown section. Sections are kept between marker comments in
// docs/benchmarks.md, so `pnpm bench --only matmul` re-measures one area and leaves the others
// as they were (each section says when and on what it was measured).
//
// Not a test: nothing here asserts a speed. Goals are stated in the sections' text.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { describeMachine } from "./machine.ts";
import type { BenchSection } from "./report.ts";

// name -> module path. Order is the order of sections in docs/benchmarks.md.
const BENCHMARKS: Record<string, string> = {
  matmul: "./matmul.ts",
  safetensors: "./safetensors.ts",
  tokenizer: "./tokenizer.ts",
  model: "./model.ts",
  sample: "./sample.ts",
  decode: "./decode.ts",
  serve: "./serve.ts",
  quant: "./quant.ts",
  "quant-accuracy": "./quant-accuracy.ts",
  prefill: "./prefill.ts",
  train: "./train.ts",
  startup: "./startup.ts",
  baseline: "./baseline.ts",
};

// Sections a module may write instead of its own (BenchSection.key), and the one they follow.
const EXTRA_SECTIONS: Record<string, string> = { "train-full": "train" };
/** Every section name in document order: each module's, each extra right after its module's. */
const ORDER = Object.keys(BENCHMARKS).flatMap((name) => [
  name,
  ...Object.keys(EXTRA_SECTIONS).filter((extra) => EXTRA_SECTIONS[extra] === name),
]);

const docPath = fileURLToPath(new URL("../../../docs/benchmarks.md", import.meta.url));

const { values } = parseArgs({
  options: { only: { type: "string", multiple: true }, list: { type: "boolean" } },
});

if (values.list) {
  console.log(Object.keys(BENCHMARKS).join("\n"));
} else {
  const selected = values.only ?? Object.keys(BENCHMARKS);
  for (const name of selected) {
    if (!(name in BENCHMARKS)) {
      console.error(`bench: unknown benchmark "${name}" (known: ${Object.keys(BENCHMARKS).join(", ")})`);
      process.exit(1);
    }
  }

  const existing = existsSync(docPath) ? readFileSync(docPath, "utf8") : "";
  const sections = new Map<string, string>();
  for (const name of ORDER) {
    const kept = readSection(existing, name);
    if (kept) sections.set(name, kept);
  }

  const machine = describeMachine();
  for (const name of selected) {
    console.error(`bench: running ${name} ...`);
    const module = (await import(BENCHMARKS[name]!)) as { run: () => Promise<BenchSection> };
    const section = await module.run();
    const body = [
      `## ${section.title}`,
      "",
      `Measured ${new Date().toISOString().slice(0, 10)} on ${machine.summary}.`,
      `Command: \`${section.command}\``,
      "",
      section.markdown.trim(),
    ].join("\n");
    const key = section.key ?? name;
    // A key missing from ORDER would be measured and then silently left out of the document.
    if (!ORDER.includes(key))
      throw new Error(`bench: ${name} wrote section "${key}", which is not in EXTRA_SECTIONS`);
    sections.set(key, body);
    console.log(`${body}\n`);
  }

  const document = [
    "# Benchmarks",
    "",
    "Written by `pnpm bench` (apps/bench). Each section names the machine and the command that",
    "produced it; `pnpm bench --only NAME` re-measures one section. The machine is shared with other",
    "jobs: decode and prefill keep the best of several runs and say what the load was; treat",
    "differences under ~10% as noise.",
    "",
    ...ORDER.filter((name) => sections.has(name)).flatMap((name) => [
      `<!-- bench:${name} -->`,
      sections.get(name)!,
      `<!-- /bench:${name} -->`,
      "",
    ]),
  ].join("\n");
  writeFileSync(docPath, document);
  console.error(`bench: wrote ${docPath}`);
}

function readSection(document: string, name: string): string | undefined {
  const start = document.indexOf(`<!-- bench:${name} -->`);
  const end = document.indexOf(`<!-- /bench:${name} -->`);
  if (start < 0 || end < start) return undefined;
  return document.slice(start + `<!-- bench:${name} -->`.length, end).trim();
}
