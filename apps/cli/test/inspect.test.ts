// `llmts inspect` run as a user runs it: the real bin, a real file, stdout and exit codes.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTensor, fromNumbers } from "@llmts/safetensors";
import { writeSafetensors } from "@llmts/safetensors/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llmts-inspect-"));
const file = join(dir, "model.safetensors");

function llmts(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
}

beforeAll(() => {
  writeSafetensors(
    file,
    {
      "wte.weight": createTensor("F32", [10, 4], new Float32Array(40)),
      "ln_f.bias": createTensor("F16", [4], new Uint16Array(4)),
      ids: fromNumbers("I64", [1, 2], [1, 2]),
    },
    { format: "pt" },
  );
  writeFileSync(join(dir, "broken.safetensors"), new Uint8Array([200, 0, 0, 0, 0, 0, 0, 0, 123]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("llmts inspect", () => {
  it("prints one JSON object with tensors, parameter count, bytes and metadata", () => {
    const out = execFileSync(process.execPath, [bin, "inspect", dir, "--json"], { encoding: "utf8" });
    const report = JSON.parse(out);
    expect(report.files).toEqual([file]);
    expect(report.index).toBeNull();
    expect(report.tensors).toEqual([
      { name: "ids", dtype: "I64", shape: [1, 2], bytes: 16, file },
      { name: "wte.weight", dtype: "F32", shape: [10, 4], bytes: 160, file },
      { name: "ln_f.bias", dtype: "F16", shape: [4], bytes: 8, file },
    ]);
    expect(report.parameter_count).toBe(2 + 40 + 4);
    expect(report.total_bytes).toBe(16 + 160 + 8);
    expect(report.metadata).toEqual({ format: "pt" });
  });

  it("prints a table with the totals for people", () => {
    const result = llmts("inspect", file);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("3 tensors, 46 parameters, 184 bytes");
    expect(result.stdout).toContain('metadata: format="pt"');
    expect(result.stdout).toMatch(/wte\.weight\s+F32\s+\[10, 4\]\s+160/);
  });

  it("reports a malformed file as one line with exit code 1 and no stack trace", () => {
    const result = llmts("inspect", join(dir, "broken.safetensors"));
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `llmts: safetensors: header length 200 runs past the end of the file (9 bytes) (${join(dir, "broken.safetensors")})\n`,
    );
  });

  it("names a missing path in a one-line error", () => {
    const result = llmts("inspect", join(dir, "nope"));
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`llmts: safetensors: no such file or directory: ${join(dir, "nope")}\n`);
  });
});
