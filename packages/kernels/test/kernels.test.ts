// The js backend against the reference backend (llm.c's matmul_forward vs _naive check):
// random shapes, including sizes that are not multiples of the 4x4 tile, K deeper than one
// 256-deep packed slice, M taller than one 64-row block, transposed and strided operands, and
// the matrix-vector path in both weight layouts.
// Tolerance: both accumulate in float64, but the fast kernel rounds C to float32 between K
// slices, so results agree to a few float32 ulps of the sum of |a·b| terms.

import {
  type BackendKernels,
  broadcastView,
  type FloatArray,
  type MatmulParams,
  matmul,
  Rng,
  randn,
  referenceBackend,
  setBackend,
  type Tensor,
} from "@llmts/tensor";
import { describe, expect, it } from "vitest";
import { jsBackend } from "../src/node/index.ts";

function randomArray(n: number, rng: Rng): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

/** Runs one product on both backends; A is [M, K] (or [K, M] read transposed), B likewise. */
function compareMatmul(M: number, K: number, N: number, transA: boolean, transB: boolean, rng: Rng): void {
  const a = randomArray(M * K + 3, rng); // + 3: a non-zero offset below
  const b = randomArray(K * N + 5, rng);
  const params = (out: FloatArray): MatmulParams => ({
    M,
    K,
    N,
    a,
    aOffset: 3,
    aRowStride: transA ? 1 : K,
    aColStride: transA ? M : 1,
    b,
    bOffset: 5,
    bRowStride: transB ? 1 : N,
    bColStride: transB ? K : 1,
    out,
    outOffset: 2,
  });
  const ref = new Float32Array(M * N + 2);
  const fast = new Float32Array(M * N + 2).fill(Number.NaN);
  referenceBackend.matmul(params(ref));
  jsBackend.matmul(params(fast));
  for (let i = 2; i < ref.length; i++) {
    const tol = 1e-5 * Math.sqrt(K) * 4;
    if (!(Math.abs(fast[i]! - ref[i]!) <= tol)) {
      expect.fail(
        `M=${M} K=${K} N=${N} transA=${transA} transB=${transB}: C[${i - 2}] ${fast[i]} vs ${ref[i]}`,
      );
    }
  }
}

describe("fast matmul matches the reference", () => {
  it("on hand-picked edge shapes (odd sizes, K > 256, M > 64, empty K)", () => {
    const rng = new Rng(1);
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [3, 5, 7],
      [4, 4, 4],
      [5, 3, 9],
      [70, 300, 13],
      [65, 257, 66],
      [2, 0, 3],
      [128, 64, 1],
    ];
    for (const [M, K, N] of shapes) {
      for (const transA of [false, true])
        for (const transB of [false, true]) compareMatmul(M, K, N, transA, transB, rng);
    }
  });

  it("on the matrix-vector path in both weight layouts", () => {
    const rng = new Rng(2);
    for (const [K, N] of [
      [288, 768],
      [7, 3],
      [13, 1],
      [1, 17],
    ] as const) {
      compareMatmul(1, K, N, false, false, rng);
      compareMatmul(1, K, N, false, true, rng);
      compareMatmul(1, K, N, true, true, rng);
    }
  });

  it("on 40 random shapes", () => {
    const rng = new Rng(3);
    for (let t = 0; t < 40; t++) {
      const M = 1 + rng.nextInt(80);
      const K = 1 + rng.nextInt(300);
      const N = 1 + rng.nextInt(80);
      compareMatmul(M, K, N, rng.nextInt(2) === 1, rng.nextInt(2) === 1, rng);
    }
  });

  it("through the matmul op on batched, broadcast and transposed views", () => {
    const rng = new Rng(4);
    const a = randn([3, 17, 33], rng);
    const w = randn([29, 33], rng);
    const run = (backend: BackendKernels) => {
      const previous = setBackend(backend);
      try {
        return matmul(a, w.transpose(0, 1)).dataSync();
      } finally {
        setBackend(previous);
      }
    };
    const ref = run(referenceBackend);
    const fast = run(jsBackend);
    for (let i = 0; i < ref.length; i++) expect(Math.abs(fast[i]! - ref[i]!)).toBeLessThan(1e-4);
  });
});

describe("fast elementwise and copy kernels match the reference", () => {
  it("binary ops with broadcast strides and strided copies", () => {
    const rng = new Rng(5);
    const x = randn([4, 5, 6], rng);
    const y = randn([5, 1], rng);
    const shape = [4, 5, 6];
    const av = broadcastView(x, shape);
    const bv = broadcastView(y, shape); // strides [0, 1, 0]
    for (const op of ["add", "sub", "mul", "div"] as const) {
      const r = new Float32Array(120);
      const f = new Float32Array(120);
      referenceBackend.binary(op, av, bv, r, shape);
      jsBackend.binary(op, av, bv, f, shape);
      expect(f).toEqual(r);
    }
    const t = x.permute(2, 0, 1).narrow(1, 1, 2);
    const src = broadcastView(t, t.shape);
    const r = new Float32Array(t.size);
    const f = new Float32Array(t.size);
    referenceBackend.copyStrided(src, r, t.shape);
    jsBackend.copyStrided(src, f, t.shape);
    expect(f).toEqual(r);
  });
});

/** A random view of `shape`: a permuted, narrowed tensor whose dims land in that order. */
function randomView(shape: number[], rng: Rng): Tensor {
  const order = shape.map((_, i) => i).sort(() => rng.nextFloat() - 0.5);
  const padded = order.map((d) => shape[d]! + rng.nextInt(2)); // one spare row on some dims
  let t = randn(padded, rng);
  order.forEach((_, i) => {
    t = t.narrow(i, padded[i]! - shape[order[i]!]!, shape[order[i]!]!);
  });
  const inverse = order.map((_, i) => order.indexOf(i));
  return t.permute(...inverse);
}

describe("fast elementwise and copy kernels match the reference on random views", () => {
  it("binary ops over 60 random broadcast, permuted and narrowed operands", () => {
    const rng = new Rng(6);
    for (let t = 0; t < 60; t++) {
      const nd = 1 + rng.nextInt(4);
      const shape = Array.from({ length: nd }, () => 1 + rng.nextInt(6));
      // b drops some leading dims and has size 1 on some others (it broadcasts)
      const lead = rng.nextInt(nd);
      const bShape = shape.slice(lead).map((s) => (rng.nextInt(3) === 0 ? 1 : s));
      const a = randomView(shape, rng);
      const b = randomView(bShape, rng);
      for (const op of ["add", "sub", "mul", "div"] as const) {
        const r = new Float32Array(a.size);
        const f = new Float32Array(a.size);
        referenceBackend.binary(op, broadcastView(a, shape), broadcastView(b, shape), r, shape);
        jsBackend.binary(op, broadcastView(a, shape), broadcastView(b, shape), f, shape);
        expect(f, `${op} [${shape}] with [${bShape}]`).toEqual(r);
      }
    }
  });

  it("strided copies of 60 random permuted, narrowed and expanded views", () => {
    const rng = new Rng(7);
    for (let t = 0; t < 60; t++) {
      const nd = 1 + rng.nextInt(5);
      const shape = Array.from({ length: nd }, () => 1 + rng.nextInt(5));
      const small = shape.map((s) => (rng.nextInt(4) === 0 ? 1 : s));
      const v = randomView(small, rng).expand(...shape);
      const src = broadcastView(v, shape);
      const r = new Float32Array(v.size);
      const f = new Float32Array(v.size);
      referenceBackend.copyStrided(src, r, shape);
      jsBackend.copyStrided(src, f, shape);
      expect(f, `[${shape}] strides [${v.strides}]`).toEqual(r);
    }
  });

  it("assignments of 60 random broadcast sources into permuted, narrowed destinations", () => {
    const rng = new Rng(8);
    for (let t = 0; t < 60; t++) {
      const nd = 1 + rng.nextInt(5);
      const shape = Array.from({ length: nd }, () => 1 + rng.nextInt(5));
      const source = randomView(
        shape.map((s) => (rng.nextInt(4) === 0 ? 1 : s)),
        rng,
      );
      const src = broadcastView(source, shape);
      // Two identical destinations (same random layout, same untouched padding around the view).
      const seed = rng.nextInt(1 << 30);
      const r = randomView(shape, new Rng(seed));
      const f = randomView(shape, new Rng(seed));
      const [rv, fv] = [broadcastView(r, shape), broadcastView(f, shape)];
      referenceBackend.assign(src, rv, shape);
      jsBackend.assign(src, fv, shape);
      expect(fv.data, `[${shape}] into strides [${f.strides}]`).toEqual(rv.data);
      expect(r.toArray()).toEqual(source.expand(...shape).toArray());
    }
  });
});
