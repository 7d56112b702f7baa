// The named shapes of `llmts init --preset`: every preset parses, and the new families' presets
// have the parameter counts their publishers state (counted from the parameter list, nothing
// allocated: the Phi models hold 3.8B parameters).
import { describe, expect, it } from "vitest";
import { type ParamSpec, PRESETS, parameterSpecs, parseConfig } from "../src/index.ts";

/** Total and non-embedding parameters (embeddings and untied heads excluded) of a preset. */
function count(name: string): { total: number; body: number } {
  const specs: ParamSpec[] = parameterSpecs(parseConfig(PRESETS[name]!.config, `preset ${name}`));
  const size = (s: ParamSpec) => s.shape.reduce((a, b) => a * b, 1);
  const embedding = /(embed_tokens|embed_in|embed_out|lm_head|wte|wpe)\.weight$/;
  const total = specs.reduce((n, s) => n + size(s), 0);
  return {
    total,
    body: total - specs.filter((s) => embedding.test(s.name)).reduce((n, s) => n + size(s), 0),
  };
}

describe("PRESETS", () => {
  it("each parses to the family it names", () => {
    for (const [name, preset] of Object.entries(PRESETS)) {
      expect(parseConfig(preset.config, `preset ${name}`).arch, name).toBe(preset.arch);
    }
  });

  it("match the published sizes of Pythia-70M, Qwen3-0.6B, Gemma 3 270M, Phi-3-mini and Phi-4-mini", () => {
    // Pythia's model table (EleutherAI/pythia README): 70,426,624 total, 18,915,328 non-embedding.
    expect(count("pythia-70m")).toEqual({ total: 70_426_624, body: 18_915_328 });
    // Qwen3 technical report, table 1: 0.6B parameters, 0.44B non-embedding.
    const qwen = count("qwen3-0.6b");
    expect([qwen.total / 1e9, qwen.body / 1e9].map((x) => Math.round(x * 100) / 100)).toEqual([0.6, 0.44]);
    // Gemma 3 270M model card: 170M embedding and 100M transformer parameters.
    const gemma = count("gemma3-270m");
    expect([Math.round((gemma.total - gemma.body) / 1e7), Math.round(gemma.body / 1e7)]).toEqual([17, 10]);
    // Both Phi model cards: 3.8B parameters.
    for (const name of ["phi-3-mini-4k", "phi-4-mini"])
      expect(Math.round(count(name).total / 1e8) / 10).toBe(3.8);
  });
});
