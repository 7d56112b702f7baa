// Fine-tuning every family (`llmts train --init-from fixtures/<family> --tokenizer ...`): the
// PyTorch fixtures of Qwen3, Gemma 3, GPT-NeoX / Pythia and Phi-3 train a few steps with dropout on
// the same autograd their forward passes use, lower their loss on the text, and save a checkpoint
// of their own family that loads back.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadModel } from "@llmts/model/node";
import { CharTokenizer } from "@llmts/tokenizer";
import { saveTokenizer } from "@llmts/tokenizer/node";
import { afterAll, describe, expect, it } from "vitest";
import { isEvalRecord } from "../src/index.ts";
import { MetricsLog, prepareRun, trainRun } from "../src/node/index.ts";
import { scratchDir, TEXT, tinyConfig } from "./helpers.ts";

const fixtures = fileURLToPath(new URL("../../../fixtures", import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function outDir(): string {
  const dir = scratchDir();
  dirs.push(dir);
  return dir;
}

// The fixtures have no tokenizer: the 14 characters of TEXT, within every fixture's 128 ids.
const tokenizerDir = outDir();
const tokenizer = join(tokenizerDir, "tokenizer.json");
saveTokenizer(CharTokenizer.fromText(TEXT), tokenizer);

const cases: [string, string, string][] = [
  ["qwen3", "qwen3", "model.layers.0.self_attn.q_norm.weight"],
  ["gemma3", "gemma3", "model.layers.2.post_feedforward_layernorm.weight"],
  ["pythia", "gpt_neox", "gpt_neox.layers.1.attention.query_key_value.weight"],
  ["gpt-neox-sequential", "gpt_neox", "embed_out.weight"],
  ["phi3", "phi3", "model.layers.0.mlp.gate_up_proj.weight"],
  ["phi3-longrope", "phi3", "model.layers.1.self_attn.qkv_proj.weight"],
];

describe("fine-tuning a fixture of each newer family", () => {
  it("refuses a new model of those families, naming --init-from as the way in", () => {
    expect(() => prepareRun(tinyConfig(outDir(), { arch: "qwen3" }), { readText: () => TEXT })).toThrow(
      /^--arch qwen3: a new model is gpt2 or llama; fine-tune the other families with --init-from/,
    );
  });

  for (const [fixture, arch, tensor] of cases) {
    it(`${fixture}: trains with dropout, lowers the loss, and saves a ${arch} checkpoint that loads back`, async () => {
      const from = join(fixtures, fixture);
      const out = outDir();
      const run = prepareRun(
        tinyConfig(out, {
          initFrom: from,
          tokenizer,
          maxIters: 6,
          evalInterval: 6,
          dropout: 0.1,
          learningRate: 3e-3,
        }),
        { readText: () => TEXT },
      );
      expect(run.mode).toBe("fine-tune");
      expect(run.config.arch).toBe(arch);
      expect((await trainRun(run)).iter).toBe(6);

      const evals = new MetricsLog(join(out, "metrics.jsonl")).read().filter(isEvalRecord);
      expect(evals.map((r) => r.iter)).toEqual([0, 6]);
      expect(evals[1]!.train_loss).toBeLessThan(evals[0]!.train_loss);

      const saved = loadModel(out).model;
      expect(saved.config.arch).toBe(arch);
      const before = loadModel(from).model.parameters().get(tensor)!.toArray();
      expect(saved.parameters().get(tensor)!.toArray()).not.toEqual(before);
    });
  }
});
