// The forge's model sizes: each is a valid @llmts/train run, and the parameter count the page
// shows is the number of weights the model it builds really has.
import { createModel } from "@llmts/model";
import { Rng } from "@llmts/tensor";
import { modelConfigFor, validateConfig } from "@llmts/train";
import { describe, expect, it } from "vitest";
import { parameterCount, SIZE_NAMES, SIZE_PRESETS } from "../src/shared/presets.ts";

describe("model size presets", () => {
  it.each(SIZE_NAMES)("%s is a valid run whose parameter count is the built model's", (name) => {
    const config = SIZE_PRESETS[name].config;
    expect(() => validateConfig(config)).not.toThrow();
    const model = createModel(modelConfigFor(config, 89), new Rng(0));
    let weights = 0;
    for (const t of model.parameters().values()) weights += t.size;
    expect(parameterCount(config, 89)).toBe(weights);
  });

  it("the small preset is 0.11M parameters on Moby-Dick's 89 characters", () => {
    expect(parameterCount(SIZE_PRESETS.small.config, 89) / 1e6).toBeCloseTo(0.11, 2);
  });
});
