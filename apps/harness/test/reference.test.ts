// reference.json is read once and checked field by field: a fixture cannot pass by saying nothing
// ({} or no file: `llmts check` once passed both, skipping every check it had no numbers for),
// and a wrong-typed field is one line naming it (once: "x.toExponential is not a function").
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FixtureError, readReference } from "../src/index.ts";

const root = mkdtempSync(join(tmpdir(), "llmts-reference-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tolerance = { logits_abs: 1e-4, loss_abs: 1e-5, grad_abs: 1e-4 };

/** A fixture directory whose reference.json is `json` (no file when undefined). */
function fixture(name: string, json?: unknown): string {
  const dir = join(root, name);
  mkdirSync(dir);
  if (json !== undefined)
    writeFileSync(join(dir, "reference.json"), typeof json === "string" ? json : JSON.stringify(json));
  return dir;
}

describe("readReference", () => {
  it("reads the tolerances and the greedy continuation", () => {
    const dir = fixture("complete", {
      tolerance,
      prompt_ids: [1, 2],
      greedy_ids: [3, 3, 4],
      notes: "for people",
    });
    expect(readReference(dir)).toEqual({ tolerance, greedy: { prompt: [1, 2], expected: [3, 3, 4] } });
    expect(readReference(fixture("no-greedy", { tolerance })).greedy).toBeNull();
  });

  it("fails a fixture that says nothing: no reference.json, {}, or no tolerance", () => {
    const cases: [string, unknown, string][] = [
      ["missing", undefined, "reference.json: missing: a fixture states its tolerances"],
      ["empty", {}, "reference.json: no tolerance: nothing says how close"],
      ["array", [], "reference.json: expected a JSON object, got an array"],
      ["not-json", "{ nope", "reference.json: not valid JSON"],
    ];
    for (const [name, json, message] of cases) {
      expect(() => readReference(fixture(name, json)), name).toThrow(FixtureError);
      expect(() => readReference(join(root, name)), name).toThrow(message);
    }
  });

  it("names a wrong-typed or missing field in one line", () => {
    const cases: [string, unknown, string][] = [
      [
        "string-tolerance",
        { tolerance: { ...tolerance, logits_abs: "1e-4" } },
        'reference.json: tolerance.logits_abs must be a number >= 0, got a string ("1e-4")',
      ],
      ["negative", { tolerance: { ...tolerance, grad_abs: -1 } }, "tolerance.grad_abs must be a number >= 0"],
      [
        "no-loss",
        { tolerance: { logits_abs: 1e-4, grad_abs: 1e-4 } },
        "reference.json: tolerance.loss_abs is missing",
      ],
      [
        "tolerance-number",
        { tolerance: 0.1 },
        "reference.json: tolerance must be an object, got a number (0.1)",
      ],
      [
        "ids-strings",
        { tolerance, prompt_ids: ["a"], greedy_ids: [1] },
        "prompt_ids must be a non-empty list of token ids (integers >= 0)",
      ],
      [
        "half-greedy",
        { tolerance, prompt_ids: [1] },
        "prompt_ids is given without greedy_ids: they go together",
      ],
    ];
    for (const [name, json, message] of cases) {
      expect(() => readReference(fixture(name, json)), name).toThrow(message);
    }
  });
});
