// Every relative link in the docs and READMEs must point at a file or folder that exists, and
// every `#L` line anchor must be inside the file: the docs are a guided tour through the code,
// and a dead link breaks the tour.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** Markdown files people read: docs/, the root README, and every package/app README. */
function markdownFiles(): string[] {
  const files = [join(root, "README.md"), join(root, "fixtures", "README.md")];
  for (const file of readdirSync(join(root, "docs")))
    if (file.endsWith(".md")) files.push(join(root, "docs", file));
  for (const group of ["packages", "apps"]) {
    for (const name of readdirSync(join(root, group))) files.push(join(root, group, name, "README.md"));
  }
  return files.filter((f) => existsSync(f));
}

/** Relative link targets in a markdown file: [text](target) and <img src="target">. */
function relativeLinks(markdown: string): string[] {
  const links: string[] = [];
  // Links inside fenced code blocks are examples, not links.
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, "");
  for (const match of withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) links.push(match[1]!);
  for (const match of withoutCode.matchAll(/src="([^"]+)"/g)) links.push(match[1]!);
  return links.filter((link) => !/^[a-z]+:/i.test(link) && !link.startsWith("#"));
}

describe("links in the docs", () => {
  const files = markdownFiles();

  it("finds the docs to check", () => {
    expect(files.length).toBeGreaterThan(3);
  });

  for (const file of files) {
    it(`every relative link in ${relative(root, file)} resolves`, () => {
      const broken: string[] = [];
      for (const link of relativeLinks(readFileSync(file, "utf8"))) {
        const [path, anchor] = link.split("#") as [string, string | undefined];
        const target = resolve(dirname(file), decodeURIComponent(path));
        if (!existsSync(target)) {
          broken.push(`${link} (no such file)`);
          continue;
        }
        const line = anchor?.match(/^L(\d+)/)?.[1];
        if (line && statSync(target).isFile()) {
          const lines = readFileSync(target, "utf8").split("\n").length;
          if (Number(line) > lines) broken.push(`${link} (the file has ${lines} lines)`);
        }
      }
      expect(broken).toEqual([]);
    });
  }
});
