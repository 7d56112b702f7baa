// causalAttention: forward values against the definition written as loops in float64, and
// gradients against finite differences (float64, see gradcheck.ts). The faster kernels of
// @llmts/kernels are compared with these reference kernels in that package's tests.

import { describe, expect, it } from "vitest";
import { causalAttention, noGrad, Rng, randn, ShapeError, type Tensor, tensor } from "../src/index.ts";
import { gradcheck, rnd } from "./gradcheck.ts";

/** The definition: loops over (b, h, i), keys j <= pos with pos - j < window, kv head h / (H / Hkv). */
function definition(q: Tensor, k: Tensor, v: Tensor, scale: number, window: number): Float64Array {
  const [B, H, T, D] = q.shape as [number, number, number, number];
  const [, Hkv, S] = k.shape as [number, number, number, number];
  const Q = q.contiguous().dataSync();
  const K = k.contiguous().dataSync();
  const V = v.contiguous().dataSync();
  const out = new Float64Array(B * H * T * D);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const kv = (b * Hkv + Math.floor(h / (H / Hkv))) * S;
      for (let i = 0; i < T; i++) {
        const pos = S - T + i;
        const qi = ((b * H + h) * T + i) * D;
        const scores: number[] = [];
        for (let j = 0; j < S; j++) {
          let s = 0;
          for (let d = 0; d < D; d++) s += Q[qi + d]! * K[(kv + j) * D + d]!;
          scores.push(j <= pos && pos - j < window ? s * scale : Number.NEGATIVE_INFINITY);
        }
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((x, y) => x + y, 0);
        for (let d = 0; d < D; d++) {
          let acc = 0;
          for (let j = 0; j < S; j++) acc += (e[j]! / z) * V[(kv + j) * D + d]!;
          out[qi + d] = acc;
        }
      }
    }
  }
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  return worst;
}

describe("causalAttention forward", () => {
  it("matches the definition for multi-head, grouped-query, windowed and cached (S > T) shapes", () => {
    const cases: [string, number, number, number, number, number, number | null][] = [
      ["multi-head", 4, 4, 5, 5, 8, null],
      ["grouped-query", 6, 2, 7, 7, 4, null],
      ["a sliding window of 3", 2, 1, 6, 6, 3, 3],
      ["2 new queries over 9 cached keys", 4, 2, 2, 9, 5, null],
      ["one query, window 4 over 10 keys", 2, 2, 1, 10, 6, 4],
    ];
    const rng = new Rng(1);
    for (const [name, H, Hkv, T, S, D, window] of cases) {
      const q = randn([2, H, T, D], rng);
      const k = randn([2, Hkv, S, D], rng);
      const v = randn([2, Hkv, S, D], rng);
      const y = noGrad(() => causalAttention(q, k, v, { window, scale: 0.3 }));
      expect(y.shape, name).toEqual([2, H, T, D]);
      const err = maxDiff(
        y.contiguous().dataSync(),
        definition(q, k, v, 0.3, window ?? Number.POSITIVE_INFINITY),
      );
      expect(err, name).toBeLessThan(2e-6);
    }
  });

  it("returns a view whose heads merge back into [B, T, H·D] without a copy", () => {
    const rng = new Rng(2);
    const y = noGrad(() =>
      causalAttention(randn([1, 3, 4, 2], rng), randn([1, 3, 4, 2], rng), randn([1, 3, 4, 2], rng)),
    );
    const merged = y.transpose(1, 2).reshape(1, 4, 6);
    expect(merged.storage).toBe(y.storage);
  });

  it("rejects shapes that do not fit, naming them", () => {
    const q = tensor(new Float32Array(2 * 3 * 4 * 5), [2, 3, 4, 5]);
    const k = tensor(new Float32Array(2 * 2 * 4 * 5), [2, 2, 4, 5]);
    expect(() => causalAttention(q, k, k)).toThrow(ShapeError);
    expect(() => causalAttention(q, k, k)).toThrow("3 query heads do not split into groups of 2 kv heads");
    const short = tensor(new Float32Array(2 * 3 * 2 * 5), [2, 3, 2, 5]);
    expect(() => causalAttention(q, short, short)).toThrow("fewer keys (2) than queries (4)");
    expect(() => causalAttention(q, q, q, { window: 0 })).toThrow(RangeError);
  });
});

describe("causalAttention gradients match finite differences", () => {
  it("for q, k and v with multi-head attention", () => {
    gradcheck(
      (q, k, v) => causalAttention(q, k, v),
      [rnd([1, 2, 4, 3], 10), rnd([1, 2, 4, 3], 11), rnd([1, 2, 4, 3], 12)],
    );
  });
  it("with grouped-query heads (dk and dv summed over the group)", () => {
    gradcheck(
      (q, k, v) => causalAttention(q, k, v),
      [rnd([2, 4, 3, 2], 13), rnd([2, 1, 3, 2], 14), rnd([2, 1, 3, 2], 15)],
    );
  });
  it("with a sliding window and more keys than queries", () => {
    gradcheck(
      (q, k, v) => causalAttention(q, k, v, { window: 2, scale: 0.7 }),
      [rnd([1, 2, 3, 4], 16), rnd([1, 2, 5, 4], 17), rnd([1, 2, 5, 4], 18)],
    );
  });
  it("through transposed views, as a model passes them", () => {
    gradcheck(
      (q, k, v) => causalAttention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)),
      [rnd([1, 4, 2, 3], 19), rnd([1, 4, 2, 3], 20), rnd([1, 4, 2, 3], 21)],
    );
  });
});
