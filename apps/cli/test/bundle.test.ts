// The bundled CLI (scripts/build.mjs, built at install time) is the same program as the sources:
// `llmts generate` gives the same tokens and the same JSON from both, a data-parallel training
// run works from the bundle (its worker is bundled next to it), and the bin runs the bundle only
// while every source it was built from is unchanged.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain JavaScript next to the bin, without type declarations
import { bundleIsFresh } from "../bin/fresh.mjs";

const cli = fileURLToPath(new URL("..", import.meta.url));
const bin = join(cli, "bin", "llmts.mjs");
const fixture = fileURLToPath(new URL("../../../fixtures/llama-gqa-tied", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "llmts-bundle-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(() => {
  execFileSync(process.execPath, [join(cli, "scripts", "build.mjs")], { stdio: "ignore" });
}, 60_000);

function run(args: string[], fromSource: boolean) {
  const env = { ...process.env, LLMTS_FROM_SOURCE: fromSource ? "1" : "0" };
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env, timeout: 60_000 });
}

describe("the bundled CLI", () => {
  it("is fresh right after a build", () => {
    expect(bundleIsFresh(join(cli, "dist", "build.json"), join(cli, "..", ".."))).toBe(true);
  });

  it("generates the same tokens as the sources", () => {
    const args = ["generate", "--model", fixture, "--prompt-ids", "1,2,3", "--max-new-tokens", "6", "--json"];
    const bundled = run([...args, "--temperature", "0"], false);
    const source = run([...args, "--temperature", "0"], true);
    expect(bundled.status, bundled.stderr).toBe(0);
    expect(source.status, source.stderr).toBe(0);
    const ids = (out: string) => (JSON.parse(out) as { generated_ids: number[] }).generated_ids;
    expect(ids(bundled.stdout)).toEqual(ids(source.stdout));
    expect(ids(bundled.stdout)).toHaveLength(6);
  });

  it("trains with data-parallel worker threads, the worker bundled next to it", () => {
    const text = join(scratch, "t.txt");
    writeFileSync(text, "the cat sat on the mat. ".repeat(100));
    const r = run(
      [
        "train",
        "--data",
        text,
        "--out",
        join(scratch, "run"),
        "--n-layer",
        "1",
        "--n-embd",
        "16",
        "--n-head",
        "2",
        "--block-size",
        "8",
        "--batch-size",
        "4",
        "--max-iters",
        "2",
        "--data-parallel",
        "2",
        "--threads",
        "1",
      ],
      false,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("done at iteration 2");
  });
});

describe("bundleIsFresh", () => {
  it("says no when a listed source changed, is missing, or the stamp is absent", () => {
    const dir = mkdtempSync(join(scratch, "fresh-"));
    const src = join(dir, "a.ts");
    writeFileSync(src, "export const a = 1;\n");
    utimesSync(src, 1_700_000_000, 1_700_000_000);
    const stamp = join(dir, "build.json");
    writeFileSync(stamp, JSON.stringify({ inputs: { "a.ts": [20, 1_700_000_000_000] } }));
    expect(bundleIsFresh(stamp, dir)).toBe(true);
    utimesSync(src, 1_700_000_001, 1_700_000_001); // edited since the build
    expect(bundleIsFresh(stamp, dir)).toBe(false);
    writeFileSync(stamp, JSON.stringify({ inputs: { "b.ts": [1, 1] } })); // a source gone
    expect(bundleIsFresh(stamp, dir)).toBe(false);
    expect(bundleIsFresh(join(dir, "none.json"), dir)).toBe(false);
  });
});
