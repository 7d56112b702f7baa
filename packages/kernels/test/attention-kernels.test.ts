// The attention kernels of every backend against the reference kernels of @llmts/tensor, on
// random shapes: odd head sizes, keys that do not fill a 4- or 8-wide tile, more query rows than
// one 64-row block, sliding windows, grouped-query heads, S > T as with a KV cache, strided
// (transposed and cache-like) operands, and S = 1100 (past gpu.js's 1000-step loop cap, should a
// kernel ever loop over keys there).

import {
  type BackendKernels,
  causalAttention,
  noGrad,
  Rng,
  randn,
  referenceBackend,
  setBackend,
  type Tensor,
} from "@llmts/tensor";
import { describe, expect, it } from "vitest";
import { autoBackend, gpujsBackend, jsBackend, wasmBackend } from "../src/node/index.ts";

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

function withBackend<T>(backend: BackendKernels, f: () => T): T {
  const previous = setBackend(backend);
  try {
    return f();
  } finally {
    setBackend(previous);
  }
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  return worst;
}

/** Operands with the layouts models produce: q a transposed view, k and v views of a larger cache. */
function operands(B: number, H: number, Hkv: number, T: number, S: number, D: number, rng: Rng) {
  const q = randn([B, T, H, D], rng).transpose(1, 2); // [B, H, T, D] over [B, T, H, D]
  const cache = (t: Tensor) => t.narrow(2, 0, S); // [B, Hkv, S, D] of a [B, Hkv, S + 3, D] buffer
  return { q, k: cache(randn([B, Hkv, S + 3, D], rng)), v: cache(randn([B, Hkv, S + 3, D], rng)) };
}

/** Forward out and backward dq, dk, dv on one backend (float32), for a fixed output gradient. */
function runOn(backend: BackendKernels, q: Tensor, k: Tensor, v: Tensor, window: number | null, g: Tensor) {
  return withBackend(backend, () => {
    const [qq, kk, vv] = [q, k, v].map((t) => t.contiguous().detach().requiresGrad_()) as [
      Tensor,
      Tensor,
      Tensor,
    ];
    const y = causalAttention(qq, kk, vv, { window });
    y.backward(g);
    return [y.contiguous().dataSync(), qq.grad!.dataSync(), kk.grad!.dataSync(), vv.grad!.dataSync()];
  });
}

describe("attention kernels match the reference kernels", () => {
  const backends: BackendKernels[] = [jsBackend, wasmBackend, autoBackend, gpujsBackend];

  it("on random shapes, forward and backward, on every backend", () => {
    const rng = new Rng(40);
    for (let t = 0; t < 12; t++) {
      const Hkv = 1 + rng.nextInt(3);
      const H = Hkv * (1 + rng.nextInt(3));
      const T = t === 0 ? 70 : t % 3 === 2 ? 1 : 1 + rng.nextInt(9); // 70: more than one 64-row block; 1: decoding
      const S = T + (t % 3 === 0 ? 0 : rng.nextInt(12));
      const D = 1 + rng.nextInt(20);
      const window = t % 4 === 1 ? 1 + rng.nextInt(S) : null;
      const { q, k, v } = operands(1 + rng.nextInt(2), H, Hkv, T, S, D, rng);
      const g = randn(q.shape, rng);
      const want = runOn(referenceBackend, q, k, v, window, g);
      for (const backend of backends) {
        const got = runOn(backend, q, k, v, window, g);
        const label = `${backend.name}: H=${H} Hkv=${Hkv} T=${T} S=${S} D=${D} window=${window}`;
        ["out", "dq", "dk", "dv"].forEach((what, n) => {
          expect(maxDiff(got[n]!, want[n]!), `${label} ${what}`).toBeLessThan(2e-5);
        });
      }
    }
  });

  it("when decoding one token against 1100 cached keys", () => {
    const rng = new Rng(41);
    const { q, k, v } = operands(1, 4, 2, 1, 1100, 48, rng);
    const want = noGrad(() =>
      withBackend(referenceBackend, () => causalAttention(q, k, v).contiguous().dataSync()),
    );
    for (const backend of backends) {
      const got = noGrad(() => withBackend(backend, () => causalAttention(q, k, v).contiguous().dataSync()));
      expect(maxDiff(got, want), backend.name).toBeLessThan(1e-5);
    }
  });

  it("in float64, where every backend runs the reference kernels", () => {
    const rng = new Rng(42);
    const [q, k, v] = [
      randn([1, 2, 3, 4], rng, 1, "float64"),
      randn([1, 2, 3, 4], rng, 1, "float64"),
      randn([1, 2, 3, 4], rng, 1, "float64"),
    ];
    const want = definition(q, k, v, 0.5, Number.POSITIVE_INFINITY);
    for (const backend of backends) {
      const got = noGrad(() => withBackend(backend, () => causalAttention(q, k, v).contiguous().dataSync()));
      expect(maxDiff(got, want), backend.name).toBeLessThan(1e-12);
    }
  });
});
