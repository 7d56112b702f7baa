// BM25 against rank_bm25's BM25Okapi (fixtures/make_bm25.py wrote bm25.json), and chunking.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Bm25, words } from "../src/shared/bm25.ts";
import { splitChunks } from "../src/shared/chunks.ts";

interface Fixture {
  chunks: string[];
  cases: { question: string; words: string[]; scores: number[] }[];
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/bm25.json", import.meta.url), "utf8")) as Fixture;

describe("BM25", () => {
  it("splits a question into the words rank_bm25 was given", () => {
    for (const c of fixture.cases) expect(words(c.question)).toEqual(c.words);
  });

  it("scores every chunk as rank_bm25's BM25Okapi does, to 1e-12", () => {
    const bm25 = new Bm25(fixture.chunks);
    for (const c of fixture.cases) {
      const scores = bm25.scores(c.question);
      scores.forEach((s, i) => {
        expect(Math.abs(s - c.scores[i]!)).toBeLessThan(1e-12);
      });
    }
  });

  it("returns the best chunks first and none that shares no word with the question", () => {
    const bm25 = new Bm25(fixture.chunks);
    expect(bm25.top("harpooneer harpooneer friend", 2).map((r) => r.index)).toEqual([3]);
    expect(bm25.top("Where is Starbuck from", 1).map((r) => r.index)).toEqual([5]);
    expect(bm25.top("nothing here matches", 3)).toEqual([]);
  });
});

describe("chunks of a knowledge base", () => {
  it("keeps paragraphs apart and collapses whitespace inside them", () => {
    expect(splitChunks("Ahab is the\ncaptain.\n\n  The Pequod sails.  \n\n\n", 100)).toEqual([
      "Ahab is the captain.",
      "The Pequod sails.",
    ]);
  });

  it("cuts a long paragraph at a sentence end, else at a space, never past the limit", () => {
    const text = "One two three. Four five six seven eight nine ten eleven twelve.";
    const chunks = splitChunks(text, 30);
    expect(chunks[0]).toBe("One two three.");
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(30);
    expect(chunks.join(" ")).toBe(text);
    expect(splitChunks("x".repeat(25), 10)).toEqual(["x".repeat(10), "x".repeat(10), "x".repeat(5)]);
  });
});
