// The textbook stays small: @llmts/tensor's src/ holds at most 2,500 lines of code, counted the
// way tinygrad counts its own budget — lines that hold code, not blank lines or comment-only
// lines — so the prose that explains the code is free and only code spends the budget. Faster
// kernels belong in @llmts/kernels, which plugs in through setBackend().
// It also stays platform-neutral: nothing in src/ imports a node: module or reads a Node global,
// so the package runs unchanged in a browser (the bundling test in apps/harness checks the same
// from the other side, by bundling it for the browser).

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BUDGET = 2500;
const src = join(import.meta.dirname, "..", "src");
const files = readdirSync(src, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts"))
  .map((f) => ({ name: f, text: readFileSync(join(src, f), "utf8") }));

/** Lines that hold code: not blank, not inside or made only of a comment. */
function codeLines(text: string): number {
  let count = 0;
  let inBlock = false;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (inBlock) {
      if (line.includes("*/")) inBlock = false;
      continue;
    }
    if (line === "" || line.startsWith("//")) continue;
    if (line.startsWith("/*")) {
      inBlock = !line.includes("*/");
      continue;
    }
    count++;
  }
  return count;
}

describe("@llmts/tensor's src/", () => {
  it(`holds at most ${BUDGET} lines of code`, () => {
    const total = files.reduce((n, f) => n + codeLines(f.text), 0);
    expect(files.length).toBeGreaterThan(20);
    expect(total).toBeGreaterThan(1000); // the counter counts something
    expect(total).toBeLessThanOrEqual(BUDGET);
  });

  it("counts code lines, not comments or blank lines", () => {
    expect(codeLines("// a\n\n/**\n * b\n */\nconst x = 1; // c\n/* d */\nx;\n")).toBe(2);
  });

  it("imports no node: module and reads no Node global", () => {
    const offenders = files
      .filter((f) => /from "node:|require\(|\bprocess\.|\bBuffer\b|__dirname/.test(f.text))
      .map((f) => f.name);
    expect(offenders).toEqual([]);
  });
});
