// Loading from files in memory (tokenizerFromFiles, what a browser page uses) and from disk
// (loadTokenizer, the Node adapter over it) give the same tokenizer by the same rules; saving
// writes the tokenizer.json atomically.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type Tokenizer,
  type TokenizerFileName,
  type TokenizerFiles,
  tokenizerFilesToRead,
  tokenizerFromFiles,
  trainBpe,
} from "../src/index.ts";
import { loadTokenizer, saveTokenizer } from "../src/node/index.ts";
import { mobyDickText, TRICKY } from "./corpus.ts";

const root = mkdtempSync(join(tmpdir(), "llmts-from-files-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// One trained byte-level BPE, spelled as each kind of file.
const trained = trainBpe(mobyDickText().slice(0, 30_000), 320, { specialTokens: ["<s>", "</s>"] });
const tokenizerJson = trained.toTokenizerJson();
const parsed = JSON.parse(tokenizerJson) as { model: { vocab: Record<string, number>; merges: string[] } };
const vocabJson = JSON.stringify(parsed.model.vocab);
const mergesTxt = `#version: 0.2\n${parsed.model.merges.join("\n")}\n`;
const config = JSON.stringify({ bos_token: "<s>", eos_token: "</s>", add_bos_token: true });

/** llama2.c's tokenizer.bin for a vocabulary: int32 max length, then (f32 score, i32 length, bytes). */
function tokenizerBin(tokens: string[]): Uint8Array {
  const utf8 = tokens.map((t) => new TextEncoder().encode(t));
  const bytes = new Uint8Array(4 + utf8.reduce((n, b) => n + 8 + b.length, 0));
  const view = new DataView(bytes.buffer);
  view.setInt32(0, 8, true);
  let at = 4;
  utf8.forEach((b, id) => {
    view.setFloat32(at, -id, true);
    view.setInt32(at + 4, b.length, true);
    bytes.set(b, at + 8);
    at += 8 + b.length;
  });
  return bytes;
}
const bin = tokenizerBin(["<unk>", "\n<s>\n", "\n</s>\n", " ", "a", "b", "ab", " ab", "ba"]);

/** Everything observable about a tokenizer, for comparing two of them. */
function summary(t: Tokenizer) {
  const texts = [...TRICKY, mobyDickText().slice(40_000, 44_000), "<s>ab ba</s>"];
  return {
    kind: t.kind,
    vocabSize: t.vocabSize,
    specials: [t.bosId, t.eosId, t.addBos],
    ids: texts.map((text) => {
      try {
        return t.encode(text, { addSpecialTokens: true });
      } catch (error) {
        return (error as Error).message;
      }
    }),
  };
}

let dirs = 0;
function onDisk(files: TokenizerFiles): string {
  const dir = join(root, `model${dirs++}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

describe("tokenizerFromFiles and loadTokenizer", () => {
  const layouts: [string, TokenizerFiles, string][] = [
    [
      "tokenizer.json + tokenizer_config.json",
      { "tokenizer.json": tokenizerJson, "tokenizer_config.json": config },
      "byte-level-bpe",
    ],
    ["tokenizer.bin", { "tokenizer.bin": bin }, "sentencepiece-bpe"],
    ["vocab.json + merges.txt", { "vocab.json": vocabJson, "merges.txt": mergesTxt }, "byte-level-bpe"],
    [
      "all of them (tokenizer.json wins)",
      {
        "tokenizer.json": tokenizerJson,
        "tokenizer.bin": bin,
        "vocab.json": vocabJson,
        "merges.txt": mergesTxt,
      },
      "byte-level-bpe",
    ],
    [
      "tokenizer.bin and the GPT-2 pair (tokenizer.bin wins)",
      { "tokenizer.bin": bin, "vocab.json": vocabJson, "merges.txt": mergesTxt },
      "sentencepiece-bpe",
    ],
  ];

  for (const [name, files, kind] of layouts) {
    it(`give the same tokenizer for a directory with ${name}`, () => {
      const dir = onDisk(files);
      const fromDisk = loadTokenizer(dir);
      const asBytes = Object.fromEntries(
        Object.entries(files).map(([n, c]) => [n, typeof c === "string" ? new TextEncoder().encode(c) : c]),
      );
      expect(fromDisk.kind).toBe(kind);
      expect(summary(tokenizerFromFiles(files, { dir }))).toEqual(summary(fromDisk));
      expect(summary(tokenizerFromFiles(asBytes))).toEqual(summary(fromDisk));
    });
  }

  it("apply tokenizer_config.json: BOS first when add_bos_token says so", () => {
    const t = tokenizerFromFiles({ "tokenizer.json": tokenizerJson, "tokenizer_config.json": config });
    expect([t.bosId, t.eosId, t.addBos]).toEqual([318, 319, true]);
    expect(tokenizerFromFiles({ "tokenizer.json": tokenizerJson }).addBos).toBe(false);
  });

  it("pick files in one order, which a reader can ask before opening any", () => {
    const has = (...names: TokenizerFileName[]) => tokenizerFilesToRead((n) => names.includes(n));
    expect(has("tokenizer.json", "tokenizer_config.json", "tokenizer.bin")).toEqual([
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
    expect(has("tokenizer_config.json", "tokenizer.bin", "vocab.json")).toEqual(["tokenizer.bin"]);
    expect(has("vocab.json", "merges.txt")).toEqual(["vocab.json", "merges.txt"]);
    expect(has("vocab.json", "tokenizer_config.json")).toBeUndefined();
  });

  it("say the same thing when there is nothing to load", () => {
    const dir = onDisk({ "vocab.json": vocabJson, "tokenizer_config.json": config });
    const message = `tokenizer: ${dir} has no tokenizer.json, vocab.json + merges.txt, or tokenizer.bin`;
    expect(() => loadTokenizer(dir)).toThrow(message);
    expect(() => tokenizerFromFiles({ "vocab.json": vocabJson }, { dir })).toThrow(message);
    expect(() => tokenizerFromFiles({})).toThrow("tokenizer: no tokenizer.json, vocab.json + merges.txt, or");
  });

  it("name each file by the path it was given, and refuse tokenizer.bin as text", () => {
    expect(() =>
      tokenizerFromFiles(
        { "tokenizer.json": "{ nope" },
        { paths: { "tokenizer.json": "models/x/tok.json" } },
      ),
    ).toThrow(/not valid JSON: .* \(models\/x\/tok\.json\)$/);
    expect(() => tokenizerFromFiles({ "tokenizer.bin": "abc" }, { dir: "m" })).toThrow(
      "tokenizer: m/tokenizer.bin must be given as bytes (a Uint8Array), not text",
    );
  });
});

describe("saveTokenizer", () => {
  it("writes tokenizer.json into a directory it creates, and loads back the same tokenizer", () => {
    const dir = join(root, "saved", "run1");
    expect(saveTokenizer(trained, dir)).toBe(join(dir, "tokenizer.json"));
    expect(readFileSync(join(dir, "tokenizer.json"), "utf8")).toBe(tokenizerJson);
    expect(summary(loadTokenizer(dir))).toEqual(summary(trained));
  });

  it("replaces an existing file whole and leaves no temporary file behind", () => {
    const file = join(root, "replace.json");
    writeFileSync(file, "old contents");
    saveTokenizer(trained, file);
    expect(readFileSync(file, "utf8")).toBe(tokenizerJson);
    expect(readdirSync(root).filter((f) => f.includes("replace.json"))).toEqual(["replace.json"]);
  });
});
