// The two merge loops (simple rescan and heap) must give identical results.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ID_SPACE, type MergeTable, mergeWordHeap, mergeWordSimple, pairKey } from "../src/bpe.ts";

describe("BPE merge loop", () => {
  it("merges the best-ranked pair first: l o w e r -> low er", () => {
    // ids: l=0 o=1 w=2 e=3 r=4 lo=5 low=6 er=7
    const merges: MergeTable = new Map([
      [pairKey(0, 1), 0 * ID_SPACE + 5],
      [pairKey(5, 2), 1 * ID_SPACE + 6],
      [pairKey(3, 4), 2 * ID_SPACE + 7],
    ]);
    expect(mergeWordSimple([0, 1, 2, 3, 4], merges)).toEqual([6, 7]);
    expect(mergeWordHeap([0, 1, 2, 3, 4], merges)).toEqual([6, 7]);
  });

  it("merges a repeated pair leftmost first: a a a -> aa a", () => {
    const merges: MergeTable = new Map([[pairKey(0, 0), 1]]);
    expect(mergeWordSimple([0, 0, 0], merges)).toEqual([1, 0]);
    expect(mergeWordHeap([0, 0, 0], merges)).toEqual([1, 0]);
  });

  it("gives the same result with the heap as with the simple loop on random words and merge tables", () => {
    // Alphabet of 4 symbols; merges create ids 4.. from random pairs of existing ids.
    const table = fc.array(fc.tuple(fc.nat(40), fc.nat(40)), { minLength: 1, maxLength: 60 }).map((pairs) => {
      const merges: MergeTable = new Map();
      let next = 4;
      pairs.forEach(([a, b], rank) => {
        const key = pairKey(a % next, b % next);
        if (!merges.has(key)) merges.set(key, rank * ID_SPACE + next++);
      });
      return merges;
    });
    fc.assert(
      fc.property(table, fc.array(fc.nat(3), { maxLength: 200 }), (merges, word) => {
        expect(mergeWordHeap([...word], merges)).toEqual(mergeWordSimple([...word], merges));
      }),
      { numRuns: 300 },
    );
  });
});
