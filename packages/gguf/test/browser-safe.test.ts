// The main entry point must run in browsers: no file under src/ outside src/node/ imports a
// node: module or touches Node's globals (Buffer, process). Files are an adapter's business.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = fileURLToPath(new URL("../src/", import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("the browser entry point", () => {
  const core = sourceFiles(src).filter((f) => !relative(src, f).startsWith("node"));

  it("covers the core files", () => {
    expect(core.map((f) => relative(src, f))).toContain("index.ts");
    expect(core.length).toBeGreaterThan(10);
  });

  for (const file of core) {
    it(`${relative(src, file)} uses no node: module and no Node global`, () => {
      const code = readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => !line.trimStart().startsWith("//"))
        .join("\n");
      expect(code).not.toMatch(/from "node:/);
      expect(code).not.toMatch(/\bBuffer\b|\bprocess\b|\brequire\(/);
      // Its only package import is @llmts/safetensors' browser entry, never its /node one.
      expect(code).not.toMatch(/@llmts\/safetensors\/node/);
    });
  }
});
