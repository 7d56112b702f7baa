import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));

describe("llmts --help", () => {
  it("prints the usage line and exits 0", () => {
    const out = execFileSync(process.execPath, [bin, "--help"], { encoding: "utf8" });
    expect(out).toContain("Usage: llmts");
  });

  it("rejects an unknown command with a non-zero exit", () => {
    expect(() =>
      execFileSync(process.execPath, [bin, "no-such-command"], { encoding: "utf8", stdio: "pipe" }),
    ).toThrow();
  });
});
