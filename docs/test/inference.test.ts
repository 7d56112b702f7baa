// The numbers docs/inference.md states about GPT-2 124M, checked against the code: the parameter
// count of the `gpt2` preset (its table adds up the shapes by hand), the causal mask for two
// tokens, and the mask-free single-token step.
// Expected values come from the page's own arithmetic, not from running our model.

import { describe, expect, it } from "vitest";
// docs/ is not a workspace dependent of the packages (its package.json lists vitest only), so
// sources are imported by path.
import { attentionMask, PRESETS, parameterSpecs, parseConfig } from "../../packages/model/src/index.ts";

const C = 768;
const V = 50257;

describe("GPT-2 124M as docs/inference.md describes it", () => {
  it("has 124,439,808 parameters: the embeddings, 12 blocks of 7,087,872 and ln_f", () => {
    const config = parseConfig(PRESETS.gpt2!.config);
    const specs = parameterSpecs(config);
    const count = specs.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1), 0);
    const block = 4 * C + (C * 3 * C + 3 * C) + (C * C + C) + (C * 4 * C + 4 * C) + (4 * C * C + C);
    expect(block).toBe(7_087_872);
    expect(count).toBe(V * C + 1024 * C + 12 * block + 2 * C);
    expect(count).toBe(124_439_808);
    expect(specs.some((s) => s.name.endsWith("lm_head.weight"))).toBe(false); // tied to wte
  });

  it("masks key 1 from query 0 when the prompt has two tokens", () => {
    expect(attentionMask(2, 2, null)?.toNested()).toEqual([
      [0, 1],
      [0, 0],
    ]);
  });

  it("needs no mask for one new token attending over three cached positions", () => {
    expect(attentionMask(1, 3, null)).toBeNull();
  });
});
