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
    expect(r.stdout).toMatch(
      /^checked gpt2-tied: logits, logits token by token \(KV cache\), loss, 28 gradients, greedy \(8 tokens\)$/m,
    );
    expect(r.stdout).not.toContain("not checked");
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

  it("fails a fixture whose reference.json is {} or missing, and names a wrong-typed tolerance in one line", () => {
    const reference = JSON.parse(readFileSync(join(fixtures, "gpt2-tied", "reference.json"), "utf8"));
    const cases: [string, string | null, RegExp][] = [
      ["empty-reference", "{}", /reference\.json: no tolerance: nothing says how close/],
      ["no-reference", null, /reference\.json: missing: a fixture states its tolerances/],
      [
        "string-tolerance",
        JSON.stringify({ ...reference, tolerance: { ...reference.tolerance, logits_abs: "1e-4" } }),
        /reference\.json: tolerance\.logits_abs must be a number >= 0, got a string \("1e-4"\)/,
      ],
    ];
    for (const [name, json, message] of cases) {
      const fixture = join(dir, name);
      cpSync(join(fixtures, "gpt2-tied"), fixture, { recursive: true });
      if (json === null) rmSync(join(fixture, "reference.json"));
      else writeFileSync(join(fixture, "reference.json"), json);
      const r = llmts("check", fixture);
      expect(r.status, name).toBe(1);
      expect(r.stdout.split("\n")[0], name).toMatch(new RegExp(`^NOT OK .*${name}  ${message.source}`));
      expect(r.stdout, name).toContain(`FAIL ${fixture}\n0 of 1 fixtures passed\n`);
      expect(r.stderr, name).toBe("");
    }
  });

  it("says what it did not check: a fixture without greedy_ids passes, with a 'not checked' line", () => {
    const fixture = join(dir, "no-greedy");
    cpSync(join(fixtures, "gpt2-tied"), fixture, { recursive: true });
    const { prompt_ids, greedy_ids, ...rest } = JSON.parse(
      readFileSync(join(fixture, "reference.json"), "utf8"),
    );
    writeFileSync(join(fixture, "reference.json"), JSON.stringify(rest));
    const r = llmts("check", fixture);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^checked no-greedy: logits, logits token by token \(KV cache\), loss, 28 gradients$/m,
    );
    expect(r.stdout).toMatch(
      /^not checked no-greedy: greedy \(reference\.json has no prompt_ids and greedy_ids\)$/m,
    );
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
