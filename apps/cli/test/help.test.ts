// The command tree as a user first meets it: --help, and the errors the flag parser itself
// reports (an unknown command or flag, a missing required option, a value outside the choices),
// each one line on stderr with a non-zero exit, like the errors of the commands.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));
const llmts = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

describe("llmts --help", () => {
  it("prints the usage line and exits 0", () => {
    const run = llmts(["--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Usage: llmts");
  });

  it("prints its version with --version and exits 0", () => {
    const run = llmts(["--version"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^llmts \d+\.\d+\.\d+\n$/);
  });

  it("rejects an unknown command, an unknown flag, a missing option and a bad choice in one line each", () => {
    const cases: [string[], RegExp][] = [
      [["no-such-command"], /^error: unknown command 'no-such-command'/],
      [["generate", "--model", "x", "--prompt-ids", "1", "--foo"], /^error: unknown option '--foo'/],
      [["generate"], /^error: required option '--model <dir>' not specified/],
      [["train", "--arch", "gru"], /^error: option '--arch <arch>' argument 'gru' is invalid/],
    ];
    for (const [args, message] of cases) {
      const run = llmts(args);
      expect(run.status, args.join(" ")).not.toBe(0);
      expect(run.stderr, args.join(" ")).toMatch(message);
      expect(run.stderr.trimEnd().split("\n"), args.join(" ")).toHaveLength(1);
    }
  });
});
