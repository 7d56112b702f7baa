import { noGrad, Rng, randn, type Tensor } from "@llmts/tensor";
import { describe, expect, it } from "vitest";
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
          layer: 0,
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
