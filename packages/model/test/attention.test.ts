import { noGrad, Rng, randn, type Tensor } from "@llmts/tensor";
import { describe, expect, it } from "vitest";
import { unfusedAttention } from "../src/attention.ts";
import { causalSelfAttention } from "../src/index.ts";

/**
 * Attention written as plain loops, straight from the definition, with HF's repeat_kv mapping
 * (query head h reads key/value head floor(h / G)) and its sliding-window rule (key j visible to
 * query i iff j <= i and i - j < window). Returns [B, T, nHead * D].
 */
function naiveAttention(q: Tensor, k: Tensor, v: Tensor, window: number | null): Float64Array {
  const [B, H, T, D] = q.shape as number[] as [number, number, number, number];
  const Hkv = k.shape[1]!;
  const G = H / Hkv;
  const at = (t: Tensor, b: number, h: number, i: number, d: number) =>
    t.dataSync()[((b * t.shape[1]! + h) * T + i) * D + d]!;
  const out = new Float64Array(B * T * H * D);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const kvh = Math.floor(h / G);
      for (let i = 0; i < T; i++) {
        const scores: number[] = [];
        for (let j = 0; j <= i; j++) {
          if (window !== null && i - j >= window) {
            scores.push(Number.NEGATIVE_INFINITY);
            continue;
          }
          let s = 0;
          for (let d = 0; d < D; d++) s += at(q, b, h, i, d) * at(k, b, kvh, j, d);
          scores.push(s / Math.sqrt(D));
        }
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((x, y) => x + y, 0);
        for (let d = 0; d < D; d++) {
          let acc = 0;
          for (let j = 0; j <= i; j++) acc += (e[j]! / z) * at(v, b, kvh, j, d);
          out[((b * T + i) * H + h) * D + d] = acc;
        }
      }
    }
  }
  return out;
}

describe("causalSelfAttention", () => {
  const cases: [string, number, number, number | null][] = [
    ["multi-head (4 query heads, 4 key/value heads)", 4, 4, null],
    ["grouped-query (6 query heads over 2 key/value heads)", 6, 2, null],
    ["multi-query (4 query heads over 1 key/value head)", 4, 1, null],
    ["a sliding window of 3 positions", 4, 2, 3],
  ];
  for (const [name, H, Hkv, window] of cases) {
    it(`matches the loop definition with ${name}`, () => {
      const rng = new Rng(31);
      const [B, T, D] = [2, 7, 8];
      const q = randn([B, H, T, D], rng);
      const k = randn([B, Hkv, T, D], rng);
      const v = randn([B, Hkv, T, D], rng);
      const y = noGrad(() =>
        causalSelfAttention(q, k, v, {
          scale: 1 / Math.sqrt(D),
          slidingWindow: window,
          dropout: 0,
          training: false,
          rng: undefined,
        }),
      );
      expect(y.shape).toEqual([B, T, H * D]);
      const expected = naiveAttention(q, k, v, window);
      const got = y.dataSync();
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
      expect(worst).toBeLessThan(1e-5);
    });
  }
});

/** max |a - b| over two tensors' values. */
function worstDiff(a: Tensor, b: Tensor): number {
  const x = a.contiguous().dataSync();
  const y = b.contiguous().dataSync();
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
  return worst;
}

describe("the fused attention path", () => {
  const options = (window: number | null) => ({
    scale: 0.25,
    slidingWindow: window,
    dropout: 0,
    training: true,
    rng: undefined,
  });

  for (const [name, H, Hkv, window] of [
    ["multi-head", 4, 4, null],
    ["grouped-query", 6, 2, null],
    ["a sliding window of 3", 4, 2, 3],
  ] as const) {
    it(`gives the unfused composition's outputs and gradients with ${name}`, () => {
      const rng = new Rng(7);
      const [B, T, D] = [2, 9, 8];
      const leaves = () =>
        [randn([B, H, T, D], rng), randn([B, Hkv, T, D], rng), randn([B, Hkv, T, D], rng)].map((t) =>
          t.requiresGrad_(),
        ) as [Tensor, Tensor, Tensor];
      const [q, k, v] = leaves();
      const g = randn([B, T, H * D], rng);
      const fused = causalSelfAttention(q, k, v, options(window));
      fused.backward(g);
      const [q2, k2, v2] = [q, k, v].map((t) => t.detach().requiresGrad_()) as [Tensor, Tensor, Tensor];
      const unfused = unfusedAttention(q2, k2, v2, 0.25, window, 0, undefined)
        .transpose(1, 2)
        .reshape(B, T, H * D);
      unfused.backward(g);
      expect(worstDiff(fused, unfused)).toBeLessThan(1e-5);
      expect(worstDiff(q.grad!, q2.grad!)).toBeLessThan(1e-5);
      expect(worstDiff(k.grad!, k2.grad!)).toBeLessThan(1e-5);
      expect(worstDiff(v.grad!, v2.grad!)).toBeLessThan(1e-5);
    });
  }

  it("steps aside for the unfused ops when training with attention dropout", () => {
    const rng = new Rng(8);
    const [q, k, v] = [randn([1, 2, 5, 4], rng), randn([1, 2, 5, 4], rng), randn([1, 2, 5, 4], rng)];
    const withDropout = { ...options(null), dropout: 0.5 };
    const a = causalSelfAttention(q, k, v, { ...withDropout, rng: new Rng(3) });
    const b = unfusedAttention(q, k, v, 0.25, null, 0.5, new Rng(3)).transpose(1, 2).reshape(1, 5, 8);
    expect(worstDiff(a, b)).toBe(0); // the same ops and the same dropout mask
    const noDropout = causalSelfAttention(q, k, v, options(null));
    expect(worstDiff(a, noDropout)).toBeGreaterThan(1e-3);
  });
});
