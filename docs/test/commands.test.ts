// Every command in a ```sh block of docs/*.md is run here, so the study guide cannot drift from
// what the code does. The conventions (also stated in docs/README.md):
//   - each line of a `sh` block is a command, run with bash from the repository root (lines
//     ending in `\` continue on the next; lines starting with `#` are comments);
//   - a `text` block right after a `sh` block (only blank lines between) is output: each of its
//     lines must appear in what the block printed (stdout + stderr, runs of spaces collapsed);
//     a line that is exactly `...` stands for lines left out;
//   - a block containing the line `# slow: not run by the docs tests` is not run (reported as a
//     skipped test), and a page with such a block must say so before its first `##` heading.
// `npx -y pnpm@12.21.0 llmts` and `pnpm llmts` run the CLI's bin with node directly, and
// `npx tsx` runs the installed tsx, so no package manager is started.
// Commands run in a scratch directory whose entries are symlinks to the repository's, so files a
// command writes (e.g. under out/) land in the scratch directory, not in the checkout.
// Not here: checking links (links.test.ts) or the worked tensor example (tensors.test.ts).

import { exec } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const SLOW_MARK = "# slow: not run by the docs tests";
// docs/benchmarks.md is written by `pnpm bench`; its commands are the benchmark's own.
const GENERATED = new Set(["benchmarks.md"]);

interface Block {
  lang: string;
  lines: string[];
  /** 1-based line numbers of the opening and closing fences. */
  open: number;
  close: number;
}

/** The fenced code blocks of a markdown file, in order. */
function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  let current: Block | null = null;
  lines.forEach((text, i) => {
    if (current === null) {
      const fence = text.match(/^```\s*([\w-]*)/);
      if (fence) current = { lang: fence[1] ?? "", lines: [], open: i + 1, close: -1 };
    } else if (text.startsWith("```")) {
      current.close = i + 1;
      blocks.push(current);
      current = null;
    } else current.lines.push(text);
  });
  return blocks;
}

/** True when only blank lines separate block `a` from the block after it. */
function adjacent(markdown: string, a: Block, b: Block): boolean {
  return markdown
    .split("\n")
    .slice(a.close, b.open - 1)
    .every((line) => line.trim() === "");
}

/** The commands of a sh block: comments dropped, `\` continuations joined. */
function commandsOf(block: Block): string[] {
  const commands: string[] = [];
  let pending = "";
  for (const raw of block.lines) {
    const line = raw.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    commands.push(pending + line);
    pending = "";
  }
  if (pending !== "") commands.push(pending.trim());
  return commands;
}

/** What we actually execute for a documented command. */
function rewrite(command: string): string {
  const cli = `node ${join(root, "apps/cli/bin/llmts.mjs")}`;
  return command
    .replace(/^npx -y pnpm@[\d.]+ llmts\b/, cli)
    .replace(/^pnpm llmts\b/, cli)
    .replace(/^npx tsx\b/, join(root, "node_modules/.bin/tsx"));
}

const squash = (s: string) => s.replace(/[ \t]+/g, " ").trim();

/** A scratch directory that looks like the repository root (symlinks to each entry). */
function scratchRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), "llmts-docs-"));
  for (const entry of readdirSync(root)) {
    if (entry === "out" || entry === "runs" || entry === ".git") continue;
    symlinkSync(join(root, entry), join(dir, entry));
  }
  return dir;
}

const run = promisify(exec);
const docs = readdirSync(join(root, "docs"))
  .filter((f) => f.endsWith(".md") && !GENERATED.has(f))
  .sort();
let scratch: string | undefined;
const cwd = () => {
  scratch ??= scratchRoot();
  return scratch;
};

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("commands in the docs", () => {
  const all = docs.map((file) => {
    const markdown = readFileSync(join(root, "docs", file), "utf8");
    return { file, markdown, blocks: fencedBlocks(markdown) };
  });

  it("finds commands to run", () => {
    const runnable = all.flatMap(({ blocks }) =>
      blocks.filter((b) => b.lang === "sh" && !b.lines.some((l) => l.trim() === SLOW_MARK)),
    );
    expect(runnable.length).toBeGreaterThan(3);
  });

  for (const { file, markdown, blocks } of all) {
    const hasSlow = blocks.some((b) => b.lang === "sh" && b.lines.some((l) => l.trim() === SLOW_MARK));
    if (hasSlow) {
      it(`${file} says at the top that some of its commands are slow and not run`, () => {
        const intro = markdown.split(/\n## /)[0]!;
        expect(intro).toContain(SLOW_MARK);
      });
    }

    blocks.forEach((block, index) => {
      if (block.lang !== "sh") return;
      const commands = commandsOf(block);
      const name = `${file}:${block.open} ${commands[0] ?? "(empty)"}`;
      if (block.lines.some((l) => l.trim() === SLOW_MARK)) {
        it.skip(`${name} (marked slow)`, () => {});
        return;
      }
      const next = blocks[index + 1];
      const expected = next && next.lang === "text" && adjacent(markdown, block, next) ? next.lines : [];
      it.concurrent(`${name} runs and prints what the page shows`, async () => {
        let output = "";
        for (const command of commands) {
          const result = await run(rewrite(command), {
            cwd: cwd(),
            shell: "/bin/bash",
            env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
            maxBuffer: 64 * 1024 * 1024,
            timeout: 60_000,
          }).catch((error: { code?: number; stdout?: string; stderr?: string }) => {
            throw new Error(
              `"${command}" exited with ${error.code}:\n${error.stdout ?? ""}${error.stderr ?? ""}`.slice(
                0,
                4000,
              ),
            );
          });
          output += `${result.stdout}${result.stderr}`;
        }
        const seen = squash(output);
        const missing = expected
          .map(squash)
          .filter((line) => line !== "" && line !== "..." && !seen.includes(line));
        expect(missing, `output was:\n${output.slice(0, 4000)}`).toEqual([]);
      }, 90_000);
    });
  }
});
