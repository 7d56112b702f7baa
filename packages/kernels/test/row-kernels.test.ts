// The tuned row and elementwise kernels against their reference twins (llm.c's "fast vs naive"
// check), on random data with odd sizes: softmax / log-softmax (with -Infinity entries, as a
// causal mask leaves them), sum over rows, the
// exp-based unary functions and their derivatives on the JS and wasm SIMD kernels (lengths
// that do not fill a 4-lane vector, and more than one 65536-element chunk), and the AdamW
// update, which must match bit for bit.
// Tolerances: float32 results; the fast kernels round in a different order, and the wasm ones
// compute in float32, so they agree to a few float32 ulps (relative 2e-6) plus 1e-7 absolute
// (where the reference itself loses digits, e.g. 1 + erf(x) in GELU's far negative tail).

import { type AdamWParams, type FloatArray, Rng, referenceBackend, type UnaryOp } from "@llmts/tensor";
import { describe, expect, it } from "vitest";
import { jsBackend, wasmBackend } from "../src/node/index.ts";

function randomArray(n: number, rng: Rng, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal() * scale;
  return a;
}

function expectClose(got: FloatArray, want: FloatArray, label: string, rel = 2e-6, abs = 1e-7): void {
  expect(got.length, label).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const ok = Object.is(got[i], want[i]) || Math.abs(got[i]! - want[i]!) <= rel * Math.abs(want[i]!) + abs;
    if (!ok) expect.fail(`${label}: element ${i}: ${got[i]} vs reference ${want[i]}`);
  }
}

const SHAPES: [number, number][] = [
  [1, 1],
  [3, 7],
  [5, 64],
  [2, 129],
  [17, 33],
];

describe("row kernels match the reference", () => {
  it("softmax and log-softmax, including rows with -Infinity entries", () => {
    const rng = new Rng(1);
    for (const [rows, cols] of SHAPES) {
      const x = randomArray(rows * cols, rng, 3);
      for (let i = 1; i < x.length; i += 3) if (i % cols !== 0) x[i] = Number.NEGATIVE_INFINITY;
      for (const log of [false, true]) {
        const want = new Float32Array(x.length);
        const got = new Float32Array(x.length);
        referenceBackend.softmaxRows(x, want, rows, cols, log);
        jsBackend.softmaxRows(x, got, rows, cols, log);
        expectClose(got, want, `softmax log=${log} [${rows}, ${cols}]`);
      }
    }
  });

  it("sum over rows", () => {
    const rng = new Rng(3);
    for (const [rows, cols] of SHAPES) {
      const x = randomArray(rows * cols, rng);
      const want = new Float32Array(rows);
      const got = new Float32Array(rows);
      referenceBackend.sumRows(x, want, rows, cols);
      jsBackend.sumRows(x, got, rows, cols);
      expectClose(got, want, `sumRows [${rows}, ${cols}]`, 1e-6, 1e-6);
    }
  });
});

describe("exp-based unary kernels match the reference", () => {
  const ops: UnaryOp[] = ["exp", "silu", "gelu", "geluTanh", "tanh"];
  for (const n of [1, 3, 63, 64, 65, 1001, 70001]) {
    it(`on ${n} elements, forward and derivative, JS and wasm`, () => {
      const rng = new Rng(n);
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = -12 + 24 * rng.nextFloat();
      if (n > 3) x.set([0, 1e-30, -1e-30], 0);
      const g = randomArray(n, rng);
      for (const op of ops) {
        const y = new Float32Array(n);
        const want = new Float32Array(n);
        referenceBackend.unary(op, x, y, 0);
        referenceBackend.unaryGrad(op, x, y, g, want, 0);
        for (const b of [jsBackend, wasmBackend]) {
          const got = new Float32Array(n);
          b.unary(op, x, got, 0);
          expectClose(got, y, `${b.name} ${op}`);
          const dx = new Float32Array(n);
          b.unaryGrad(op, x, got, g, dx, 0);
          expectClose(dx, want, `${b.name} ${op}'`, 1e-5, 1e-7);
        }
      }
    });
  }
});

describe("exp at the edges of float32", () => {
  it("overflows to Infinity, keeps NaN and the largest finite values, like the reference, on every backend", () => {
    // 88.3-88.7: exp is finite but needs 2^128 · e^r; 88.73: above ln FLT_MAX; -87.3: near 2^-126.
    const edges = [Number.NEGATIVE_INFINITY, -200, -87.3, -50, 0, 50, 88, 88.3, 88.5, 88.7, 88.73, 100];
    const x = new Float32Array(64);
    x.set([...edges, Number.POSITIVE_INFINITY, Number.NaN]); // 64 elements: the wasm kernel's size
    const want = new Float32Array(64);
    referenceBackend.unary("exp", x, want, 0);
    expect(want[edges.indexOf(88.73)]).toBe(Number.POSITIVE_INFINITY); // the reference, as a check
    for (const b of [jsBackend, wasmBackend]) {
      const got = new Float32Array(64);
      b.unary("exp", x, got, 0);
      expectClose(got, want, `${b.name} exp`);
    }
  });

  it("flushes results below the smallest normal float to 0 on wasm (the reference keeps subnormals)", () => {
    const x = new Float32Array(64).fill(-88); // exp(-88) ≈ 6.05e-39, a float32 subnormal
    const got = new Float32Array(64);
    wasmBackend.unary("exp", x, got, 0);
    expect(Array.from(new Set(got))).toEqual([0]);
  });
});

describe("the AdamW kernel", () => {
  function state(n: number, seed: number): AdamWParams {
    const rng = new Rng(seed);
    const grad = randomArray(n, rng, 0.1);
    grad[0] = 0;
    return {
      param: randomArray(n, rng),
      grad,
      m: new Float32Array(n),
      v: new Float32Array(n),
      beta1: 0.9,
      beta2: 0.99,
      eps: 1e-8,
      stepSize: 0,
      biasCorrection2Sqrt: 0,
      decay: 1 - 1e-3 * 0.1,
    };
  }

  it("gives bit-identical parameters and moments on every backend, step after step", () => {
    const ref = state(1003, 7);
    const others = [jsBackend, wasmBackend].map(() => state(1003, 7));
    for (let t = 1; t <= 5; t++) {
      const lr = 1e-3 * t;
      for (const s of [ref, ...others]) {
        s.stepSize = lr / (1 - 0.9 ** t);
        s.biasCorrection2Sqrt = Math.sqrt(1 - 0.99 ** t);
        s.grad = s.grad.map((v, i) => v + 0.01 * Math.sin(i * t));
      }
      referenceBackend.adamw(ref);
      jsBackend.adamw(others[0]!);
      wasmBackend.adamw(others[1]!);
      for (const s of others) {
        expect(s.param).toEqual(ref.param);
        expect(s.m).toEqual(ref.m);
        expect(s.v).toEqual(ref.v);
      }
    }
    expect(ref.param[0]).not.toBe(state(1003, 7).param[0]); // decay moved even the zero-gradient element
  });
});

describe("the softmax rows of attention blocks in wasm SIMD (attention-rows.ts)", () => {
  // Rows that see every column, a prefix (causal), a middle stretch (a sliding window), one
  // column; widths that do not fill a 4-lane vector.
  const cases: [number, number[][]][] = [
    [1, [[0, 1]]],
    [
      7,
      [
        [0, 7],
        [0, 3],
        [2, 6],
        [6, 7],
      ],
    ],
    [
      66,
      [
        [0, 66],
        [5, 61],
        [0, 1],
        [13, 14],
        [9, 50],
      ],
    ],
  ];

  it("match the JS loops (jsRows) forward and backward, with 0 on every masked column", async () => {
    const { jsRows } = await import("../src/js/block-attention.ts");
    const { wasmRows } = await import("../src/wasm/attention-rows.ts");
    const rng = new Rng(31);
    for (const [n, rowRanges] of cases) {
      const M = rowRanges.length;
      const scores = randomArray(M * n, rng, 3);
      const dP = randomArray(M * n, rng);
      const scale = 0.37;
      const run = (rows: typeof jsRows) => {
        const s = rows.floats(M * n);
        const d = rows.floats(M * n);
        const ranges = rows.ints(2 * M);
        const stats = rows.floats(2 * M);
        for (const [r, [lo, hi]] of rowRanges.entries()) ranges.set([lo!, hi!], 2 * r);
        s.set(scores);
        rows.softmax(s, M, n, ranges, scale, stats);
        const p = Float32Array.from(s);
        const lse = rows.floats(M);
        for (let r = 0; r < M; r++) lse[r] = stats[2 * r]! + Math.log(stats[2 * r + 1]!);
        s.set(scores);
        d.set(dP);
        rows.softmaxGrad(s, d, M, n, ranges, scale, lse);
        return { p, again: Float32Array.from(s), dS: Float32Array.from(d), lse: Float32Array.from(lse) };
      };
      const want = run(jsRows);
      const got = run(wasmRows);
      expectClose(got.p, want.p, `softmax n=${n}`, 2e-6, 1e-7);
      expectClose(got.lse, want.lse, `lse n=${n}`, 2e-6, 1e-6);
      expectClose(got.again, want.p, `P rebuilt from lse n=${n}`, 1e-5, 1e-7);
      expectClose(got.dS, want.dS, `dS n=${n}`, 1e-5, 1e-6);
      rowRanges.forEach(([lo, hi], r) => {
        for (let j = 0; j < n; j++) {
          if (j < lo! || j >= hi!) expect(got.p[r * n + j], `masked column ${j} of row ${r}`).toBe(0);
        }
      });
    }
  });
});
