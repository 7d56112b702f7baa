// Tokenizer files that are not what they claim: /dev/zero, a FIFO, a directory, a 3 GB file, and
// JSON nested 50,000 deep. Each used to grow memory without end, block forever, or overflow the
// stack; each must now be one TokenizerError line naming the file, quickly and in bounded memory.
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fromTokenizerJson, MAX_JSON_DEPTH, TokenizerError, tokenizerFromFiles } from "../src/index.ts";
import { loadTokenizer } from "../src/node/index.ts";
import { runIsolated } from "./isolated.ts";

const root = mkdtempSync(join(tmpdir(), "llmts-hostile-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const vocab = { a: 0, b: 1, ab: 2 };
const goodJson = JSON.stringify({ model: { type: "BPE", vocab, merges: ["a b"] } });

/** A model directory holding `files`: text, or a function that makes the entry at that path. */
function modelDir(name: string, files: Record<string, string | ((path: string) => void)>): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [file, make] of Object.entries(files)) {
    if (typeof make === "string") writeFileSync(join(dir, file), make);
    else make(join(dir, file));
  }
  return dir;
}
const devZero = (path: string) => symlinkSync("/dev/zero", path);
const fifo = (path: string) => {
  const made = spawnSync("mkfifo", [path]);
  if (made.status !== 0) throw new Error(`mkfifo ${path} failed: ${made.stderr}`);
};
const directory = (path: string) => mkdirSync(path);
/** A sparse file: `bytes` long on paper, no disk space used. */
const huge = (bytes: number) => (path: string) => {
  const fd = openSync(path, "w");
  closeSync(fd);
  spawnSync("truncate", ["-s", String(bytes), path]);
};
const GB3 = 3 * 1024 ** 3; // "3.2 GB"

describe("tokenizer files that are not regular files or are far too big", () => {
  it("refuses each in one line naming the file, within 10 s and under 1 GB of memory growth", () => {
    const cases: [string, string, RegExp][] = [
      [
        modelDir("zero", { "tokenizer.json": devZero }),
        "zero/tokenizer.json",
        /^tokenizer: \S+zero\/tokenizer\.json is not a regular file \(a character device\)$/,
      ],
      [
        modelDir("fifo", { "tokenizer.json": fifo }),
        "fifo/tokenizer.json",
        /^tokenizer: \S+fifo\/tokenizer\.json is not a regular file \(a FIFO\)$/,
      ],
      [
        modelDir("dir", { "tokenizer.json": directory }),
        "dir/tokenizer.json",
        /^tokenizer: \S+dir\/tokenizer\.json is a directory, not a file$/,
      ],
      [
        modelDir("huge", { "tokenizer.json": huge(GB3) }),
        "huge/tokenizer.json",
        /^tokenizer: \S+huge\/tokenizer\.json is 3\.2 GB, more than the 256 MiB a tokenizer\.json may be$/,
      ],
      [
        modelDir("config", { "tokenizer.json": goodJson, "tokenizer_config.json": devZero }),
        "config/tokenizer_config.json",
        /^tokenizer: \S+config\/tokenizer_config\.json is not a regular file \(a character device\)$/,
      ],
      [
        modelDir("bigconfig", { "tokenizer.json": goodJson, "tokenizer_config.json": huge(100e6) }),
        "bigconfig/tokenizer_config.json",
        /^tokenizer: \S+ is 100\.0 MB, more than the 16 MiB a tokenizer_config\.json may be$/,
      ],
      [
        modelDir("gpt2", { "vocab.json": huge(GB3), "merges.txt": fifo }),
        "gpt2/vocab.json",
        /^tokenizer: \S+gpt2\/vocab\.json is 3\.2 GB, more than the 256 MiB a vocab\.json may be$/,
      ],
      [
        modelDir("merges", { "vocab.json": JSON.stringify(vocab), "merges.txt": fifo }),
        "merges/merges.txt",
        /^tokenizer: \S+merges\/merges\.txt is not a regular file \(a FIFO\)$/,
      ],
      [
        modelDir("bin", { "tokenizer.bin": devZero }),
        "bin/tokenizer.bin",
        /^tokenizer: \S+bin\/tokenizer\.bin is not a regular file \(a character device\)$/,
      ],
      ["/dev/zero", "/dev/zero", /^tokenizer: \/dev\/zero is not a regular file \(a character device\)$/],
    ];
    const { reports, rssGrowthMB } = runIsolated(`
      for (const path of ${JSON.stringify(cases.map(([path]) => path))}) {
        const start = performance.now();
        try {
          node.loadTokenizer(path);
          report({ path, loaded: true });
        } catch (error) {
          report({ path, name: error.name, message: error.message, ms: performance.now() - start });
        }
      }
    `);
    cases.forEach(([, name, message], k) => {
      const r = reports[k] as { name: string; message: string; ms: number };
      expect(r.name, name).toBe("TokenizerError");
      expect(r.message, name).toMatch(message);
      expect(r.message).toContain(name);
      expect(r.ms, name).toBeLessThan(10_000);
    });
    expect(rssGrowthMB).toBeLessThan(1000);
  });

  it("applies the same limits to files given in memory, as a browser page would hand them over", () => {
    const big = new Uint8Array(17 * 1024 * 1024);
    expect(() => tokenizerFromFiles({ "tokenizer.json": goodJson, "tokenizer_config.json": big })).toThrow(
      "tokenizer: tokenizer_config.json is 17.8 MB, more than the 16 MiB a tokenizer_config.json may be",
    );
  });
});

describe("JSON nested deeper than MAX_JSON_DEPTH", () => {
  /** 50,000 Sequences, one inside the next, around `leaf`: `{"type":"Sequence","<key>":[...]}`. */
  const nested = (key: string, leaf: object, depth = 50_000) =>
    `${`{"type":"Sequence","${key}":[`.repeat(depth)}${JSON.stringify(leaf)}${"]}".repeat(depth)}`;
  const bpe = '"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b"]}';
  const component: [string, string, object][] = [
    ["normalizer", "normalizers", { type: "NFC" }],
    ["pre_tokenizer", "pretokenizers", { type: "Digits" }],
    ["decoder", "decoders", { type: "Fuse" }],
    ["post_processor", "processors", { type: "ByteLevel" }],
  ];

  for (const [field, key, leaf] of component) {
    it(`refuses a 50,000-deep Sequence ${field} in one line, not a stack overflow`, () => {
      const dir = modelDir(`deep-${field}`, { "tokenizer.json": `{${bpe},"${field}":${nested(key, leaf)}}` });
      const file = join(dir, "tokenizer.json");
      expect(() => loadTokenizer(dir)).toThrow(TokenizerError);
      expect(() => loadTokenizer(dir)).toThrow(
        `tokenizer: ${field}: nested deeper than 128 levels (${file})`,
      );
    });
  }

  it("loads a Sequence nested as deep as the limit allows", () => {
    // tokenizer.json {1} > pre_tokenizer {2} > [3] > {4} ...: 63 Sequences reach depth 127.
    const json = `{${bpe},"pre_tokenizer":${nested("pretokenizers", { type: "Digits" }, 63)}}`;
    const flat = `{${bpe},"pre_tokenizer":${nested("pretokenizers", { type: "Digits" }, 1)}}`;
    const text = "ab1ba2abab";
    expect(tokenizerFromFiles({ "tokenizer.json": json }).encode(text)).toEqual(
      tokenizerFromFiles({ "tokenizer.json": flat }).encode(text),
    );
    const deeper = `{${bpe},"pre_tokenizer":${nested("pretokenizers", { type: "Digits" }, 64)}}`;
    expect(() => tokenizerFromFiles({ "tokenizer.json": deeper })).toThrow(/nested deeper than 128 levels/);
  });

  it("refuses deep JSON in tokenizer_config.json and vocab.json too, naming the file", () => {
    const deep = `${"[".repeat(50_000)}${"]".repeat(50_000)}`;
    expect(() =>
      tokenizerFromFiles({ "tokenizer.json": goodJson, "tokenizer_config.json": deep }, { dir: "m" }),
    ).toThrow("tokenizer: (top level): nested deeper than 128 levels (m/tokenizer_config.json)");
    expect(() =>
      tokenizerFromFiles({ "vocab.json": `{"a":${deep}}`, "merges.txt": "" }, { dir: "m" }),
    ).toThrow("tokenizer: a: nested deeper than 128 levels (m/vocab.json)");
  });

  it("refuses an object built in code as deep, passed straight to fromTokenizerJson", () => {
    let decoder: object = { type: "Fuse" };
    for (let k = 0; k < 50_000; k++) decoder = { type: "Sequence", decoders: [decoder] };
    const json = { model: { type: "BPE", vocab, merges: ["a b"] }, decoder };
    expect(() => fromTokenizerJson(json as never, "built.json")).toThrow(
      `tokenizer: decoder: nested deeper than ${MAX_JSON_DEPTH} levels (built.json)`,
    );
  });
});
