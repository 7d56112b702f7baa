// Settings in the URL hash: a shared link reproduces the settings, bad values are refused with a
// message naming them (and left at their defaults), and the checks are `llmts generate`'s ranges.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SETTINGS,
  formatStops,
  hashOf,
  parseSetting,
  parseStops,
  settingsFromHash,
} from "../src/shared/settings.ts";

describe("settings in the URL hash", () => {
  it("round-trip: the hash of some settings reads back as the same settings", () => {
    const settings = {
      ...DEFAULT_SETTINGS,
      size: "small" as const,
      temperature: 0,
      top_k: 40,
      seed: 7,
      stop: ["\n", "END"],
      crop: true,
      prompt: "Call me Ishmael & co.",
    };
    const hash = hashOf(settings);
    expect(settingsFromHash(hash)).toEqual({ settings, problems: [] });
  });

  it("holds only what differs from the defaults", () => {
    expect(hashOf(DEFAULT_SETTINGS)).toBe("");
    expect(hashOf({ ...DEFAULT_SETTINGS, seed: 3 })).toBe("#seed=3");
  });

  it("refuses bad and unknown values one by one, naming each, and keeps the good ones", () => {
    const { settings, problems } = settingsFromHash("#temperature=hot&top_p=2&size=huge&seed=4&colour=red");
    expect(settings.seed).toBe(4);
    expect(settings.temperature).toBe(DEFAULT_SETTINGS.temperature);
    expect(settings.size).toBe(DEFAULT_SETTINGS.size);
    expect(problems).toEqual([
      `temperature: expected a number, got "hot"; left at ${DEFAULT_SETTINGS.temperature}`,
      `top_p: must be at most 1, got 2; left at ${DEFAULT_SETTINGS.top_p}`,
      `size: expected one of tiny, small, medium, nanogpt, got "huge"; left at ${DEFAULT_SETTINGS.size}`,
      expect.stringMatching(/^unknown setting "colour" \(known: corpus, size, /),
    ]);
  });
});

describe("a setting's check", () => {
  it("uses the CLI's ranges: top-k a whole number, top-p in [0, 1], max tokens at least 1", () => {
    expect(parseSetting("top_k", "2.5")).toEqual({ error: 'top_k: expected a whole number, got "2.5"' });
    expect(parseSetting("top_p", "-0.1")).toEqual({ error: "top_p: must be at least 0, got -0.1" });
    expect(parseSetting("max_tokens", "0")).toEqual({ error: "max_tokens: must be at least 1, got 0" });
    expect(parseSetting("temperature", "")).toEqual({ error: 'temperature: expected a number, got ""' });
    expect(parseSetting("lr", "0")).toEqual({ error: "lr: must be greater than 0, got 0" });
    expect(parseSetting("temperature", "0")).toBe(0);
  });

  it("reads stop sequences one per line, with \\n for a line break", () => {
    expect(parseStops("END\n\\n\n\nA\\tB")).toEqual(["END", "\n", "A\tB"]);
    expect(parseStops(formatStops(["x\ny", "\t"]))).toEqual(["x\ny", "\t"]);
  });
});
