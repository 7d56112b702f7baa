// Every relative link in the docs and READMEs must point at a file or folder that exists, every
// `#L` line anchor must be inside the file, and every `#heading` anchor into a markdown file must
// name one of its headings (GitHub's slugs): the docs are a guided tour through the code, and a
// dead link breaks the tour. A link whose text is a code name, like [`runBackward`](autograd.ts),
// also promises that the name is in that file, so that is checked too.
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

// Links inside fenced code blocks are examples, not links.
const withoutCode = (markdown: string) => markdown.replace(/```[\s\S]*?```/g, "");

/** Relative link targets in a markdown file: [text](target) and <img src="target">. */
function relativeLinks(markdown: string): string[] {
  const links: string[] = [];
  for (const match of withoutCode(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g))
    links.push(match[1]!);
  for (const match of withoutCode(markdown).matchAll(/src="([^"]+)"/g)) links.push(match[1]!);
  return links.filter((link) => !/^[a-z]+:/i.test(link));
}

/** The anchors GitHub gives a markdown file's headings: lower case, punctuation dropped, spaces -> "-". */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of withoutCode(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = match[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1"); // a link in a heading: its text
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/** [`name`](file) links: the code name in the text and the target. A file name as the text
 * ([`demo.ts`](src/commands/demo.ts)) names the file itself, not something in it: not a code name. */
function codeNameLinks(markdown: string): { name: string; link: string }[] {
  return [...withoutCode(markdown).matchAll(/\[`([^`]+)`\]\(([^)\s#]+\.(?:ts|mjs|py))(?:#[^)]*)?\)/g)]
    .map((m) => ({ name: m[1]!, link: m[2]! }))
    .filter(({ name }) => !/\.(?:ts|mjs|py|json|md)$/.test(name));
}

describe("links in the docs", () => {
  const files = markdownFiles();

  it("finds the docs to check", () => {
    expect(files.length).toBeGreaterThan(3);
  });

  for (const file of files) {
    it(`every relative link in ${relative(root, file)} resolves`, () => {
      const broken: string[] = [];
      const markdown = readFileSync(file, "utf8");
      for (const link of relativeLinks(markdown)) {
        const [path, anchor] = link.split("#") as [string, string | undefined];
        const target = path === "" ? file : resolve(dirname(file), decodeURIComponent(path));
        if (!existsSync(target)) {
          broken.push(`${link} (no such file)`);
          continue;
        }
        if (anchor === undefined || !statSync(target).isFile()) continue;
        const line = anchor.match(/^L(\d+)/)?.[1];
        if (line) {
          const lines = readFileSync(target, "utf8").split("\n").length;
          if (Number(line) > lines) broken.push(`${link} (the file has ${lines} lines)`);
        } else if (target.endsWith(".md") && !headingAnchors(readFileSync(target, "utf8")).has(anchor)) {
          broken.push(`${link} (no heading with that anchor)`);
        }
      }
      expect(broken).toEqual([]);
    });

    it(`every code name linked from ${relative(root, file)} is in the file it links to`, () => {
      const missing: string[] = [];
      for (const { name, link } of codeNameLinks(readFileSync(file, "utf8"))) {
        const target = resolve(dirname(file), link);
        if (!existsSync(target)) continue; // reported by the test above
        const source = readFileSync(target, "utf8");
        // `Gpt2.forward`, `unbroadcast(g, shape)`: every identifier before the "(" must appear.
        const parts = name
          .split("(")[0]!
          .split(".")
          .filter((p) => /^[A-Za-z_$][\w$]*$/.test(p));
        for (const part of parts) {
          if (!new RegExp(`\\b${part.replace(/\$/g, "\\$")}\\b`).test(source))
            missing.push(`${name} in ${link}`);
        }
      }
      expect(missing).toEqual([]);
    });
  }
});
