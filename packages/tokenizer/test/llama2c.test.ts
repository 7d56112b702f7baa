// llama2.c's tokenizer.bin (scores, no merge list) against @huggingface/tokenizers running the
// tokenizer.json that Hugging Face's SentencePiece converter would make of the same vocabulary:
// every split (a, b) of every token, ordered by the token's score.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { afterAll, describe, expect, it } from "vitest";
import { loadTokenizer } from "../src/node/index.ts";
import { mobyDickText, TRICKY } from "./corpus.ts";
import { spTokenizerJson } from "./sp-fixture.ts";

const dir = mkdtempSync(join(tmpdir(), "llmts-llama2c-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The fixture's vocabulary; score = -(position in the vocabulary) for merged tokens, 0 otherwise.
const sp = spTokenizerJson(mobyDickText().slice(0, 60_000), { style: "legacy", mergeFormat: "string" }) as {
  model: { vocab: Record<string, number>; merges: string[] };
};
const tokens = Object.entries(sp.model.vocab)
  .sort((a, b) => a[1] - b[1])
  .map(([t]) => t);
const firstMerged = 259 + 1 + tokens.slice(260).findIndex((t) => [...t].length > 1);
const scores = tokens.map((_, id) => (id >= firstMerged ? -id : 0));

/** llama2.c tokenizer.py's export format. */
function tokenizerBin(): Buffer {
  const parts: Buffer[] = [Buffer.from(new Int32Array([16]).buffer)];
  tokens.forEach((t, id) => {
    const text = id === 1 || id === 2 ? `\n${t}\n` : t.replaceAll("▁", " ");
    const bytes = Buffer.from(text, "utf8");
    const header = Buffer.alloc(8);
    header.writeFloatLE(scores[id]!, 0);
    header.writeInt32LE(bytes.length, 4);
    parts.push(header, bytes);
  });
  return Buffer.concat(parts);
}

/** Hugging Face's converter: all splits of each token, best score first. */
function converterJson(): object {
  const vocab = sp.model.vocab;
  const merges: string[] = [];
  const order = tokens.map((_, id) => id).sort((a, b) => scores[b]! - scores[a]! || a - b);
  for (const id of order) {
    const chars = [...tokens[id]!];
    for (let k = 1; k < chars.length; k++) {
      const a = chars.slice(0, k).join("");
      const b = chars.slice(k).join("");
      if (vocab[a] !== undefined && vocab[b] !== undefined) merges.push(`${a} ${b}`);
    }
  }
  return { ...sp, model: { ...sp.model, merges } };
}

describe("llama2.c tokenizer.bin", () => {
  it("loads from a model directory as a SentencePiece BPE with <s> and </s>", () => {
    writeFileSync(join(dir, "tokenizer.bin"), tokenizerBin());
    const t = loadTokenizer(dir);
    expect([t.kind, t.vocabSize, t.bosId, t.eosId, t.addBos]).toEqual([
      "sentencepiece-bpe",
      tokens.length,
      1,
      2,
      true,
    ]);
    expect(t.idToToken(1)).toBe("<s>");
  });

  it("merges by score exactly as @huggingface/tokenizers does with the converter's merge list", () => {
    writeFileSync(join(dir, "tokenizer.bin"), tokenizerBin());
    const ours = loadTokenizer(join(dir, "tokenizer.bin"));
    const hf = new HfTokenizer(converterJson(), {});
    const texts = [...mobyDickText().slice(0, 150_000).split("\n\n"), ...TRICKY.filter((t) => t !== "")];
    for (const text of texts) {
      expect(ours.encode(text), JSON.stringify(text.slice(0, 60))).toEqual(
        hf.encode(text, { add_special_tokens: false }).ids,
      );
      expect(ours.decode(ours.encode(text))).toBe(text);
    }
  }, 30_000);

  it("names the token whose length runs past the end of the file", () => {
    writeFileSync(join(dir, "cut.bin"), tokenizerBin().subarray(0, 105));
    expect(() => loadTokenizer(join(dir, "cut.bin"))).toThrow(/token \d+: .*cut\.bin/);
  });
});
