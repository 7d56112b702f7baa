// Code quoted in docs/*.md is the code: every ```ts (or ```wat) block carries a `<!-- code: path -->` comment
// on the line before it, naming the source file it is quoted from, and each of its lines must
// still be in that file, in the same order (comments and indentation aside: a page may explain a
// line in its own words, and may leave lines out). When the code changes, the page fails here
// instead of quietly teaching last month's version.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const docs = join(import.meta.dirname, "..");
const root = join(docs, "..");
const pages = readdirSync(docs).filter((f) => f.endsWith(".md"));

interface Snippet {
  line: number; // 1-based line of the opening fence
  source: string | null; // the path named by the comment above it
  code: string[];
}

function snippets(markdown: string): Snippet[] {
  const lines = markdown.split("\n");
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript|js|wat)\s*$/.test(lines[i]!)) continue;
    const source = /^<!-- code: (\S+) -->$/.exec(lines[i - 1] ?? "")?.[1] ?? null;
    const end = lines.indexOf("```", i + 1);
    found.push({ line: i + 1, source, code: lines.slice(i + 1, end) });
    i = end;
  }
  return found;
}

/** The code of a line: no `//` (or WebAssembly text's `;;`) comment, no surrounding space. */
function codeOf(line: string, comment: RegExp = /\s*\/\/.*$/): string {
  return line.replace(comment, "").trim();
}

/** The snippet's lines that the source lacks, or that appear out of order. */
function missingLines(snippet: string[], source: string, comment?: RegExp): string[] {
  const sourceLines = source.split("\n").map((l) => codeOf(l, comment));
  const missing: string[] = [];
  let at = 0;
  for (const line of snippet.map((l) => codeOf(l, comment)).filter((l) => l !== "")) {
    const found = sourceLines.findIndex((s, i) => i >= at && s.includes(line));
    if (found < 0) missing.push(line);
    else at = found + 1;
  }
  return missing;
}

describe("code quoted in the docs", () => {
  it("finds the pages and their snippets", () => {
    expect(pages).toContain("inference.md");
    expect(pages.flatMap((p) => snippets(readFileSync(join(docs, p), "utf8"))).length).toBeGreaterThan(4);
  });

  for (const page of pages) {
    for (const s of snippets(readFileSync(join(docs, page), "utf8"))) {
      it(`${page}:${s.line} still says what ${s.source ?? "its source"} says`, () => {
        expect(s.source, "a <!-- code: path --> comment on the line before the fence").not.toBeNull();
        const source = readFileSync(join(root, s.source!), "utf8");
        const comment = s.source!.endsWith(".wat") ? /\s*;;.*$/ : undefined;
        expect(missingLines(s.code, source, comment)).toEqual([]);
      });
    }
  }

  it("catches a line that is not in the source", () => {
    expect(missingLines(["const x = 1;", "return y;"], "const x = 1; // one\nreturn x;")).toEqual([
      "return y;",
    ]);
    expect(missingLines(["b();", "a();"], "a();\nb();")).toEqual(["a();"]);
  });
});
