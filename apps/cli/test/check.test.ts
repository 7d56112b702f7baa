// `llmts check` on the committed fixtures and on a deliberately broken copy of one.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));
const fixtures = fileURLToPath(new URL("../../../fixtures", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llmts-check-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function llmts(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
}

describe("llmts check", () => {
  it("prints OK lines and exits 0 on a fixture that matches", () => {
    const r = llmts("check", join(fixtures, "gpt2-tied"));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^OK +gpt2-tied +logits +maxdiff \S+ +rel \S+ \(maxdiff \/ max\|ref\| \S+\)/m);
    expect(r.stdout).toMatch(/^OK +gpt2-tied +logits, token by token \(KV cache\) +maxdiff /m);
    expect(r.stdout).toMatch(/^OK +gpt2-tied +greedy/m);
    expect(r.stdout).toContain("1 of 1 fixtures passed");
  });

  it("prints NOT OK and exits 1 when the model differs from the reference", () => {
    // A fixture whose config says layer_norm_epsilon 0.5 instead of 1e-5: every check should move.
    const broken = join(dir, "gpt2-broken-eps");
    cpSync(join(fixtures, "gpt2-tied"), broken, { recursive: true });
    const config = JSON.parse(readFileSync(join(broken, "config.json"), "utf8"));
    writeFileSync(join(broken, "config.json"), JSON.stringify({ ...config, layer_norm_epsilon: 0.5 }));
    const r = llmts("check", broken);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^NOT OK gpt2-broken-eps +logits +maxdiff /m);
    expect(r.stdout).toMatch(/^NOT OK gpt2-broken-eps +logits, token by token \(KV cache\) +maxdiff /m);
    expect(r.stdout).toContain("0 of 1 fixtures passed");
  });

  it("names a path that does not exist, and says so when the paths hold no fixture", () => {
    const missing = llmts("check", join(dir, "nothing-here"));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^llmts: check: no such file or directory: .*nothing-here\n$/);
    const empty = join(dir, "empty");
    cpSync(join(fixtures, "gen"), empty, { recursive: true }); // a directory, but no fixture in it
    const none = llmts("check", empty);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/^llmts: check: no fixtures \(directories with reference.safetensors\) in /);
  });
});
