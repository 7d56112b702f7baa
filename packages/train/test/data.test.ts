// The token stream: nanoGPT's 90/10 split and random block-size windows.
import { Rng } from "@llmts/tensor";
import { describe, expect, it } from "vitest";
import { checkSplits, DataError, getBatch, splitTokens } from "../src/index.ts";

const arange = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe("splitTokens", () => {
  it("keeps the first 90% for training and the last 10% for validation", () => {
    const { train, val } = splitTokens(arange(100));
    expect(Array.from(train)).toEqual(Array.from(arange(90)));
    expect(Array.from(val)).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
  });

  it("rounds the split point down (floor(0.9 · 15) = 13)", () => {
    expect(splitTokens(arange(15)).train.length).toBe(13);
  });
});

describe("checkSplits", () => {
  it("names the split that is too short for one window and the block size", () => {
    const splits = splitTokens(arange(50)); // 45 / 5
    expect(() => checkSplits(splits, 4)).not.toThrow();
    expect(() => checkSplits(splits, 8)).toThrow(DataError);
    expect(() => checkSplits(splits, 8)).toThrow(
      /validation split has 5 tokens but one window needs block-size \+ 1 = 9/,
    );
  });
});

describe("getBatch", () => {
  it("returns int32 [B, T] windows whose targets are the inputs shifted by one", () => {
    const data = arange(40).map((i) => i * 3); // distinct values: a window is identified by its start
    const { x, y } = getBatch(data, 5, 6, new Rng(1));
    expect(x.shape).toEqual([5, 6]);
    expect(y.shape).toEqual([5, 6]);
    expect(x.dtype).toBe("int32");
    const xs = x.toNested() as number[][];
    const ys = y.toNested() as number[][];
    for (let b = 0; b < 5; b++) {
      const start = xs[b]![0]! / 3;
      expect(xs[b]).toEqual(Array.from(data.subarray(start, start + 6)));
      expect(ys[b]).toEqual(Array.from(data.subarray(start + 1, start + 7)));
    }
  });

  it("draws every start in [0, len − T) and never one whose target would run off the end", () => {
    const data = arange(20);
    const rng = new Rng(7);
    const starts = new Set<number>();
    for (let k = 0; k < 200; k++) {
      const { x } = getBatch(data, 4, 4, rng);
      for (const row of x.toNested() as number[][]) starts.add(row[0]!);
    }
    expect([...starts].sort((a, b) => a - b)).toEqual(Array.from(arange(16)));
  });

  it("gives the same batches for the same seed", () => {
    const data = arange(1000);
    const a = getBatch(data, 3, 5, new Rng(42)).x.toNested();
    const b = getBatch(data, 3, 5, new Rng(42)).x.toNested();
    expect(a).toEqual(b);
  });
});
