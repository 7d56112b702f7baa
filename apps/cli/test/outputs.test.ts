// The commands that write (init, logits, tokenizer train) never lose a user's files (issue:
// hardening, "data loss"): an existing file is replaced only with --force, a command's own inputs
// never, and an output path that cannot be written fails at once in one line that says why
// (a file where a directory should be, a read-only directory). Each case once overwrote or
// crashed; `llmts train` / `llmts demo` have their own in train-safety.test.ts.

import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runMeasured } from "./measure.ts";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));
const fixture = fileURLToPath(new URL("../../../fixtures/llama-gqa-tied", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llmts-outputs-"));
afterAll(() => {
  chmodSync(join(dir), 0o755);
  rmSync(dir, { recursive: true, force: true });
});

function llmts(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 60_000 });
}

/** A copy of the fixture model: the tests may try to destroy it. */
function modelCopy(name: string): string {
  const model = join(dir, name);
  cpSync(fixture, model, { recursive: true });
  return model;
}

/** exit 1, and stderr is exactly one line matching `message`. */
function refused(r: ReturnType<typeof llmts>, message: RegExp): void {
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.status).toBe(1);
}

describe("llmts logits --out", () => {
  it("never writes over the model's weights or its own --input, even with --force", () => {
    const model = modelCopy("logits-model");
    const input = join(model, "reference.safetensors");
    const weights = readFileSync(join(model, "model.safetensors"));
    const reference = readFileSync(input);
    for (const force of [[], ["--force"]]) {
      const overWeights = llmts(
        "logits",
        "--model",
        model,
        "--input",
        input,
        "--out",
        join(model, "model.safetensors"),
        ...force,
      );
      refused(
        overWeights,
        /^llmts: --out .*model\.safetensors would overwrite --model .*model\.safetensors, which this command reads/,
      );
      const overInput = llmts("logits", "--model", model, "--input", input, "--out", input, ...force);
      refused(
        overInput,
        /^llmts: --out .*reference\.safetensors would overwrite --input .*reference\.safetensors, which this command reads/,
      );
    }
    expect(readFileSync(join(model, "model.safetensors"))).toEqual(weights);
    expect(readFileSync(input)).toEqual(reference);
  });

  it("replaces an existing file only with --force, and writes a new file beside the model", () => {
    const input = join(fixture, "reference.safetensors");
    const out = join(dir, "existing.safetensors");
    writeFileSync(out, "a file the user cares about");
    refused(
      llmts("logits", "--model", fixture, "--input", input, "--out", out),
      /^llmts: --out: .*existing\.safetensors already exists and this command did not write it: pass --force to replace it, or choose another --out\n$/,
    );
    expect(readFileSync(out, "utf8")).toBe("a file the user cares about");
    expect(llmts("logits", "--model", fixture, "--input", input, "--out", out, "--force").status).toBe(0);
    const model = modelCopy("logits-beside");
    const beside = llmts(
      "logits",
      "--model",
      model,
      "--input",
      input,
      "--out",
      join(model, "logits.safetensors"),
    );
    expect(beside.stderr).toBe("");
    expect(beside.status).toBe(0);
  });

  it("says that --out is a directory instead of failing in the rename", () => {
    const input = join(fixture, "reference.safetensors");
    refused(
      llmts("logits", "--model", fixture, "--input", input, "--out", dir),
      /^llmts: --out: .* is a directory; give the name of the file to write\n$/,
    );
  });
});

describe("llmts tokenizer train --out", () => {
  const data = join(dir, "text.txt");
  writeFileSync(data, "the cat sat on the mat. the dog sat on the log. ".repeat(40));
  const train = (...args: string[]) =>
    llmts("tokenizer", "train", "--data", data, "--vocab-size", "260", ...args);

  it("keeps a model's tokenizer.json unless --force, so the model can still encode its prompts", () => {
    const model = join(dir, "tokenizer-model");
    mkdirSync(model);
    writeFileSync(join(model, "tokenizer.json"), '{"the model": "own tokenizer"}');
    refused(
      train("--out", model),
      /^llmts: --out: .*tokenizer-model\/tokenizer\.json already exists and this command did not write it: pass --force to replace it, or choose another --out\n$/,
    );
    expect(readFileSync(join(model, "tokenizer.json"), "utf8")).toBe('{"the model": "own tokenizer"}');
    expect(train("--out", model, "--force").status).toBe(0);
    expect(JSON.parse(readFileSync(join(model, "tokenizer.json"), "utf8")).model.type).toBe("BPE");
  });

  it("never writes over its --data, even with --force", () => {
    const json = join(dir, "corpus.json");
    writeFileSync(json, "text that happens to be in a .json file ".repeat(20));
    const r = llmts("tokenizer", "train", "--data", json, "--vocab-size", "260", "--out", json, "--force");
    refused(
      r,
      /^llmts: --out .*corpus\.json would overwrite --data .*corpus\.json, which this command reads/,
    );
    expect(readFileSync(json, "utf8")).toMatch(/^text that happens/);
  });

  it("names the path when --data is a directory (no bare EISDIR)", () => {
    const r = llmts("tokenizer", "train", "--data", dir, "--vocab-size", "260", "--out", join(dir, "t.json"));
    refused(r, /^llmts: --data: .*llmts-outputs-\w+ is a directory, not a file\n$/);
  });
});

describe("llmts init --out", () => {
  it("says --out is a file in one line (no raw EEXIST), and keeps a model unless --force", () => {
    const file = join(dir, "notes.txt");
    writeFileSync(file, "notes");
    refused(
      llmts("init", "--preset", "stories260K", "--out", file),
      /^llmts: --out: cannot write to .*notes\.txt: .*notes\.txt is a file, not a directory\n$/,
    );
    const model = join(dir, "init-model");
    expect(llmts("init", "--preset", "stories260K", "--out", model).status).toBe(0);
    refused(
      llmts("init", "--preset", "stories260K", "--seed", "2", "--out", model),
      /^llmts: --out: .*config\.json and 1 more files already exist, and this command did not write them: pass --force to replace them/,
    );
    expect(llmts("init", "--preset", "stories260K", "--seed", "2", "--out", model, "--force").status).toBe(0);
  });

  it("says read-only for a directory it may not write into, at once (not ENOENT)", async () => {
    // Root may write anywhere: then the command runs as nobody, for whom the directory is read-only.
    const root = process.getuid?.() === 0;
    chmodSync(dir, 0o755);
    const readOnly = join(dir, "read-only");
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o555);
    const r = await runMeasured(
      ["init", "--preset", "stories260K", "--out", join(readOnly, "a", "model")],
      root ? { uid: 65534, gid: 65534 } : {},
    );
    expect(r.stderr).toMatch(
      /^llmts: --out: cannot write to .*read-only\/a\/model: .*read-only is read-only \(permission denied\)\n$/,
    );
    expect(r.status).toBe(1);
    expect(r.seconds).toBeLessThan(10);
  });
});
