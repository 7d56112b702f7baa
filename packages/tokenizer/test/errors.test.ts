// Malformed files give a TokenizerError that names the file and the field (or line) at fault.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TokenizerError } from "../src/index.ts";
import { loadTokenizer } from "../src/node/index.ts";

const dir = mkdtempSync(join(tmpdir(), "llmts-tokerr-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const vocab = { a: 0, b: 1, ab: 2, Ġ: 3 };
const model = (extra: object) => ({ model: { type: "BPE", vocab, merges: ["a b"], ...extra } });

/** Write `content` to a fresh file and return the TokenizerError loading it throws. */
function loadError(name: string, content: string | object): TokenizerError {
  const file = join(dir, name);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  try {
    loadTokenizer(file);
  } catch (error) {
    expect(error).toBeInstanceOf(TokenizerError);
    expect((error as Error).name).toBe("TokenizerError");
    expect((error as Error).message).toContain(file);
    return error as TokenizerError;
  }
  throw new Error(`${name} loaded without an error`);
}

describe("malformed tokenizer files", () => {
  it("names the file when tokenizer.json is not JSON", () => {
    expect(loadError("bad.json", "{ not json").message).toMatch(/not valid JSON/);
  });

  it("names the missing model field", () => {
    expect(loadError("nomodel.json", { version: "1.0" }).message).toMatch(
      /model: expected an object, got nothing/,
    );
  });

  it("names the merge whose token is not in the vocabulary", () => {
    const e = loadError("merge.json", model({ merges: ["a b", "b c"] }));
    expect(e.message).toMatch(/model\.merges\[1\]: token "c" is not in model\.vocab/);
  });

  it("names a merge that is not a pair", () => {
    expect(loadError("pair.json", model({ merges: ["a b c"] })).message).toMatch(
      /model\.merges\[0\]: expected two tokens/,
    );
  });

  it("names the vocabulary entry whose id is not a number", () => {
    const e = loadError("id.json", { model: { type: "BPE", vocab: { a: "zero" }, merges: [] } });
    expect(e.message).toMatch(/model\.vocab\["a"\]: expected a token id/);
  });

  it("names an unsupported model or pre-tokenizer type", () => {
    expect(loadError("wp.json", { model: { type: "WordPiece", vocab } }).message).toMatch(
      /model\.type: "WordPiece" is not supported/,
    );
    const e = loadError("pre.json", {
      ...model({}),
      pre_tokenizer: { type: "Sequence", pretokenizers: [{ type: "Whitespace" }] },
    });
    expect(e.message).toMatch(
      /pre_tokenizer\.pretokenizers\[0\]\.type: pre-tokenizer "Whitespace" is not supported/,
    );
  });

  it("names a decoder or post-processor it does not implement, rather than decoding differently", () => {
    const decoder = loadError("dec.json", {
      ...model({}),
      decoder: { type: "Sequence", decoders: [{ type: "Fuse" }, { type: "WordPiece", prefix: "##" }] },
    });
    expect(decoder.message).toMatch(/decoder\.decoders\[1\]\.type: decoder "WordPiece" is not supported/);
    const post = loadError("post.json", { ...model({}), post_processor: { type: "Mystery" } });
    expect(post.message).toMatch(/post_processor\.type: post-processor "Mystery" is not supported/);
  });

  it("names a template special token missing from the template's table", () => {
    const e = loadError("template.json", {
      ...model({}),
      post_processor: {
        type: "TemplateProcessing",
        single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
        special_tokens: {},
      },
    });
    expect(e.message).toMatch(
      /post_processor\.single\[0\]\.SpecialToken\.id: "<s>" is not in post_processor\.special_tokens/,
    );
  });

  it("names an added token without an id", () => {
    expect(loadError("added.json", { ...model({}), added_tokens: [{ content: "<s>" }] }).message).toMatch(
      /added_tokens\[0\]\.id/,
    );
  });

  it("names merges.txt and the line with a bad merge", () => {
    const pair = join(dir, "gpt2");
    mkdirSync(pair);
    writeFileSync(join(pair, "vocab.json"), JSON.stringify(vocab));
    writeFileSync(join(pair, "merges.txt"), "#version: 0.2\na b\nb x\n");
    expect(() => loadTokenizer(pair)).toThrow(/line 3: token "x" is not in .*vocab\.json \(.*merges\.txt\)/);
  });

  it("says what a directory lacks when it holds no tokenizer files", () => {
    const empty = join(dir, "empty");
    mkdirSync(empty);
    expect(() => loadTokenizer(empty)).toThrow(
      /has no tokenizer\.json, vocab\.json \+ merges\.txt, or tokenizer\.bin/,
    );
    expect(() => loadTokenizer(join(dir, "missing"))).toThrow(/no such file or directory/);
  });
});
