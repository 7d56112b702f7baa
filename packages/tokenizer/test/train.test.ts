// BPE training: the incremental trainer must learn exactly the merges of the plain
// recount-everything loop (minbpe's), and its tokenizer.json must load in @huggingface/tokenizers.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { afterAll, describe, expect, it } from "vitest";
import { GPT2_PATTERN, TokenizerError, trainBpe } from "../src/index.ts";
import { loadTokenizer, saveTokenizer } from "../src/node/index.ts";
import { mobyDickText, TRICKY } from "./corpus.ts";

const dir = mkdtempSync(join(tmpdir(), "llmts-train-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * minbpe RegexTokenizer.train, as plainly as possible: split with GPT-2's pattern (JS \s is
 * fine for this ASCII text), then for each merge count every pair in every chunk again.
 * Ties go to the smaller (a, b), the documented rule of trainBpe.
 */
function naiveTrain(text: string, merges: number): [number, number][] {
  const chunks = [...text.matchAll(new RegExp(GPT2_PATTERN, "gu"))].map((m) => [
    ...new TextEncoder().encode(m[0]),
  ]);
  const out: [number, number][] = [];
  for (let k = 0; k < merges; k++) {
    const stats = new Map<string, number>();
    for (const ids of chunks) {
      for (let i = 0; i < ids.length - 1; i++) {
        const key = `${ids[i]},${ids[i + 1]}`;
        stats.set(key, (stats.get(key) ?? 0) + 1);
      }
    }
    let best: [number, number] | undefined;
    let bestCount = 0;
    for (const [key, count] of stats) {
      const pair = key.split(",").map(Number) as [number, number];
      const smaller = best && (pair[0] < best[0] || (pair[0] === best[0] && pair[1] < best[1]));
      if (count > bestCount || (count === bestCount && smaller)) [best, bestCount] = [pair, count];
    }
    if (!best) break;
    const id = 256 + k;
    out.push(best);
    for (const ids of chunks) {
      for (let i = 0; i < ids.length - 1; i++) {
        if (ids[i] === best[0] && ids[i + 1] === best[1]) ids.splice(i, 2, id);
      }
    }
  }
  return out;
}

const mergeIds = (file: string): [number, number][] => {
  const json = JSON.parse(readFileSync(file, "utf8"));
  return json.model.merges.map((merge: string) => {
    const [a, b] = merge.split(" ") as [string, string];
    return [json.model.vocab[a], json.model.vocab[b]];
  });
};

describe("trainBpe", () => {
  it("learns the same merges, in the same order, as the plain recount-every-pair loop", () => {
    const text = mobyDickText().slice(0, 30_000);
    saveTokenizer(trainBpe(text, 256 + 120), join(dir, "small.json"));
    expect(mergeIds(join(dir, "small.json"))).toEqual(naiveTrain(text, 120));
  });

  it("fills the vocabulary: 256 bytes + merges + special tokens = vocabSize", () => {
    const progress: number[] = [];
    const t = trainBpe(mobyDickText().slice(0, 50_000), 300, {
      specialTokens: ["<|endoftext|>"],
      onProgress: (done, total) => progress.push(done, total),
    });
    expect(t.vocabSize).toBe(300);
    expect(t.tokenToId("<|endoftext|>")).toBe(299);
    expect(t.encode("a<|endoftext|>b")).toEqual([97, 299, 98]);
    expect(progress.slice(-2)).toEqual([43, 43]);
  });

  it("saves a tokenizer.json that @huggingface/tokenizers loads and that gives our ids on a third of Moby-Dick", () => {
    const text = mobyDickText();
    const t = trainBpe(text.slice(0, 300_000), 1024, { specialTokens: ["<|endoftext|>"] });
    const file = join(dir, "trained.json");
    saveTokenizer(t, file);
    const hf = new HfTokenizer(JSON.parse(readFileSync(file, "utf8")), {});
    const again = loadTokenizer(file);
    for (const sample of [text.slice(0, 400_000), ...TRICKY]) {
      const ids = t.encode(sample);
      expect(hf.encode(sample, { add_special_tokens: false }).ids).toEqual(ids);
      expect(again.encode(sample)).toEqual(ids);
      expect(t.decode(ids)).toBe(sample);
    }
  }, 30_000);

  it('writes merges as "a b" strings, which every version of Hugging Face tokenizers reads', () => {
    const file = join(dir, "strings.json");
    saveTokenizer(trainBpe(mobyDickText().slice(0, 20_000), 300), file);
    const merges = JSON.parse(readFileSync(file, "utf8")).model.merges as unknown[];
    expect(merges.length).toBe(44);
    for (const merge of merges) expect(merge).toMatch(/^[^ ]+ [^ ]+$/);
  });

  it("refuses a vocabulary smaller than the 256 bytes plus the special tokens", () => {
    expect(() => trainBpe("abc", 256, { specialTokens: ["<s>"] })).toThrow(TokenizerError);
  });
});
