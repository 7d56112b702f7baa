// Every fixture under fixtures/ (written by fixtures/generate.py with PyTorch) must match: logits,
// loss, every gradient and the greedy continuation, within the tolerances in its reference.json.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkFixture, findFixtures, formatReport } from "../src/index.ts";

const root = fileURLToPath(new URL("../../../fixtures", import.meta.url));
const fixtures = findFixtures(root);

describe("reference fixtures", () => {
  it("are present (fixtures/ holds at least one fixture directory)", () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  for (const dir of fixtures) {
    const name = dir.slice(root.length + 1);
    it(`${name}: logits, loss, gradients and greedy continuation match PyTorch`, () => {
      const report = checkFixture(dir);
      const lines = formatReport(report, false);
      expect(report.ok, lines.join("\n")).toBe(true);
    });
  }
});
